"""Sign-In with Ethereum (EIP-4361, PyPI `siwe`) and bearer-token sessions.

Flow: POST /auth/nonce stores a random single-use nonce with an expiry; the wallet signs an
EIP-4361 message naming our domain (SIWE_DOMAIN), the deployment map's chain id and that nonce;
POST /auth/login checks domain, chain, nonce (unknown, expired, already used) and signature,
consumes the nonce atomically (a replay finds it used) and returns a bearer token whose sha256
is stored in `auth_sessions`. Operators are the addresses listed in OPERATOR_ADDRESSES.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, timedelta, timezone

import siwe
from flask import current_app, g, request
from sqlalchemy import bindparam, select, update

from backend import audit
from backend.chain import expected_chain_id
from backend.db import session
from backend.db.models import AuthSession, SiweNonce
from backend.db.types import utcnow
from backend.errors import BadRequest, Conflict, Forbidden, Unauthorized

MAX_MESSAGE_CHARS = 4096


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_nonce() -> SiweNonce:
    ttl = timedelta(seconds=current_app.config["SIWE_NONCE_TTL_SECONDS"])
    now = utcnow()
    nonce = SiweNonce(nonce=siwe.generate_nonce(), created_at=now, expires_at=now + ttl)
    db = session()
    db.add(nonce)
    db.commit()
    return nonce


def parse_message(text: str) -> siwe.SiweMessage:
    if len(text) > MAX_MESSAGE_CHARS:
        raise BadRequest(f"SIWE message longer than {MAX_MESSAGE_CHARS} characters", code="malformed_siwe_message")
    try:
        return siwe.SiweMessage.from_message(text)
    except Exception as error:  # the ABNF parser and pydantic raise several types
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
        raise BadRequest(f"not an EIP-4361 message: {reason}", code="malformed_siwe_message") from None


def login(message_text: str, signature: str) -> tuple[str, AuthSession]:
    """Verify a signed SIWE message; returns (bearer token, session row). Raises 4xx ApiErrors."""
    config = current_app.config
    message = parse_message(message_text)
    if message.domain != config["SIWE_DOMAIN"]:
        raise Unauthorized(f"message is for domain {message.domain!r}, this service is {config['SIWE_DOMAIN']!r}",
                           code="wrong_domain")
    chain_id = expected_chain_id()
    if int(message.chain_id) != chain_id:
        raise Unauthorized(f"message is for chain {message.chain_id}, this service is on chain {chain_id}",
                           code="wrong_chain")
    db = session()
    now = utcnow()
    stored = db.get(SiweNonce, message.nonce)
    if stored is None:
        raise Unauthorized("unknown nonce: request one from POST /auth/nonce", code="unknown_nonce")
    if stored.used_at is not None:
        raise Conflict("this nonce was already used: sign a new message", code="nonce_used")
    if stored.expires_at <= now:
        raise Unauthorized("the nonce has expired: request a new one", code="nonce_expired")
    try:
        message.verify(signature, domain=config["SIWE_DOMAIN"], nonce=stored.nonce, timestamp=now)
    except siwe.ExpiredMessage:
        raise Unauthorized("the signed message has expired", code="message_expired") from None
    except siwe.NotYetValidMessage:
        raise Unauthorized("the signed message is not valid yet", code="message_not_yet_valid") from None
    except siwe.VerificationError:
        raise Unauthorized("the signature does not match the message's address", code="bad_signature") from None
    except Exception:
        raise Unauthorized("the signature is not a valid Ethereum signature", code="bad_signature") from None
    consumed = db.execute(update(SiweNonce).where(SiweNonce.nonce == stored.nonce, SiweNonce.used_at.is_(None))
                          .values(used_at=now, used_by=message.address))
    if consumed.rowcount != 1:
        db.rollback()
        raise Conflict("this nonce was already used: sign a new message", code="nonce_used")
    token = secrets.token_urlsafe(32)
    row = AuthSession(token_hash=_hash(token), wallet=message.address, created_at=now,
                      expires_at=now + timedelta(seconds=config["SESSION_TTL_SECONDS"]))
    db.add(row)
    audit.record(db, "auth.login", "ok", actor=message.address, subject=message.address)
    db.commit()
    return token, row


def logout(token_hash: str) -> None:
    db = session()
    db.execute(update(AuthSession).where(AuthSession.token_hash == token_hash).values(revoked_at=utcnow()))
    db.commit()


def is_operator(wallet: str) -> bool:
    return wallet.lower() in current_app.config["OPERATOR_ADDRESSES"]


# every signed-in request runs this: one prebuilt Core statement on the request's connection
# (no ORM object), a fraction of an ORM query's cost
_SESSION_BY_HASH = select(AuthSession.wallet, AuthSession.token_hash, AuthSession.revoked_at,
                          AuthSession.expires_at).where(AuthSession.token_hash == bindparam("token_hash"))


def current_session():
    """The request's session row (wallet, token_hash, revoked_at, expires_at), or 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("sign in first: send 'Authorization: Bearer <token>' from POST /auth/login",
                           code="not_signed_in")
    row = session().connection().execute(_SESSION_BY_HASH, {"token_hash": _hash(token.strip())}).first()
    if row is None or row.revoked_at is not None:
        raise Unauthorized("unknown or signed-out session token", code="bad_session")
    if row.expires_at <= datetime.now(timezone.utc):
        raise Unauthorized("the session has expired: sign in again", code="session_expired")
    return row


def signed_in(view):
    """The view runs with `g.wallet` set to the signed-in wallet (checksummed)."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        row = current_session()
        g.wallet, g.session_hash = row.wallet, row.token_hash
        return view(*args, **kwargs)
    return wrapper


def operator_only(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        row = current_session()
        if not is_operator(row.wallet):
            raise Forbidden("operators only (OPERATOR_ADDRESSES)", code="not_operator")
        g.wallet, g.session_hash = row.wallet, row.token_hash
        return view(*args, **kwargs)
    return wrapper
