"""Scores and attestations (flow 2 of DESIGN.md).

`signals_for(wallet)` assembles what scoring may see: verified facts (verified_facts table; a
verification not done is `false`, a figure not known stays missing) plus the on-chain repayment
history from ScoreRegistry.historyOf. `score(wallet)` stores every score issued with that snapshot
and the model id; `attest(wallet)` signs an EIP-712 attestation with backend/attest.py, its
issued-at taken from the latest block (the chain clock may run ahead of the wall clock) and its
nonce from ScoreRegistry.nonces.

A score is a deterministic function of its signal snapshot and the model, so `score()` may return
the wallet's latest stored score instead of issuing an identical one: only when that score's
snapshot equals the one just assembled (the facts and chain history are read on every request,
so any change of them, or of the loan terms asked about, issues a new score), its model is the
loaded one and it is younger than SCORE_REUSE_SECONDS. Nothing is written then (no score row, no
audit row: no score was issued). Attestations never reuse: they are signed over a fresh score.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select

from backend import attest, audit
from backend.chain import ChainUnavailable, get_chain
from backend.db import session
from backend.db.models import Attestation, ScoreRecord
from backend.errors import Unavailable, Unprocessable
from backend.model import get_scorer
from backend.verification.service import facts

# Verifications the platform runs: not having done one is a known `false`, not a missing value.
PLATFORM_FLAGS = ("identity_verified", "phone_verified", "email_verified", "income_verified",
                  "bank_account_verified")
# What each verification hint asks the borrower to do.
HOW_TO_VERIFY = {
    "identity_verified": "upload an identity document: POST /me/documents (kind=identity)",
    "income_verified": "upload an income document: POST /me/documents (kind=income)",
    "email_verified": "verify an email address: POST /me/verifications/email/start",
    "phone_verified": "verify a phone number: POST /me/verifications/phone/start",
    "bank_account_verified": "link a bank account: POST /me/bank-link",
}
LOAN_FIELDS = ("loan_amount", "term_months", "purpose")


def signals_for(wallet: str, loan: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[str]]:
    """(signals, warnings): schema column -> value for every known signal; warnings say what is missing and why."""
    from scoring.schema import COLUMNS

    signals: dict[str, Any] = {flag: False for flag in PLATFORM_FLAGS if flag in COLUMNS}
    signals.update({name: value for name, value in facts(wallet).items() if name in COLUMNS})
    warnings = []
    try:
        signals.update({k: v for k, v in get_chain().score_history(wallet).items() if k in COLUMNS})
    except ChainUnavailable as error:
        warnings.append(f"on-chain repayment history unknown (treated as missing): {error.message}")
    signals.update({k: v for k, v in (loan or {}).items() if v is not None and k in LOAN_FIELDS})
    return signals, warnings


def _plainly_valid(record) -> bool:
    """True when every value of the record is already in canonical form and in range (a bool flag,
    a finite in-range number, a whole count, a listed category), so scoring.validation would accept
    it unchanged. Only a shortcut: anything else goes through the full validation (pandas, ~10 ms),
    which decides and words the error."""
    from scoring.schema import SPECS, Kind

    for name, value in record.to_dict().items():
        if value is None:
            continue
        spec = SPECS.get(name)
        if spec is None:
            return False
        if spec.kind is Kind.FLAG:
            if not isinstance(value, bool):
                return False
        elif spec.kind is Kind.CATEGORY:
            if not isinstance(value, str) or value not in spec.categories:
                return False
        else:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return False
            number = float(value)
            if not (math.isfinite(number) and spec.low <= number <= spec.high):
                return False
            if spec.kind is Kind.COUNT and not number.is_integer():
                return False
    return True


def _record_of(signals: dict[str, Any]):
    from scoring.schema import SignalRecord
    from scoring.validation import SignalError, records_to_frame, validate_frame

    record = SignalRecord.from_mapping(signals)
    if _plainly_valid(record):
        return record
    try:
        validate_frame(records_to_frame([record]))
    except SignalError as error:
        raise Unprocessable(f"signals out of range: {error}", code="invalid_signals") from None
    return record


def score_row(wallet: str, signals: dict[str, Any], result) -> ScoreRecord:
    """The stored form of a scoring.serving result for `wallet`, with the signal snapshot it came from."""
    hint = result.next_verification
    return ScoreRecord(
        wallet=wallet, model_id=result.model_id, pd=_finite(result.pd), pd_bps=result.pd_bps, grade=result.grade,
        grade_code=result.grade_code, score=result.score, signals=signals,
        reasons=[{"signal": r.signal, "state": r.state, "pd_bps": r.pd_bps, "code": r.code()} for r in result.reasons],
        next_verification=None if hint is None else {
            "signal": hint.signal, "pd_bps": hint.pd_bps, "grade": hint.grade, "how": HOW_TO_VERIFY.get(hint.signal)})


def _canonical(signals: dict[str, Any]) -> str:
    """A snapshot's JSON text, keys sorted: equal texts score equally (True and 1, 5000 and 5000.0 differ)."""
    return json.dumps(signals, sort_keys=True, separators=(",", ":"))


