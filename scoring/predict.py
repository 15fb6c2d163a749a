"""Score a CSV file of signals with a model directory and write the scored CSV.

Output = the input columns exactly as read, plus:
    pd                       calibrated probability of default (6 decimals)
    pd_bps                   PD in basis points, rounded up (what an attestation carries)
    grade, score             see scoring.grades
    reasons                  up to 4 reason codes, largest first, "signal:state:+Nbps" joined by ";"
    next_verification        the verification that would lower the PD most (empty if none would)
    next_verification_grade  the grade after completing it
    bank_link_pd_bps         for a borrower without a bank link: the PD (bps) with a typical
    bank_link_grade          linked account, and its grade (empty if linked or the model has no bank link)

By default one bad row rejects the whole file (nothing is written: a partial file is easily
mistaken for a complete one). With `skip_invalid` the valid rows are scored and written, and
every rejected row's problems go to an errors CSV (`row`, `column`, `message`; rows are data
rows counted from 1, `column` is empty for a row with the wrong number of fields); the caller
must treat `PredictSummary.skipped > 0` as a failure to look at. Problems with the file as a
whole (empty, header only, unknown column) are never skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scoring import artifact
from scoring.csvio import read_signals, read_valid_signals, write_table
from scoring.explain import REASONS_IN_CSV
from scoring.serving import ScoreResult, Scorer
from scoring.validation import Issue

OUTPUT_COLUMNS = ("pd", "pd_bps", "grade", "score", "reasons", "next_verification", "next_verification_grade",
                  "bank_link_pd_bps", "bank_link_grade")


ERROR_COLUMNS = ("row", "column", "message")


@dataclass(frozen=True)
class PredictSummary:
    rows: int  # rows scored and written
    model_id: str
    grades: dict[str, int]
    skipped: int = 0  # rows rejected (skip_invalid only)


def scored_table(text: pd.DataFrame, results: list[ScoreResult]) -> pd.DataFrame:
    """The input table with the output columns appended (pure: no I/O)."""
    out = text.copy()
    reserved = [column for column in OUTPUT_COLUMNS if column in out.columns]
    if reserved:  # cannot happen after validation (not schema columns), kept as a guard
        raise ValueError(f"input already has output columns {reserved}")
    out["pd"] = [f"{r.pd:.6f}" for r in results]
    out["pd_bps"] = [r.pd_bps for r in results]
    out["grade"] = [r.grade for r in results]
    out["score"] = [r.score for r in results]
    out["reasons"] = [";".join(reason.code() for reason in r.reasons[:REASONS_IN_CSV]) for r in results]
    out["next_verification"] = [r.next_verification.signal if r.next_verification else "" for r in results]
    out["next_verification_grade"] = [r.next_verification.grade if r.next_verification else "" for r in results]
    out["bank_link_pd_bps"] = [r.bank_link.pd_bps if r.bank_link else "" for r in results]
    out["bank_link_grade"] = [r.bank_link.grade if r.bank_link else "" for r in results]
    return out


def errors_table(issues: list[Issue]) -> pd.DataFrame:
    """One line per problem of a rejected row (pure)."""
    return pd.DataFrame([(issue.row, issue.column or "", issue.problem) for issue in issues],
                        columns=list(ERROR_COLUMNS))


def default_errors_path(output_path: str | Path) -> Path:
    output_path = Path(output_path)
    return output_path.with_name(output_path.stem + ".errors.csv")


def predict_file(model_dir: str | Path, input_path: str | Path, output_path: str | Path,
                 skip_invalid: bool = False, errors_path: str | Path | None = None) -> PredictSummary:
    scorer = Scorer(artifact.load(model_dir))
    if skip_invalid:
        text, signals, issues = read_valid_signals(input_path)
    else:
        (text, signals), issues = read_signals(input_path), []  # raises SignalError naming row and column
    results = scorer.score_frame(signals) if len(signals) else []
    write_table(scored_table(text, results), output_path)
    if skip_invalid:
        write_table(errors_table(issues), errors_path or default_errors_path(output_path))
    grades: dict[str, int] = {}
    for result in results:
        grades[result.grade] = grades.get(result.grade, 0) + 1
    return PredictSummary(len(results), scorer.model_id, grades, len({issue.row for issue in issues}))
