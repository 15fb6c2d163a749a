"""Bad input gets an error naming row and column; nothing bad silently becomes a number."""

import numpy as np
import pandas as pd
import pytest

from scoring.schema import COLUMNS, SignalRecord
from scoring.validation import SignalError, frame_to_records, records_to_frame, validate_frame


def issues_of(raw: dict) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(SignalError) as error:
        validate_frame(pd.DataFrame(raw, dtype=object))
    return [(i.row, i.column, i.problem) for i in error.value.issues]


def test_canonical_frame_has_every_column_and_keeps_missing_as_nan():
    frame = validate_frame(pd.DataFrame({"monthly_income": ["4200", ""], "income_verified": ["true", ""],
                                         "purpose": ["vehicle", ""]}, dtype=object))
    assert list(frame.columns) == list(COLUMNS)
    assert frame.loc[0, "monthly_income"] == 4200.0 and np.isnan(frame.loc[1, "monthly_income"])
    assert frame.loc[0, "income_verified"] == 1.0 and np.isnan(frame.loc[1, "income_verified"])
    assert frame.loc[0, "purpose"] == "vehicle" and pd.isna(frame.loc[1, "purpose"])
    assert frame["bureau_score"].isna().all()  # absent column: missing, never zero


def test_negative_income_names_row_and_column():
    [(row, column, problem)] = issues_of({"monthly_income": ["3000", "-5"]})
    assert (row, column) == (2, "monthly_income") and "negative" in problem


def test_wrong_type_names_row_and_column_and_shows_the_value():
    [(row, column, problem)] = issues_of({"loan_amount": ["5000", "5000", "five thousand"]})
    assert (row, column) == (3, "loan_amount") and "'five thousand'" in problem


@pytest.mark.parametrize("column, value, words", [
    ("bureau_score", "1200", "above the maximum"),
    ("bureau_score", "250", "below the minimum"),
    ("term_months", "36.5", "not a whole number"),
    ("endorsements", "-1", "negative"),
    ("income_verified", "maybe", "yes/no"),
    ("employment_status", "astronaut", "unknown category"),
    ("debt_to_income", "inf", "finite"),
    ("monthly_income", "nan", "finite"),
])
def test_out_of_range_and_malformed_values(column, value, words):
    [(row, name, problem)] = issues_of({column: [value]})
    assert (row, name) == (1, column) and words in problem


def test_unknown_column_is_named():
    [(row, column, problem)] = issues_of({"salary": ["1"], "monthly_income": ["1"]})
    assert (row, column) == (None, "salary") and "unknown column" in problem


def test_empty_frame_is_an_error():
    assert issues_of({"monthly_income": []})[0][2] == "no data rows"


def test_every_bad_cell_is_reported_in_row_order():
    issues = issues_of({"monthly_income": ["-1", "ok", "2"], "term_months": ["0", "12", "1.5"]})
    assert [(r, c) for r, c, _ in issues] == [(1, "monthly_income"), (1, "term_months"), (2, "monthly_income"),
                                            (3, "term_months")]


def test_booleans_are_not_numbers():
    [(row, column, _)] = issues_of({"monthly_income": [True]})
    assert (row, column) == (1, "monthly_income")


def test_typed_values_are_accepted():
    frame = validate_frame(pd.DataFrame({"homeowner": pd.array([True, None], dtype="boolean"),
                                         "endorsements": [2, 0], "loan_amount": [1500.0, np.nan]}))
    assert frame["homeowner"].tolist()[0] == 1.0 and np.isnan(frame["homeowner"].tolist()[1])
    assert frame["endorsements"].tolist() == [2.0, 0.0]


def test_first_row_offsets_row_numbers():
    with pytest.raises(SignalError) as error:
        validate_frame(pd.DataFrame({"monthly_income": ["-1"]}, dtype=object), first_row=41)
    assert error.value.issues[0].row == 41
    assert "row 41, column 'monthly_income'" in str(error.value)


def test_records_round_trip():
    record = SignalRecord(income_verified=True, monthly_income=4000.0, employment_status="retired",
                          endorsements=3, purpose="medical")
    [back] = frame_to_records(records_to_frame([record]))
    assert back == record


def test_bank_signals_validate_like_the_others():
    frame = validate_frame(pd.DataFrame({
        "bank_account_verified": ["true", "false", ""], "checking_balance": ["-250.5", "", ""],
        "savings_balance": ["0", "", ""], "overdrafts_12m": ["3", "", ""]}, dtype=object))
    assert frame["bank_account_verified"].tolist()[:2] == [1.0, 0.0]
    assert frame.loc[0, "checking_balance"] == -250.5  # overdrawn: a negative balance is valid
    assert frame.loc[0, "savings_balance"] == 0.0 and frame.loc[0, "overdrafts_12m"] == 3.0
    assert frame.loc[1:, ["checking_balance", "savings_balance", "overdrafts_12m"]].isna().all().all()


@pytest.mark.parametrize("column, value, words", [
    ("savings_balance", "-1", "negative"),
    ("overdrafts_12m", "1.5", "not a whole number"),
    ("overdrafts_12m", "-2", "negative"),
    ("checking_balance", "-20000000", "below the minimum"),
    ("checking_balance", "lots", "finite number"),
    ("bank_account_verified", "linked", "yes/no"),
])
def test_bad_bank_signals_name_row_and_column(column, value, words):
    [(row, name, problem)] = issues_of({column: ["", value]})
    assert (row, name) == (2, column) and words in problem
