"""The seeded demo's borrower profiles into a fresh database (`flask demo import FILE`, run by
`make run` after scripts/seed_demo.py): each borrower's verified facts, and the score each listed
with, re-issued by the backend's own scorer from the same signals and model (so the grade and PD
are the ones signed on chain, and loan pages show the reasons behind them).

FILE is the seed's .toolchain/demo-accounts.json; its `profiles` map an address to the signals the
borrower was scored with (scoring.schema names). Loan terms and on-chain history are scored, not
verified facts, so they are not stored as facts.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from backend.db.models import VerifiedFact
from backend.model import get_scorer
from backend.scores import LOAN_FIELDS, score_row

HISTORY_PREFIX = "prior_"  # on-chain repayment history: read from ScoreRegistry, never a verified fact


def import_profiles(db: Session, path: Path) -> int:
    """Store every demo borrower's facts and listing score; returns how many borrowers."""
    from scoring.schema import SignalRecord

    profiles = json.loads(Path(path).read_text())["profiles"]
    scorer = get_scorer()
    for wallet, signals in profiles.items():
        for name, value in signals.items():
            if name not in LOAN_FIELDS and not name.startswith(HISTORY_PREFIX):
                db.merge(VerifiedFact(wallet=wallet, signal=name, value=value, source="demo"))
        db.add(score_row(wallet, signals, scorer.score_record(SignalRecord.from_mapping(signals))))
    db.commit()
    return len(profiles)
