"""SQLAlchemy 2 models. Every schema change is an Alembic revision in `migrations/versions/`.

Wallet addresses are stored EIP-55 checksummed (42 chars). Times are UTC datetimes, except
chain times (attestation issued/expires), which are unix seconds as on chain. uint256 values
(nonces) are decimal strings. Money in signals is USD as float (model features, never ledger
amounts); ledger amounts arrive with the indexer as base-unit strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from backend.db.types import UTCDateTime, utcnow

ADDRESS = String(42)


class Base(DeclarativeBase):
    pass


# -- sign-in -------------------------------------------------------------------------------------

class SiweNonce(Base):
    """A sign-in nonce: issued by POST /auth/nonce, consumed by the one login that uses it."""

    __tablename__ = "siwe_nonces"
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by: Mapped[str | None] = mapped_column(ADDRESS)


class AuthSession(Base):
    """A signed-in wallet's bearer token (only its sha256 is stored)."""

    __tablename__ = "auth_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    wallet: Mapped[str] = mapped_column(ADDRESS, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# -- profile and verified facts ------------------------------------------------------------------

class Profile(Base):
    """What a wallet says about itself. Nothing here is scored until a provider verifies it."""

    __tablename__ = "profiles"
    wallet: Mapped[str] = mapped_column(ADDRESS, primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VerifiedFact(Base):
    """One scoring signal established by a verification provider: the only input to scoring."""

    __tablename__ = "verified_facts"
    wallet: Mapped[str] = mapped_column(ADDRESS, primary_key=True)
    signal: Mapped[str] = mapped_column(String(64), primary_key=True)  # a scoring.schema column
    value: Mapped[Any] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(64))  # provider name, e.g. "email:console"
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Challenge(Base):
    """A one-time code sent to an email address or phone number (only its hash is stored)."""

    __tablename__ = "challenges"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wallet: Mapped[str] = mapped_column(ADDRESS, index=True)
    channel: Mapped[str] = mapped_column(String(16))  # email | phone
    target: Mapped[str] = mapped_column(String(254))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed: Mapped[bool] = mapped_column(default=False)  # verified, superseded or out of attempts


class OAuthState(Base):
    """The `state` of one OAuth authorization-code flow, bound to the wallet that started it."""

    __tablename__ = "oauth_states"
    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    wallet: Mapped[str] = mapped_column(ADDRESS)
    provider: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SocialAccount(Base):
    """A social account linked by OAuth; one account links to one wallet only."""

    __tablename__ = "social_accounts"
    __table_args__ = (UniqueConstraint("provider", "account_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wallet: Mapped[str] = mapped_column(ADDRESS, index=True)
    provider: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[str] = mapped_column(String(128))
    account_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Document(Base):
    """An uploaded income or identity document, reviewed by an operator."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wallet: Mapped[str] = mapped_column(ADDRESS, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # income | identity
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | rejected
    monthly_income_usd: Mapped[float | None] = mapped_column(Float)  # set on an approved income document
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(ADDRESS)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)


class BankLink(Base):
    """A bank account linked through the open-banking provider, with the cash-flow figures it gave."""

    __tablename__ = "bank_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wallet: Mapped[str] = mapped_column(ADDRESS, index=True)
    provider: Mapped[str] = mapped_column(String(32))
    account_ref: Mapped[str] = mapped_column(String(128))
    checking_balance: Mapped[float] = mapped_column(Float)  # 90-day average, USD, may be negative
    savings_balance: Mapped[float | None] = mapped_column(Float)  # USD >= 0; None when no savings account
    overdrafts_12m: Mapped[int] = mapped_column(Integer)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Base):
    """Every verification decision, sign-in and score: who, about whom, what, and the outcome."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str | None] = mapped_column(ADDRESS)
    subject: Mapped[str | None] = mapped_column(ADDRESS, index=True)
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


# -- scores and attestations ---------------------------------------------------------------------

class ScoreRecord(Base):
    """A score issued: the signal snapshot it was computed from and the model that computed it."""

    __tablename__ = "scores"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wallet: Mapped[str] = mapped_column(ADDRESS, index=True)
    model_id: Mapped[str] = mapped_column(String(64))
    pd: Mapped[float] = mapped_column(Float)
    pd_bps: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(4))
    grade_code: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    signals: Mapped[dict] = mapped_column(JSON)  # schema column -> value (missing signals absent)
    reasons: Mapped[list] = mapped_column(JSON)
    next_verification: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Attestation(Base):
    """A signed EIP-712 score attestation (backend/attest.py) handed to the borrower."""

    __tablename__ = "attestations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("scores.id"))
    wallet: Mapped[str] = mapped_column(ADDRESS, index=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    registry_address: Mapped[str] = mapped_column(ADDRESS)
    nonce: Mapped[str] = mapped_column(String(78))  # uint256, decimal
    issued_at: Mapped[int] = mapped_column(BigInteger)  # chain time, unix seconds
    expires_at: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str] = mapped_column(String(132))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# -- chain data (filled by the indexer) ----------------------------------------------------------

class IndexerCheckpoint(Base):
    """The last block an indexer stream has fully processed (the indexer's restart point)."""

    __tablename__ = "indexer_checkpoints"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str | None] = mapped_column(String(66))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LoanOutcome(Base):
    """A resolved loan (repaid or defaulted) and the score its listing used; the indexer writes one
    row when a loan resolves. `flask scoring export-outcomes` reads these for retraining."""

    __tablename__ = "loan_outcomes"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    loan_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    borrower: Mapped[str] = mapped_column(ADDRESS, index=True)
    score_id: Mapped[int | None] = mapped_column(ForeignKey("scores.id"))
    outcome: Mapped[str] = mapped_column(String(16))  # repaid | defaulted
    loan_amount_usd: Mapped[float | None] = mapped_column(Float)
    term_months: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
