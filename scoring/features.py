"""Canonical signal frame -> model matrix: one ColumnTransformer over named column lists.

The transformer is built for the signals a training set actually observed (a signal that is
missing in every training row carries no information, and the trees cannot bin it); the others
are dropped, so they cannot move the PD until data that labels them arrives. Layout: observed
flags and numbers pass through as float64 with NaN for missing (the gradient-boosted trees
learn where missing values go), in schema order; then each observed category signal becomes one
0/1 column per allowed value (fixed by the schema), a missing or unseen category being all zeros.

`MONOTONE` states the direction a signal may move the PD, enforced by the trees: a completed
verification, more income, more money in the bank, a higher bureau score or a longer clean
history can never raise the PD (and more overdrafts never lower it). Besides matching credit sense, this keeps the reasons and the "verification that helps
most" hint honest when a source's selection effects point the other way (LendingClub verified
the incomes of its riskier applicants, so there verified incomes default more often).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder

from scoring.schema import CATEGORY_COLUMNS, COLUMNS, FLAG_COLUMNS, NUMERIC_COLUMNS, SPECS

PASSTHROUGH_COLUMNS: tuple[str, ...] = FLAG_COLUMNS + NUMERIC_COLUMNS

# +1: PD can only rise with the signal; -1: only fall; signals not listed are unconstrained.
MONOTONE: dict[str, int] = {
    "identity_verified": -1,
    "phone_verified": -1,
    "email_verified": -1,
    "income_verified": -1,
    "monthly_income": -1,
    "debt_to_income": +1,
    "homeowner": -1,
    "endorsements": -1,
    "social_account_age_months": -1,
    "wallet_age_days": -1,
    "prior_loans_repaid": -1,
    "prior_on_time_payments": -1,
    "prior_late_payments": +1,
    "prior_defaults": +1,
    "bank_account_verified": -1,
    "checking_balance": -1,
    "savings_balance": -1,
    "overdrafts_12m": +1,
    "bureau_score": -1,
}


def observed_columns(signals: pd.DataFrame) -> list[str]:
    """Schema columns of a canonical frame with at least one non-missing value, in schema order."""
    return [name for name in COLUMNS if signals[name].notna().any()]


def build_features(columns: Sequence[str]) -> ColumnTransformer:
    """Unfitted transformer from the canonical frame to the model matrix, using `columns` only."""
    passthrough = [name for name in PASSTHROUGH_COLUMNS if name in columns]
    categorical = [name for name in CATEGORY_COLUMNS if name in columns]
    categories = [list(SPECS[name].categories) for name in categorical]
    return ColumnTransformer(
        [
            ("signals", "passthrough", passthrough),
            ("categories",
             OneHotEncoder(categories=categories, handle_unknown="ignore", sparse_output=False, dtype=np.float64),
             categorical),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    )


def matrix_columns(columns: Sequence[str]) -> list[str]:
    """Names of the model matrix's columns, in order (e.g. 'bureau_score', 'purpose_vehicle')."""
    passthrough = [name for name in PASSTHROUGH_COLUMNS if name in columns]
    one_hot = [f"{name}_{value}" for name in CATEGORY_COLUMNS if name in columns for value in SPECS[name].categories]
    return passthrough + one_hot


def monotone_constraints(columns: Sequence[str]) -> list[int]:
    """`monotonic_cst` for the trees, aligned with `matrix_columns(columns)`."""
    return [MONOTONE.get(name, 0) for name in matrix_columns(columns)]
