"""Prosper loans listed 2009-2014 (development and benchmark data; never copied into the repo).

File: `../shared/data/prosper_2009_2014.csv.gz` next to the repository, or the path in the
environment variable LENDCHAIN_PROSPER_CSV, or an explicit path (.csv or .csv.gz).

Mapping into the schema:
    IncomeVerifiable                 -> income_verified
    StatedMonthlyIncome              -> monthly_income (USD)
    EmploymentStatus                 -> employment_status ("Full-time" -> full_time, ...)
    EmploymentStatusDuration         -> employment_months
    IsBorrowerHomeowner              -> homeowner
    Recommendations                  -> endorsements
    CreditScoreRangeLower/Upper      -> bureau_score (middle of the 20-point band)
    LoanOriginalAmount, Term         -> loan_amount (USD), term_months
    ListingCategory (numeric)        -> purpose (0 "not available" stays missing)
Outcome: LoanStatus Chargedoff or Defaulted -> 1, Completed -> 0.

No bank-account columns in this file: the bank signals stay missing.

Never inputs: BorrowerRate, BorrowerAPR and Investors (set by the platform after scoring),
ClosedDate (known only after the outcome), ProsperScore (Prosper's own score, kept as a
benchmark), ListingCreationDate (the sample holds loans closed by March 2014, so the listing
year mostly encodes which loans had time to close), BorrowerState and Occupation (not schema
signals). Duplicate ListingKeys (13 listings, differing only in ProsperScore) keep the first row.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from scoring.adapters.base import LabelledData, labelled, map_codes

ENV_VAR = "LENDCHAIN_PROSPER_CSV"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = REPO_ROOT.parent / "shared" / "data" / "prosper_2009_2014.csv.gz"

EMPLOYMENT = {
    "Full-time": "full_time",
    "Part-time": "part_time",
    "Self-employed": "self_employed",
    "Employed": "employed",
    "Not employed": "not_employed",
    "Retired": "retired",
    "Other": "other",
}
# Prosper ListingCategory codes -> schema purposes.
PURPOSE = {
    1: "debt_consolidation", 2: "home_improvement", 3: "business", 4: "other", 5: "education",
    6: "vehicle", 7: "other", 8: "life_event", 9: "vehicle", 10: "medical", 11: "major_purchase",
    12: "home_improvement", 13: "household", 14: "major_purchase", 15: "medical", 16: "vehicle",
    17: "vehicle", 18: "other", 19: "life_event", 20: "life_event",
}
DEFAULTED = {"Chargedoff", "Defaulted"}
REPAID = {"Completed"}


def default_path() -> Path:
    """Where the Prosper file is expected: $LENDCHAIN_PROSPER_CSV, else ../shared/data."""
    override = os.environ.get(ENV_VAR)
    return Path(override) if override else DEFAULT_PATH


def read(path: str | Path | None = None) -> pd.DataFrame:
    """The file's rows, one per listing."""
    path = Path(path) if path is not None else default_path()
    if not path.is_file():
        raise FileNotFoundError(f"Prosper file not found at {path} (set {ENV_VAR} or pass --data PATH)")
    frame = pd.read_csv(path).drop_duplicates("ListingKey", keep="first").reset_index(drop=True)
    unknown_status = set(frame["LoanStatus"]) - DEFAULTED - REPAID
    if unknown_status:
        raise ValueError(f"{path}: unexpected LoanStatus values {sorted(unknown_status)}")
    return frame


def load(path: str | Path | None = None) -> LabelledData:
    return from_frame(read(path))


def outside_schema(path: str | Path | None = None) -> pd.DataFrame:
    """Columns that are NOT signals (listing year, state, occupation), row-aligned with `load`.

    Only for the model card's diagnostic of how much AUC they would add; never model inputs.
    """
    frame = read(path)
    return pd.DataFrame({
        "listing_year": frame["ListingCreationDate"].astype(float),
        "state": frame["BorrowerState"].astype("category"),
        "occupation": frame["Occupation"].astype("category"),
    })


def from_frame(frame: pd.DataFrame) -> LabelledData:
    """Map Prosper columns (as in the shared file) into the schema."""
    signals = pd.DataFrame({
        "income_verified": frame["IncomeVerifiable"].astype(bool),
        "monthly_income": frame["StatedMonthlyIncome"].astype(float),
        "employment_status": map_codes(frame["EmploymentStatus"], EMPLOYMENT, "EmploymentStatus"),
        "employment_months": frame["EmploymentStatusDuration"].astype(float),
        "homeowner": frame["IsBorrowerHomeowner"].astype(bool),
        "endorsements": frame["Recommendations"],
        "bureau_score": (frame["CreditScoreRangeLower"] + frame["CreditScoreRangeUpper"]) / 2.0,
        "loan_amount": frame["LoanOriginalAmount"].astype(float),
        "term_months": frame["Term"],
        "purpose": map_codes(frame["ListingCategory (numeric)"], PURPOSE, "ListingCategory", missing=(0,)),
    })
    defaulted = frame["LoanStatus"].isin(DEFAULTED).to_numpy(dtype=np.int8)
    bureau = signals["bureau_score"].to_numpy(dtype=float)
    return labelled(
        "prosper",
        signals,
        defaulted,
        "Prosper loans listed 2009-2014 and closed by March 2014 (shared development file)",
        benchmarks={
            "ProsperScore": -frame["ProsperScore"].to_numpy(dtype=float),
            "bureau score alone": -bureau,
        },
    )
