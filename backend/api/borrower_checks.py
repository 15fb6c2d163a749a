"""What a lender may know about a listing's borrower: which checks the platform verified (never the
documents or amounts behind them) and the reasons of the score the loan was listed with.

The score is the latest one stored for the borrower whose grade and PD are the loan's own: the
attestation the borrower submitted on chain was signed from it. A loan listed with a score issued
elsewhere has no stored reasons (an empty list), and says so.
"""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from backend.db import session
from backend.db.models import Loan, ScoreRecord, VerifiedFact
from backend.errors import NotFound
from backend.loans import MAX_ID, chain_id

blp = Blueprint("borrower_checks", __name__, description="A listing's borrower: verified checks and score reasons")
CHECKS = ("identity_verified", "phone_verified", "email_verified", "income_verified", "bank_account_verified")


class CheckOut(Schema):
    signal = fields.String(metadata={"description": "a scoring signal, e.g. identity_verified"})
    verified = fields.Boolean()


class ReasonOut(Schema):
    signal = fields.String()
    state = fields.String(metadata={"description": "missing, no, low, high, or a category value"})
    pd_bps = fields.Integer(metadata={"description": "how much this raises the PD over its reference, bps"})


class BorrowerChecksOut(Schema):
    loan_id = fields.Integer()
    borrower = fields.String()
    checks = fields.List(fields.Nested(CheckOut))
    social_accounts = fields.Integer(allow_none=True, metadata={"description": "linked social accounts"})
    score = fields.Integer(allow_none=True, metadata={"description": "the listing's score (0-100), if stored here"})
    reasons = fields.List(fields.Nested(ReasonOut))
    scored_at = fields.DateTime(allow_none=True)


@blp.route("/loans/<int:loan_id>/borrower", methods=["GET"])
@blp.response(200, BorrowerChecksOut)
def borrower_checks(loan_id):
    """The borrower's verified checks (yes/no only) and the reasons behind the loan's grade."""
    db = session()
    loan = db.get(Loan, (chain_id(), loan_id)) if loan_id <= MAX_ID else None
    if loan is None:
        raise NotFound(f"no loan {loan_id}", code="unknown_loan")
    facts = {row.signal: row.value for row in db.scalars(select(VerifiedFact).where(
        VerifiedFact.wallet == loan.borrower, VerifiedFact.signal.in_((*CHECKS, "social_accounts"))))}
    score = db.scalars(select(ScoreRecord).where(
        ScoreRecord.wallet == loan.borrower, ScoreRecord.grade_code == loan.grade, ScoreRecord.pd_bps == loan.pd_bps)
        .order_by(ScoreRecord.id.desc()).limit(1)).first()
    return {"loan_id": loan_id, "borrower": loan.borrower,
            "checks": [{"signal": name, "verified": facts.get(name) is True} for name in CHECKS],
            "social_accounts": facts.get("social_accounts"),
            "score": score.score if score else None, "reasons": score.reasons if score else [],
            "scored_at": score.created_at if score else None}
