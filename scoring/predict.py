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
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scoring import artifact
from scoring.csvio import read_signals, write_table
from scoring.explain import REASONS_IN_CSV
from scoring.serving import ScoreResult, Scorer

OUTPUT_COLUMNS = ("pd", "pd_bps", "grade", "score", "reasons", "next_verification", "next_verification_grade",
                  "bank_link_pd_bps", "bank_link_grade")


@dataclass(frozen=True)
class PredictSummary:
    rows: int
    model_id: str
    grades: dict[str, int]


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


def predict_file(model_dir: str | Path, input_path: str | Path, output_path: str | Path) -> PredictSummary:
    text, signals = read_signals(input_path)  # raises SignalError naming row and column
    scorer = Scorer(artifact.load(model_dir))
    results = scorer.score_frame(signals)
    write_table(scored_table(text, results), output_path)
    grades: dict[str, int] = {}
    for result in results:
        grades[result.grade] = grades.get(result.grade, 0) + 1
    return PredictSummary(len(results), scorer.model_id, grades)
