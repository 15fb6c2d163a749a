"""CSV edge: shape problems are reported before any value is read."""

import pytest

from scoring.csvio import read_signals
from scoring.validation import SignalError


def write(tmp_path, text: str):
    path = tmp_path / "in.csv"
    path.write_text(text)
    return path


def problem(tmp_path, text: str) -> str:
    with pytest.raises(SignalError) as error:
        read_signals(write(tmp_path, text))
    return str(error.value)


def test_empty_file(tmp_path):
    assert "is empty" in problem(tmp_path, "")


def test_header_without_rows(tmp_path):
    assert "no data rows" in problem(tmp_path, "monthly_income,term_months\n")


def test_row_with_too_many_fields_names_the_row(tmp_path):
    assert "row 2: has 3 fields but the header has 2" in problem(tmp_path, "monthly_income,term_months\n1,2\n1,2,3\n")


def test_duplicate_header(tmp_path):
    assert "column 'term_months': column appears more than once" in problem(tmp_path, "term_months,term_months\n1,2\n")


def test_bad_value_names_row_and_column(tmp_path):
    message = problem(tmp_path, "monthly_income,term_months\n3000,36\n-20,36\n")
    assert message.startswith("row 2, column 'monthly_income'")


def test_reads_text_and_canonical_frames(tmp_path):
    text, signals = read_signals(write(tmp_path, "term_months,purpose\n36,vehicle\n,\n"))
    assert text["term_months"].tolist() == ["36", ""]
    assert signals["term_months"].iloc[0] == 36.0 and signals["term_months"].isna().iloc[1]
