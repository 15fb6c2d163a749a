"""Adapters map each source into the schema; missing stays NaN; nothing set after scoring leaks in."""

import numpy as np
import pandas as pd
import pytest

from scoring.adapters import expand, load_dataset, platform
from scoring.adapters.base import map_codes
from scoring.schema import BANK_COLUMNS, COLUMNS
from scoring.validation import SignalError


def assert_canonical(data):
    assert list(data.signals.columns) == list(COLUMNS)
    assert len(data.signals) == len(data.defaulted) == data.rows
    assert set(np.unique(data.defaulted)) == {0, 1}


def test_lendingclub(lendingclub_data):
    assert_canonical(lendingclub_data)
    assert lendingclub_data.rows == 9857 and lendingclub_data.default_rate == pytest.approx(0.0524, abs=1e-3)
    signals = lendingclub_data.signals
    assert set(lendingclub_data.observed_signals()) == {
        "income_verified", "monthly_income", "employment_status", "employment_months", "loan_amount", "term_months"}
    # emp_unk rows: employment length and status unknown -> missing, not zero
    unknown = signals["employment_months"].isna()
    assert unknown.sum() == 645 and signals.loc[unknown, "employment_status"].isna().all()
    assert set(signals["term_months"].unique()) == {36.0, 60.0}
    assert "LendingClub sub_grade" in lendingclub_data.benchmarks  # comparison only


def test_credit_data(credit_data_set):
    assert_canonical(credit_data_set)
    assert credit_data_set.rows == 4454
    signals = credit_data_set.signals
    assert signals["homeowner"].isna().sum() == 26  # 'ignore' and NA stay missing
    assert signals["monthly_income"].isna().all()  # unknown currency unit: not guessed
    assert set(signals["employment_status"].dropna()) <= {"employed", "part_time", "self_employed", "other"}


def test_german(german_data):
    assert_canonical(german_data)
    assert german_data.rows == 1000 and german_data.default_rate == pytest.approx(0.3)
    signals = german_data.signals
    unemployed = signals["employment_status"] == "not_employed"
    assert unemployed.sum() == 62 and signals.loc[unemployed, "employment_months"].isna().all()
    assert signals["phone_verified"].sum() == 404
    assert signals["bureau_score"].isna().all()


def test_german_bank_bands_map_to_usd_values_in_default_rate_order(german_data):
    """Corrected labels (see the adapter): no checking account is the riskiest band, the top band
    the safest; each band is one USD value at 2.5 DM per USD; no overdraft count is invented."""
    signals, bad = german_data.signals, german_data.defaulted
    no_account = signals["bank_account_verified"] == 0.0
    assert no_account.sum() == 274 and signals.loc[no_account, "checking_balance"].isna().all()
    assert signals.loc[~no_account, "checking_balance"].notna().all()
    balances = sorted(signals["checking_balance"].dropna().unique())
    assert balances == [-40.0, 40.0, 80.0]  # -100, 100 and 200 DM
    rates = [bad[no_account].mean()] + [bad[signals["checking_balance"] == b].mean() for b in balances]
    assert rates == sorted(rates, reverse=True)
    assert sorted(signals["savings_balance"].dropna().unique()) == [20.0, 120.0, 300.0, 400.0]
    assert signals["savings_balance"].isna().sum() == 603  # unknown or no savings account: missing
    assert signals["overdrafts_12m"].isna().all()


def test_sets_without_bank_columns_leave_bank_signals_missing(lendingclub_data, credit_data_set):
    for data in (lendingclub_data, credit_data_set):
        assert data.signals[list(BANK_COLUMNS)].isna().all().all(), data.name


def test_registry_pool(registry_data):
    assert_canonical(registry_data)
    assert registry_data.rows == 9857 + 4454 + 1000
    assert dict(zip(*np.unique(registry_data.source, return_counts=True))) == {
        "credit_data": 4454, "german": 1000, "lendingclub": 9857}


def test_prosper(prosper_data):
    assert_canonical(prosper_data)
    assert prosper_data.rows == 25_996 - 13  # duplicated listings dropped
    assert prosper_data.default_rate == pytest.approx(0.244, abs=0.001)
    assert "ProsperScore" in prosper_data.benchmarks
    assert prosper_data.signals["purpose"].isna().sum() > 0  # category 0 "not available" stays missing
    assert prosper_data.signals[list(BANK_COLUMNS)].isna().all().all()  # no bank columns in the file


def test_dataset_specs():
    assert expand("registry") == ["lendingclub", "credit_data", "german"]
    assert expand("german,registry") == ["german", "lendingclub", "credit_data"]
    with pytest.raises(ValueError, match="unknown dataset"):
        expand("kaggle")
    with pytest.raises(ValueError, match="needs --data"):
        load_dataset("platform")


def test_unknown_source_code_fails_loudly():
    with pytest.raises(ValueError, match="no mapping for"):
        map_codes(pd.Series(["own", "castle"]), {"own": True}, "housing")


def test_platform_rows_and_csv(tmp_path):
    rows = [{"income_verified": True, "monthly_income": 5000, "prior_defaults": 0, "defaulted": False},
            {"income_verified": False, "prior_defaults": 2, "wallet_age_days": 30, "defaulted": True}]
    data = platform.from_rows(rows)
    assert_canonical(data)
    assert data.defaulted.tolist() == [0, 1] and np.isnan(data.signals.loc[0, "wallet_age_days"])
    path = tmp_path / "loans.csv"
    path.write_text("prior_defaults,defaulted\n0,false\n1,true\n")
    assert platform.load(path).defaulted.tolist() == [0, 1]


@pytest.mark.parametrize("bad", ["later", "yes", "1.0", "", 2, None])
def test_platform_outcome_other_than_0_1_true_false_is_refused_with_its_row(bad):
    with pytest.raises(SignalError, match="row 2, column 'defaulted'"):
        platform.from_rows([{"defaulted": True}, {"defaulted": bad}, {"defaulted": "FALSE"}])


def test_platform_csv_with_a_bad_outcome_names_the_row(tmp_path):
    path = tmp_path / "loans.csv"
    path.write_text("checking_balance,defaulted\n-20,1\n500,0\n100,maybe\n")
    with pytest.raises(SignalError, match="row 3, column 'defaulted'"):
        platform.load(path)


def test_platform_bad_signal_names_the_row(tmp_path):
    with pytest.raises(SignalError, match="row 1, column 'prior_defaults'"):
        platform.from_rows([{"prior_defaults": -1, "defaulted": 0}])