# the wallet's latest score, every column (a Row: read like a ScoreRecord), by the index on wallet
_LATEST_SCORE = (select(*ScoreRecord.__table__.c).where(ScoreRecord.wallet == bindparam("wallet"))
                 .order_by(ScoreRecord.id.desc()).limit(1))


def reusable_score(wallet: str, signals: dict[str, Any], model_id: str):
    """The wallet's latest stored score when it was computed from this very snapshot by this model
    less than SCORE_REUSE_SECONDS ago (see the module docstring), else None."""
    window = int(current_app.config.get("SCORE_REUSE_SECONDS") or 0)
    if window <= 0:
        return None
    latest = session().connection().execute(_LATEST_SCORE, {"wallet": wallet}).first()
    if latest is None or latest.model_id != model_id or latest.created_at is None:
        return None
    if datetime.now(timezone.utc) - latest.created_at >= timedelta(seconds=window):  # UTCDateTime: aware
        return None
    return latest if _canonical(latest.signals or {}) == _canonical(signals) else None


def score(wallet: str, loan: dict[str, Any] | None = None, *, reuse: bool = True) -> tuple[ScoreRecord, list[str]]:
    """(score, warnings): the latest stored score when `reuse` and it is reusable, else a new score,
    stored with its snapshot and audited (the caller commits)."""
    scorer = get_scorer()
    signals, warnings = signals_for(wallet, loan)
    if reuse:
        latest = reusable_score(wallet, signals, scorer.model_id)
        if latest is not None:
            return latest, warnings
    row = score_row(wallet, signals, scorer.score_record(_record_of(signals)))
    db = session()
    db.add(row)
    db.flush()
    audit.record(db, "score.issue", "ok", actor=wallet, subject=wallet, score=row.id, model_id=row.model_id)
    return row, warnings


def attest_score(wallet: str, loan: dict[str, Any] | None = None) -> tuple[ScoreRecord, Attestation, dict]:
    config = current_app.config
    key = config["SCORE_SIGNER_KEY"]
    if not key:
        raise Unavailable("SCORE_SIGNER_KEY is not set: attestations cannot be signed", code="signer_unavailable")
    chain = get_chain()  # raises 503 when there is no map or RPC
    registry = chain.address_of("ScoreRegistry")
    nonce = chain.score_nonce(wallet)
    head = chain.head()
    row, _warnings = score(wallet, loan, reuse=False)  # signed over a fresh score
    lifetime = min(int(config["ATTESTATION_LIFETIME_SECONDS"]), attest.MAX_LIFETIME_SECONDS)
    try:
        attestation = attest.issue_attestation(wallet, row.pd_bps, row.model_id, nonce, head.timestamp, lifetime)
        signature = attest.sign_attestation(attestation, key, chain.chain_id, registry)
    except (attest.AttestationError, ValueError) as error:
        raise Unavailable(f"cannot sign the attestation: {error}", code="signer_unavailable") from None
    stored = Attestation(score_id=row.id, wallet=wallet, chain_id=chain.chain_id, registry_address=registry,
                         nonce=str(nonce), issued_at=attestation.issued_at, expires_at=attestation.expires_at,
                         signature="0x" + signature.hex())
    db = session()
    db.add(stored)
    db.flush()
    audit.record(db, "attestation.issue", "ok", actor=wallet, subject=wallet, score=row.id, attestation=stored.id)
    db.commit()
    document = attest.typed_data(attestation, chain.chain_id, registry)
    document["message"]["modelId"] = attestation.model_id
    return row, stored, {"attestation": attestation, "typed_data": document}


def _finite(value: float) -> float:
    return float(value) if math.isfinite(value) else 1.0
