"""Scores and attestations for the signed-in wallet (service: backend/scores.py)."""

from flask import g
from flask_smorest import Blueprint

from backend import auth, scores
from backend.api.lean import lean
from backend.api.schemas import AttestationOut, LoanArgs, LoanQueryArgs, ScoreOut
from backend.db import session

blp = Blueprint("scores", __name__, description="Credit scores and signed attestations")
BEARER = [{"bearer": []}]


def _score_view(row, warnings) -> dict:
    return {"id": row.id, "wallet": row.wallet, "model_id": row.model_id, "pd": row.pd, "pd_bps": row.pd_bps,
            "grade": row.grade, "grade_code": row.grade_code, "score": row.score, "reasons": row.reasons,
            "next_verification": row.next_verification, "signals": row.signals, "warnings": warnings,
            "created_at": row.created_at}


@blp.route("/me/score", methods=["GET"])
@auth.signed_in
@blp.arguments(LoanQueryArgs(), location="query")  # an instance: not a new schema per request
@blp.response(200, ScoreOut)
@blp.doc(security=BEARER)
def my_score(loan):
    """Score the wallet's verified facts and on-chain history (optionally for a loan amount, term and
    purpose); the score and its signal snapshot are stored. When the latest stored score has the same
    snapshot and model and is younger than SCORE_REUSE_SECONDS, that score is returned (same id and
    created_at) and nothing is written."""
    row, warnings = scores.score(g.wallet, loan)
    session().commit()
    view = _score_view(row, warnings)
    created = view["created_at"]
    return lean(ScoreOut, dict(view, created_at=created and created.isoformat()), view)  # DateTime's dump


@blp.route("/me/attestation", methods=["POST"])
@auth.signed_in
@blp.arguments(LoanArgs, required=False)
@blp.response(201, AttestationOut)
@blp.doc(security=BEARER)
def my_attestation(loan):
    """Score now and sign an EIP-712 ScoreAttestation for ScoreRegistry (nonce and time from the chain)."""
    row, stored, signed = scores.attest_score(g.wallet, loan or {})
    a = signed["attestation"]
    return {"score": _score_view(row, []), "signature": stored.signature, "chain_id": stored.chain_id,
            "registry": stored.registry_address, "typed_data": signed["typed_data"],
            "attestation": {"borrower": a.borrower, "grade": a.grade, "pdBps": a.pd_bps, "issuedAt": a.issued_at,
                            "expiresAt": a.expires_at, "nonce": str(a.nonce), "modelId": a.model_id}}
