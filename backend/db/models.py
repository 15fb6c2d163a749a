"""SQLAlchemy 2 models. Every schema change is an Alembic revision in `migrations/versions/`.

Wallet addresses are stored EIP-55 checksummed (42 chars). Times are UTC datetimes, except
chain times (attestation issued/expires), which are unix seconds as on chain. uint256 values
(nonces) are decimal strings. Money in signals is USD as float (model features, never ledger
amounts); ledger amounts arrive with the indexer as base-unit strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from backend.db.types import UTCDateTime, utcnow

ADDRESS = String(42)
AMOUNT = String(78)  # uint256 base units, zero-padded to 78 digits (see Loan)


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
    # The chain's identity (hash of the deployment map's startBlock) and the hashes of the last
    # blocks processed, [[number, hash], ...] oldest first: how the indexer finds a reorg's fork point.
    start_block: Mapped[int | None] = mapped_column(BigInteger)
    start_hash: Mapped[str | None] = mapped_column(String(66))
    block_timestamp: Mapped[int | None] = mapped_column(BigInteger)
    recent_hashes: Mapped[list | None] = mapped_column(JSON)


class LoanOutcome(Base):
    """A resolved loan (repaid or defaulted) and the score its listing used; the indexer writes one
    row when a loan resolves. `flask scoring export-outcomes` reads these for retraining."""

    __tablename__ = "loan_outcomes"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    loan_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    borrower: Mapped[str] = mapped_column(ADDRESS, index=True)
    score_id: Mapped[int | None] = mapped_column(ForeignKey("scores.id"))
    outcome: Mapped[str] = mapped_column(String(16))  # repaid | defaulted | closed (liquidated while active)
    loan_amount_usd: Mapped[float | None] = mapped_column(Float)
    term_months: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChainEvent(Base):
    """One log of an indexed contract, keyed by (block hash, log index). `event`/`args` are its
    decoding by the deployment map's ABI (integers as decimal strings, addresses checksummed);
    a log no ABI decodes is kept with `event` NULL and its raw topics and data."""

    __tablename__ = "chain_events"
    __table_args__ = (UniqueConstraint("block_hash", "log_index"),
                      Index("ix_chain_events_position", "chain_id", "block_number", "log_index"),
                      Index("ix_chain_events_loan", "chain_id", "loan_id", "block_number", "log_index"))
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str] = mapped_column(String(66))
    block_timestamp: Mapped[int | None] = mapped_column(BigInteger)
    log_index: Mapped[int] = mapped_column(Integer)
    tx_hash: Mapped[str] = mapped_column(String(66))
    address: Mapped[str] = mapped_column(ADDRESS, index=True)
    contract: Mapped[str | None] = mapped_column(String(64))  # deployment map name
    event: Mapped[str | None] = mapped_column(String(64), index=True)  # NULL: undecodable, kept raw
    loan_id: Mapped[int | None] = mapped_column(BigInteger)
    args: Mapped[dict | None] = mapped_column(JSON)
    topics: Mapped[list] = mapped_column(JSON)
    data: Mapped[str] = mapped_column(Text)


class Token(Base):
    """An ERC-20 the indexed loans use (symbol and decimals read once from the token)."""

    __tablename__ = "tokens"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    address: Mapped[str] = mapped_column(ADDRESS, primary_key=True)
    symbol: Mapped[str] = mapped_column(String(32))
    decimals: Mapped[int] = mapped_column(Integer)


class Loan(Base):
    """A loan as projected from its events (rebuilt from chain_events whenever one of them changes).

    Amounts are base units stored as 78-digit zero-padded decimal strings (`AMOUNT`), so they sort
    and compare exactly on every database; `backend.loans.amount()` turns them back into integers.
    `state` is backend.loan_model.LoanState's repayment fields; `late_at`/`default_eligible_at`
    are the chain times after which the loan is late / may be marked defaulted (states with no event).
    """

    __tablename__ = "loans"
    # listing indexes end in the sort's tie-break (loan_id): pages read in index order (migration 0005)
    __table_args__ = (Index("ix_loans_grade_apr", "chain_id", "grade", "apr_bps", "loan_id"),
                      Index("ix_loans_status", "chain_id", "status", "listed_block", "loan_id"),
                      Index("ix_loans_newest", "chain_id", "listed_block", "loan_id"),
                      Index("ix_loans_apr", "chain_id", "apr_bps", "loan_id"),
                      Index("ix_loans_borrower", "chain_id", "borrower"))
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    loan_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    borrower: Mapped[str] = mapped_column(ADDRESS)
    token: Mapped[str] = mapped_column(ADDRESS)
    status: Mapped[str] = mapped_column(String(16))  # listed active repaid defaulted cancelled expired closed
    grade: Mapped[int] = mapped_column(Integer)
    pd_bps: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[int] = mapped_column(Integer)
    principal: Mapped[str] = mapped_column(AMOUNT)
    funded: Mapped[str] = mapped_column(AMOUNT)
    funded_bps: Mapped[int] = mapped_column(Integer)
    apr_bps: Mapped[int] = mapped_column(Integer)
    instalments: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(BigInteger)
    term: Mapped[int] = mapped_column(BigInteger)  # instalments * period, seconds
    funding_deadline: Mapped[int] = mapped_column(BigInteger)
    min_fill_bps: Mapped[int] = mapped_column(Integer)
    min_collateral_ratio_bps: Mapped[int | None] = mapped_column(Integer)
    fee_bps: Mapped[int | None] = mapped_column(Integer)
    late_fee_bps: Mapped[int | None] = mapped_column(Integer)
    grace_period: Mapped[int | None] = mapped_column(BigInteger)
    default_after: Mapped[int | None] = mapped_column(BigInteger)
    terms_source: Mapped[str] = mapped_column(String(8), default="events")  # events | view
    collateral_token: Mapped[str | None] = mapped_column(ADDRESS)
    collateral_amount: Mapped[str] = mapped_column(AMOUNT)
    listed_at: Mapped[int] = mapped_column(BigInteger)
    listed_block: Mapped[int] = mapped_column(BigInteger)
    start_time: Mapped[int | None] = mapped_column(BigInteger)
    instalment: Mapped[str | None] = mapped_column(AMOUNT)
    outstanding: Mapped[str] = mapped_column(AMOUNT)
    principal_repaid: Mapped[str] = mapped_column(AMOUNT)
    interest_repaid: Mapped[str] = mapped_column(AMOUNT)
    late_fees_repaid: Mapped[str] = mapped_column(AMOUNT)
    platform_fees: Mapped[str] = mapped_column(AMOUNT)
    late_instalments: Mapped[int] = mapped_column(Integer, default=0)
    defaulted_at: Mapped[int | None] = mapped_column(BigInteger)
    defaulted_outstanding: Mapped[str | None] = mapped_column(AMOUNT)
    recovered: Mapped[str] = mapped_column(AMOUNT)  # paid after a default (repayments and liquidations)
    written_off: Mapped[str] = mapped_column(AMOUNT)
    resolved_at: Mapped[int | None] = mapped_column(BigInteger)
    late_at: Mapped[int | None] = mapped_column(BigInteger)
    default_eligible_at: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[dict | None] = mapped_column(JSON)
    model_mismatch: Mapped[bool] = mapped_column(default=False)


class NoteHolding(Base):
    """Notes (ERC-1155, token id = loan id) a holder has, summed from TransferSingle/TransferBatch."""

    __tablename__ = "note_holdings"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    loan_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    holder: Mapped[str] = mapped_column(ADDRESS, primary_key=True, index=True)
    amount: Mapped[str] = mapped_column(AMOUNT)


# -- bots (issue 10) -----------------------------------------------------------------------------

class BotAction(Base):
    """One action a bot intends to take on chain (backend/tx/sender.py). The unique `action_key`
    (e.g. "liquidate:<chainId>:<loanId>:<block>") is the lock: whoever inserts the row owns the
    action, so replicas and restarts never send the same action twice. A 'sent' row is resolved
    by its transaction's receipt (re-broadcasting the same signed bytes if the node lost it), never
    signed again for the same action."""

    __tablename__ = "bot_actions"
    __table_args__ = (Index("ix_bot_actions_bot_status", "bot", "status"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    action_key: Mapped[str] = mapped_column(String(200), unique=True)
    bot: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # pending | sent | confirmed | failed | skipped
    tx_hash: Mapped[str | None] = mapped_column(String(66))
    nonce: Mapped[int | None] = mapped_column(BigInteger)
    sender: Mapped[str | None] = mapped_column(ADDRESS)
    raw_tx: Mapped[str | None] = mapped_column(Text)  # the signed transaction, recorded before broadcast
    gas_used: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Notification(Base):
    """An alert to a wallet (backend/notify). `dedupe_key` is unique, so an alert about one event
    (e.g. "health20:1337:7:<liquidation price>") is stored, and sent, once."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_wallet_id", "wallet", "id"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    wallet: Mapped[str] = mapped_column(ADDRESS)
    kind: Mapped[str] = mapped_column(String(32))
    loan_id: Mapped[int | None] = mapped_column(BigInteger)
    message: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered: Mapped[list] = mapped_column(JSON, default=list)  # channel names that accepted it


# -- auto-lend (issue 10) ------------------------------------------------------------------------

class AutoLendFilter(Base):
    """A lender's off-chain filters for one of its commitments (backend/rules/commitments.py). They
    only narrow the on-chain rule and bind only the platform's bot (backend/bots/autolend):
    blocklisted borrowers (checksummed), at most `max_loans_per_day` distinct loans per day of chain
    time, a minimum score (0..100, of the PD snapshotted at listing), and a pause."""

    __tablename__ = "autolend_filters"
    chain_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    commitment_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    lender: Mapped[str] = mapped_column(ADDRESS, index=True)
    blocked_borrowers: Mapped[list] = mapped_column(JSON, default=list)
    max_loans_per_day: Mapped[int | None] = mapped_column(Integer)
    min_score: Mapped[int | None] = mapped_column(Integer)
    paused: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
