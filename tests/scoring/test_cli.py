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
