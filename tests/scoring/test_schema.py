"""The signal schema: one list of columns, typed records, missing stays missing."""

import math
from dataclasses import fields

import pytest

from scoring.features import MONOTONE
from scoring.schema import (BANK_COLUMNS, CATEGORY_COLUMNS, COLUMNS, FLAG_COLUMNS, NUMERIC_COLUMNS, SPECS,
                            VERIFICATION_COLUMNS, Kind, SignalRecord, is_missing)

ISSUE_COLUMNS = (
    "identity_verified", "phone_verified", "email_verified", "income_verified", "monthly_income",
    "employment_status", "employment_months", "debt_to_income", "homeowner", "social_accounts",
    "social_account_age_months", "endorsements", "wallet_age_days", "wallet_tx_count", "prior_loans_repaid",
    "prior_on_time_payments", "prior_late_payments", "prior_defaults", "bank_account_verified", "checking_balance",
    "savings_balance", "overdrafts_12m", "bureau_score", "loan_amount", "term_months", "purpose",
)


def test_columns_are_exactly_the_issue_list_in_order():
    assert COLUMNS == ISSUE_COLUMNS
    assert tuple(f.name for f in fields(SignalRecord)) == ISSUE_COLUMNS


def test_column_groups_partition_the_schema():
    groups = set(FLAG_COLUMNS) | set(NUMERIC_COLUMNS) | set(CATEGORY_COLUMNS)
    assert groups == set(COLUMNS)
    assert len(FLAG_COLUMNS) + len(NUMERIC_COLUMNS) + len(CATEGORY_COLUMNS) == len(COLUMNS)
    assert set(VERIFICATION_COLUMNS) <= set(FLAG_COLUMNS)


def test_employment_statuses_are_the_issue_list():
    assert SPECS["employment_status"].categories == (
        "full_time", "part_time", "self_employed", "employed", "not_employed", "retired", "other")


def test_every_number_has_a_range_and_money_cannot_be_negative():
    for spec in SPECS.values():
        if spec.kind in (Kind.NUMBER, Kind.COUNT):
            assert spec.low is not None and spec.high is not None and spec.low < spec.high, spec.name
    assert SPECS["monthly_income"].low == 0 and SPECS["loan_amount"].low > 0


def test_record_defaults_to_all_missing():
    record = SignalRecord()
    assert all(value is None for value in record.to_dict().values())


def test_record_from_mapping_keeps_nan_as_missing_and_rejects_unknown_names():
    record = SignalRecord.from_mapping({"monthly_income": float("nan"), "homeowner": True})
    assert record.monthly_income is None and record.homeowner is True
    with pytest.raises(KeyError, match="salary"):
        SignalRecord.from_mapping({"salary": 1})


def test_is_missing():
    assert is_missing(None) and is_missing(math.nan)
    assert not is_missing(0) and not is_missing(0.0) and not is_missing(False) and not is_missing("")


def test_bank_signals_types_ranges_and_directions():
    assert BANK_COLUMNS == ("bank_account_verified", "checking_balance", "savings_balance", "overdrafts_12m")
    assert [SPECS[name].kind for name in BANK_COLUMNS] == [Kind.FLAG, Kind.NUMBER, Kind.NUMBER, Kind.COUNT]
    assert SPECS["checking_balance"].low < 0 < SPECS["checking_balance"].high  # overdrawn accounts exist
    assert SPECS["savings_balance"].low == 0 and SPECS["overdrafts_12m"].low == 0
    assert all("USD" in SPECS[name].description for name in ("checking_balance", "savings_balance"))
    # more money in the bank never raises the PD, more overdrafts never lower it
    assert [MONOTONE[name] for name in BANK_COLUMNS] == [-1, -1, -1, +1]
