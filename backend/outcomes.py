"""Resolved loans for retraining: `loan_outcomes` (written by the indexer when a loan is repaid or
defaults) joined with the score its borrower had, in the scoring `platform` adapter's format
(scoring/adapters/platform.py: schema signal columns plus `defaulted`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db.models import LoanOutcome, ScoreRecord

OUTCOMES = {"repaid": False, "defaulted": True}


def resolved_loan_rows(db_session: Session) -> Iterator[dict[str, Any]]:
    """One mapping per resolved loan: the signals it was scored with, the loan's own terms, `defaulted`."""
    from scoring.schema import COLUMNS

    query = (select(LoanOutcome, ScoreRecord).outerjoin(ScoreRecord, LoanOutcome.score_id == ScoreRecord.id)
             .where(LoanOutcome.outcome.in_(OUTCOMES)).order_by(LoanOutcome.chain_id, LoanOutcome.loan_id))
    for outcome, scored in db_session.execute(query):
        row = {name: value for name, value in (scored.signals if scored else {}).items() if name in COLUMNS}
        for name, value in (("loan_amount", outcome.loan_amount_usd), ("term_months", outcome.term_months),
                            ("purpose", outcome.purpose)):
            if value is not None:
                row[name] = value
        row["defaulted"] = OUTCOMES[outcome.outcome]
        yield row


def export_csv(db_session: Session, path: str | Path) -> int:
    """Write the resolved loans as a platform CSV (validated by the adapter first); returns the row count."""
    import pandas as pd

    from scoring.adapters import platform
    from scoring.schema import COLUMNS

    rows = list(resolved_loan_rows(db_session))
    platform.from_rows(rows) if rows else None  # refuses anything the adapter would refuse on reading
    frame = pd.DataFrame(rows, columns=[*COLUMNS, platform.OUTCOME_COLUMN])
    for flag in frame.columns:
        if frame[flag].map(lambda v: isinstance(v, bool)).any():
            frame[flag] = frame[flag].map(lambda v: "" if v is None or v != v else str(bool(v)).lower())
    frame.to_csv(path, index=False, na_rep="")
    return len(rows)
