"""The command line: train -> predict round trip through CSV files, clear errors, default model."""

import csv

import numpy as np
import pytest

from scoring import artifact
from scoring.cli import main
from scoring.grades import GRADES


@pytest.fixture(scope="module")
def german_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "german"
    assert main(["train", "--dataset", "german", "--out", str(out)]) == 0
    return out


def read_rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_train_writes_an_artifact(german_dir, german_model, capsys):
    assert artifact.load(german_dir).model_id == german_model[0].model_id  # CLI == library, deterministic


def test_predict_round_trip(german_dir, tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text(
        "loan_amount,term_months,homeowner,purpose,phone_verified\n"
        "2000,12,true,vehicle,true\n"
        "9000,60,false,business,\n"
        ",,,,\n"
    )
    out = tmp_path / "out.csv"
    assert main(["predict", "--model", str(german_dir), "--input", str(source), "--output", str(out)]) == 0
    rows = read_rows(out)
    assert len(rows) == 3
    assert list(rows[0])[:5] == ["loan_amount", "term_months", "homeowner", "purpose", "phone_verified"]
    for row in rows:
        assert 0 < float(row["pd"]) < 1 and row["grade"] in GRADES and 0 <= int(row["score"]) <= 100
    assert rows[1]["phone_verified"] == ""  # input passed through as written
    assert float(rows[1]["pd"]) > float(rows[0]["pd"])  # long, large business loan vs short, small car loan
    assert rows[1]["reasons"]  # reason codes present
    assert all(code.count(":") == 2 for code in rows[1]["reasons"].split(";"))
    assert "scored 3 rows" in capsys.readouterr().out


@pytest.mark.parametrize("content, expected", [
    ("loan_amount\n-5\n", "row 1, column 'loan_amount'"),
    ("loan_amount,salary\n5,6\n", "column 'salary': unknown column"),
    ("term_months\n36\nabc\n", "row 2, column 'term_months'"),
    ("", "is empty"),
])
def test_bad_input_exits_2_with_row_and_column(german_dir, tmp_path, capsys, content, expected):
    source = tmp_path / "bad.csv"
    source.write_text(content)
    code = main(["predict", "--model", str(german_dir), "--input", str(source), "--output", str(tmp_path / "o.csv")])
    assert code == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()


def test_predict_without_model_is_a_clear_error(tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text("loan_amount\n5\n")
    assert main(["predict", "--model", str(tmp_path / "none"), "--input", str(source),
                 "--output", str(tmp_path / "o.csv")]) == 2
    assert "no model" in capsys.readouterr().err


def test_ensure_default_trains_once_from_registry_data(tmp_path, registry_model, capsys):
    directory = tmp_path / "default"
    assert main(["ensure-default", "--dir", str(directory)]) == 0
    assert "trained default model" in capsys.readouterr().out
    assert artifact.load(directory).model_id == registry_model[0].model_id
    assert main(["ensure-default", "--dir", str(directory)]) == 0
    assert "found default model" in capsys.readouterr().out


def test_python_dash_m_entry_point(german_dir, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    source = tmp_path / "in.csv"
    source.write_text("loan_amount,term_months\n3000,24\n")
    out = tmp_path / "out.csv"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-m", "scoring", "predict", "--model", str(german_dir),
                             "--input", str(source), "--output", str(out)], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert np.isfinite(float(read_rows(out)[0]["pd"]))


BAD_ROWS = ("bureau_score,loan_amount,term_months\n"
            "700,5000,36\n"
            "9.5,5000,36\n"  # a bureau score on the wrong scale
            "720,abc,36\n"  # wrong type
            "710,2000\n"  # a field short
            "690,3000,24\n")


def test_one_bad_row_rejects_the_whole_file_by_default(german_dir, tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text(BAD_ROWS)
    out = tmp_path / "out.csv"
    assert main(["predict", "--model", str(german_dir), "--input", str(source), "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert "row 2, column 'bureau_score': 9.5 is below the minimum" in err
    assert "row 3, column 'loan_amount'" in err and "row 4: has 2 fields" in err
    assert not out.exists() and not (tmp_path / "out.errors.csv").exists()


def test_skip_invalid_writes_valid_rows_and_an_errors_csv_and_exits_1(german_dir, tmp_path, capsys):
    source = tmp_path / "in.csv"
    source.write_text(BAD_ROWS)
    out = tmp_path / "out.csv"
    code = main(["predict", "--model", str(german_dir), "--input", str(source), "--output", str(out),
                 "--skip-invalid"])
    assert code == 1
    assert "skipped 3 invalid rows" in capsys.readouterr().err
    rows = read_rows(out)
    assert [(r["bureau_score"], r["loan_amount"]) for r in rows] == [("700", "5000"), ("690", "3000")]
    assert all(r["grade"] in GRADES for r in rows)
    errors = read_rows(tmp_path / "out.errors.csv")
    assert [(e["row"], e["column"]) for e in errors] == [("2", "bureau_score"), ("3", "loan_amount"), ("4", "")]
    assert "below the minimum" in errors[0]["message"] and "'abc'" in errors[1]["message"]


def test_skip_invalid_with_a_clean_file_exits_0_with_an_empty_errors_csv(german_dir, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("loan_amount\n5000\n")
    errors = tmp_path / "problems.csv"
    assert main(["predict", "--model", str(german_dir), "--input", str(source), "--output", str(tmp_path / "o.csv"),
                 "--skip-invalid", "--errors", str(errors)]) == 0
    assert read_rows(errors) == [] and errors.read_text().startswith("row,column,message")


@pytest.mark.parametrize("content, expected", [
    ("", "is empty"),
    ("bureau_score\n", "has a header but no data rows"),
    ("bureau_score,salary\n700,5\n", "column 'salary': unknown column"),
])
def test_whole_file_problems_are_never_skipped(german_dir, tmp_path, capsys, content, expected):
    source = tmp_path / "bad.csv"
    source.write_text(content)
    out = tmp_path / "o.csv"
    assert main(["predict", "--model", str(german_dir), "--input", str(source), "--output", str(out),
                 "--skip-invalid"]) == 2
    assert expected in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "o.errors.csv").exists()


def test_bank_link_columns_in_the_scored_csv(german_dir, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("bank_account_verified,checking_balance,loan_amount,term_months\n"
                      "false,,3000,24\ntrue,80,3000,24\n")
    out = tmp_path / "out.csv"
    assert main(["predict", "--model", str(german_dir), "--input", str(source), "--output", str(out)]) == 0
    unlinked, linked = read_rows(out)
    assert int(unlinked["bank_link_pd_bps"]) < int(unlinked["pd_bps"]) and unlinked["bank_link_grade"] in GRADES
    assert linked["bank_link_pd_bps"] == "" and linked["bank_link_grade"] == ""


def test_drift_command_flags_a_shifted_sample(german_dir, tmp_path, capsys):
    from scoring.adapters import german

    signals = german.load().signals
    same = tmp_path / "same.csv"
    signals[["loan_amount", "term_months", "checking_balance"]].to_csv(same, index=False)
    assert main(["drift", "--model", str(german_dir), "--data", str(same)]) == 0
    shifted = tmp_path / "shifted.csv"
    signals.assign(loan_amount=signals["loan_amount"] * 3)[["loan_amount", "term_months"]].to_csv(shifted,
                                                                                                   index=False)
    assert main(["drift", "--model", str(german_dir), "--data", str(shifted)]) == 1
    captured = capsys.readouterr()
    assert "PSI above 0.25 for loan_amount" in captured.err
    assert main(["drift", "--model", str(german_dir), "--data", str(shifted), "--threshold", "50"]) == 0
