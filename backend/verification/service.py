"""Verification decisions: codes, social accounts, documents, bank links -> verified facts.

Every function runs in the request's session and commits once at the end, together with its
audit rows; a failure before that commit leaves nothing behind. Only these functions write
`verified_facts`, the only table scoring reads about a person.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, func, select, update

from backend import audit
from backend.db import session
from backend.db.models import BankLink, Challenge, Document, OAuthState, Profile, SocialAccount, VerifiedFact
from backend.db.types import utcnow
from backend.errors import ApiError, Conflict, Gone, NotFound, RateLimited, Unavailable, Unprocessable
from backend.verification import providers
from backend.verification.base import ProviderError, ProviderNotConfigured

CHANNELS = ("email", "phone")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}$")
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")  # E.164
DOCUMENT_KINDS = ("income", "identity")
# Allowed upload types and the bytes their files start with.
DOCUMENT_TYPES = {"application/pdf": (b"%PDF-",), "image/png": (b"\x89PNG\r\n\x1a\n",),
                  "image/jpeg": (b"\xff\xd8\xff",)}
PENDING_DOCUMENTS_LIMIT = 5
OAUTH_STATE_TTL = timedelta(minutes=10)
OAUTH_STARTS_PER_HOUR = 10
BANK_LINKS_PER_DAY = 5
MAX_MONTHLY_INCOME = 10_000_000.0


def _provider_call(thunk):
    try:
        return thunk()
    except ProviderNotConfigured as error:
        raise Unavailable(str(error), code="provider_not_configured") from None
    except ProviderError as error:
        raise ApiError(str(error), code="provider_failed", status=502) from None


def set_fact(wallet: str, signal: str, value, source: str) -> None:
    db = session()
    fact = db.get(VerifiedFact, (wallet, signal))
    if fact is None:
        db.add(VerifiedFact(wallet=wallet, signal=signal, value=value, source=source, verified_at=utcnow()))
    else:
        fact.value, fact.source, fact.verified_at = value, source, utcnow()


_FACTS_OF = select(VerifiedFact.signal, VerifiedFact.value).where(VerifiedFact.wallet == bindparam("wallet"))


def facts(wallet: str) -> dict[str, object]:
    """signal -> value of the wallet's verified facts (a prebuilt Core statement: read on every score)."""
    db = session()
    db.flush()  # as an ORM query would (autoflush): facts set in this request are seen
    return dict(db.connection().execute(_FACTS_OF, {"wallet": wallet}).all())


def profile_of(wallet: str) -> Profile:
    db = session()
    profile = db.get(Profile, wallet)
    if profile is None:
        profile = Profile(wallet=wallet)
        db.add(profile)
    return profile


# -- one-time codes ------------------------------------------------------------------------------

def _code_hash(wallet: str, channel: str, target: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{wallet}|{channel}|{target}|{code}".encode(), hashlib.sha256).hexdigest()


def normalise_target(channel: str, target: str) -> str:
    if channel not in CHANNELS:
        raise NotFound(f"unknown verification channel {channel!r} (email or phone)")
    target = target.strip()
    if channel == "email":
        if not EMAIL.match(target) or len(target) > 254:
            raise Unprocessable(f"{target!r} is not an email address", details={"fields": {"target": ["invalid"]}})
        return target.lower()
    if not PHONE.match(target):
        raise Unprocessable(f"{target!r} is not an E.164 phone number (+ and 7-15 digits)",
                            details={"fields": {"target": ["invalid"]}})
    return target


def start_code(wallet: str, channel: str, target: str) -> Challenge:
    config = current_app.config
    target = normalise_target(channel, target)
    db = session()
    now = utcnow()
    recent = db.scalar(select(func.count()).select_from(Challenge).where(
        Challenge.wallet == wallet, Challenge.channel == channel, Challenge.created_at > now - timedelta(hours=1)))
    if recent >= config["CODES_PER_HOUR"]:
        audit.record(db, f"verification.{channel}.send", "rate_limited", actor=wallet, subject=wallet)
        db.commit()
        raise RateLimited(f"at most {config['CODES_PER_HOUR']} {channel} codes per hour: try again later")
    db.execute(update(Challenge).where(Challenge.wallet == wallet, Challenge.channel == channel,
                                       Challenge.closed.is_(False)).values(closed=True))
    code = f"{secrets.randbelow(10**6):06d}"
    challenge = Challenge(wallet=wallet, channel=channel, target=target, created_at=now,
                          code_hash=_code_hash(wallet, channel, target, code),
                          expires_at=now + timedelta(seconds=config["CODE_TTL_SECONDS"]))
    db.add(challenge)
    sender = getattr(providers(), channel)
    _provider_call(lambda: sender.send(target, code))
    audit.record(db, f"verification.{channel}.send", "sent", actor=wallet, subject=wallet, provider=sender.name)
    db.commit()
    return challenge


def confirm_code(wallet: str, channel: str, code: str) -> str:
    """Checks the code of the wallet's open challenge; returns the verified target."""
    if channel not in CHANNELS:
        raise NotFound(f"unknown verification channel {channel!r} (email or phone)")
    config = current_app.config
    db = session()
    challenge = db.scalars(select(Challenge).where(Challenge.wallet == wallet, Challenge.channel == channel,
                                                   Challenge.closed.is_(False))
                           .order_by(Challenge.id.desc())).first()
    if challenge is None:
        raise NotFound(f"no {channel} code is pending: request one first", code="no_pending_code")
    action = f"verification.{channel}.confirm"
    if challenge.expires_at <= utcnow():
        challenge.closed = True
        audit.record(db, action, "expired", actor=wallet, subject=wallet, challenge=challenge.id)
        db.commit()
        raise Gone("the code has expired: request a new one", code="code_expired")
    if not hmac.compare_digest(challenge.code_hash, _code_hash(wallet, channel, challenge.target, code.strip())):
        challenge.attempts += 1
        left = config["CODE_MAX_ATTEMPTS"] - challenge.attempts
        if left <= 0:
            challenge.closed = True
        audit.record(db, action, "wrong_code", actor=wallet, subject=wallet, challenge=challenge.id)
        db.commit()
        if left <= 0:
            raise RateLimited("too many wrong codes: request a new one", code="too_many_attempts")
        raise Unprocessable(f"wrong code ({left} attempt{'s' if left != 1 else ''} left)", code="wrong_code")
    challenge.closed, challenge.verified_at = True, utcnow()
    profile = profile_of(wallet)
    setattr(profile, channel, challenge.target)
    source = getattr(providers(), channel).name
    set_fact(wallet, f"{channel}_verified", True, source)
    audit.record(db, action, "verified", actor=wallet, subject=wallet, challenge=challenge.id, provider=source)
    db.commit()
    return challenge.target


# -- OAuth social accounts -----------------------------------------------------------------------

def _state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def start_social(wallet: str) -> tuple[str, str]:
    db = session()
    now = utcnow()
    recent = db.scalar(select(func.count()).select_from(OAuthState).where(
        OAuthState.wallet == wallet, OAuthState.created_at > now - timedelta(hours=1)))
    if recent >= OAUTH_STARTS_PER_HOUR:
        raise RateLimited(f"at most {OAUTH_STARTS_PER_HOUR} social links started per hour")
    oauth = providers().oauth
    state = secrets.token_urlsafe(24)
    url = _provider_call(lambda: oauth.authorize_url(state))
    db.add(OAuthState(state_hash=_state_hash(state), wallet=wallet, provider=oauth.name, created_at=now,
                      expires_at=now + OAUTH_STATE_TTL))
    db.commit()
    return state, url


def finish_social(state: str, code: str) -> SocialAccount:
    db = session()
    row = db.get(OAuthState, _state_hash(state))
    if row is None:
        raise NotFound("unknown OAuth state: start the link again", code="unknown_state")
    if row.used_at is not None:
        raise Conflict("this OAuth state was already used", code="state_used")
    if row.expires_at <= utcnow():
        raise Gone("the OAuth link expired: start it again", code="state_expired")
    oauth = providers().oauth
    info = _provider_call(lambda: oauth.fetch_account(code))
    existing = db.scalars(select(SocialAccount).where(SocialAccount.provider == oauth.name,
                                                      SocialAccount.account_id == info.account_id)).first()
    if existing is not None and existing.wallet != row.wallet:
        audit.record(db, "verification.social.link", "account_taken", actor=row.wallet, subject=row.wallet,
                     account=info.account_id)
        row.used_at = utcnow()
        db.commit()
        raise Conflict("this social account is already linked to another wallet", code="account_taken")
    row.used_at = utcnow()
    account = existing or SocialAccount(wallet=row.wallet, provider=oauth.name, account_id=info.account_id,
                                        account_created_at=info.created_at, linked_at=utcnow())
    db.add(account)
    db.flush()
    _refresh_social_facts(row.wallet, oauth.name)
    audit.record(db, "verification.social.link", "linked", actor=row.wallet, subject=row.wallet,
                 account=info.account_id, provider=oauth.name)
    db.commit()
    return account


def _refresh_social_facts(wallet: str, source: str) -> None:
    accounts = session().scalars(select(SocialAccount).where(SocialAccount.wallet == wallet)).all()
    set_fact(wallet, "social_accounts", len(accounts), source)
    created = [a.account_created_at for a in accounts if a.account_created_at is not None]
    if created:
        months = max(0.0, (utcnow() - min(created)).days / 30.44)
        set_fact(wallet, "social_account_age_months", round(min(months, 600.0), 1), source)


# -- documents (income, identity) ----------------------------------------------------------------

def upload_document(wallet: str, kind: str, filename: str, content_type: str, content: bytes) -> Document:
    config = current_app.config
    if kind not in DOCUMENT_KINDS:
        raise Unprocessable(f"document kind must be one of {', '.join(DOCUMENT_KINDS)}",
                            details={"fields": {"kind": ["invalid"]}})
    limit = config["UPLOAD_MAX_BYTES"]
    if len(content) > limit:
        raise ApiError(f"the file is {len(content)} bytes; the limit is {limit}", code="payload_too_large",
                       status=413)
    if not content:
        raise Unprocessable("the file is empty", details={"fields": {"file": ["empty"]}})
    if content_type not in DOCUMENT_TYPES:
        raise ApiError(f"documents must be PDF, PNG or JPEG, got {content_type!r}", code="unsupported_media_type",
                       status=415)
    if not content.startswith(DOCUMENT_TYPES[content_type]):
        raise ApiError(f"the file's content is not {content_type}", code="unsupported_media_type", status=415)
    db = session()
    pending = db.scalar(select(func.count()).select_from(Document).where(Document.wallet == wallet,
                                                                         Document.status == "pending"))
    if pending >= PENDING_DOCUMENTS_LIMIT:
        raise RateLimited(f"at most {PENDING_DOCUMENTS_LIMIT} documents may await review at once")
    document = Document(wallet=wallet, kind=kind, filename=(filename or "upload")[:255], content_type=content_type,
                        size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
                        status="pending", submitted_at=utcnow())
    db.add(document)
    db.flush()
    audit.record(db, f"verification.{kind}.upload", "pending", actor=wallet, subject=wallet, document=document.id)
    db.commit()
    return document


def review_document(operator: str, document_id: int, decision: str, monthly_income_usd: float | None,
                    note: str | None) -> Document:
    db = session()
    document = db.get(Document, document_id)
    if document is None:
        raise NotFound(f"no document {document_id}")
    if document.status != "pending":
        raise Conflict(f"document {document_id} was already {document.status}", code="already_reviewed")
    if decision == "approve" and document.kind == "income":
        if monthly_income_usd is None or not 0 < monthly_income_usd <= MAX_MONTHLY_INCOME:
            raise Unprocessable("approving income needs monthly_income_usd in (0, 10,000,000]",
                                details={"fields": {"monthly_income_usd": ["required"]}})
    elif monthly_income_usd is not None:
        raise Unprocessable("monthly_income_usd only goes with an approved income document",
                            details={"fields": {"monthly_income_usd": ["unexpected"]}})
    now = utcnow()
    document.status = "approved" if decision == "approve" else "rejected"
    document.reviewed_by, document.reviewed_at, document.review_note = operator, now, note
    if decision == "approve":
        source = f"operator:{operator}"
        if document.kind == "income":
            document.monthly_income_usd = monthly_income_usd
            set_fact(document.wallet, "income_verified", True, source)
            set_fact(document.wallet, "monthly_income", float(monthly_income_usd), source)
        else:
            set_fact(document.wallet, "identity_verified", True, source)
    audit.record(db, f"verification.{document.kind}.review", document.status, actor=operator,
                 subject=document.wallet, document=document.id, monthly_income_usd=monthly_income_usd, note=note)
    db.commit()
    return document


# -- bank-account link ---------------------------------------------------------------------------

def link_bank(wallet: str, public_token: str) -> BankLink:
    db = session()
    now = utcnow()
    recent = db.scalar(select(func.count()).select_from(BankLink).where(
        BankLink.wallet == wallet, BankLink.linked_at > now - timedelta(days=1)))
    if recent >= BANK_LINKS_PER_DAY:
        raise RateLimited(f"at most {BANK_LINKS_PER_DAY} bank links per day")
    bank = providers().bank
    summary = _provider_call(lambda: bank.link(wallet, public_token))
    if summary.savings_balance is not None and summary.savings_balance < 0 or summary.overdrafts_12m < 0:
        raise ApiError("the open-banking provider returned impossible figures", code="provider_failed", status=502)
    link = BankLink(wallet=wallet, provider=bank.name, account_ref=summary.account_ref,
                    checking_balance=summary.checking_balance, savings_balance=summary.savings_balance,
                    overdrafts_12m=summary.overdrafts_12m, linked_at=now)
    db.add(link)
    set_fact(wallet, "bank_account_verified", True, bank.name)
    set_fact(wallet, "checking_balance", summary.checking_balance, bank.name)
    set_fact(wallet, "overdrafts_12m", summary.overdrafts_12m, bank.name)
    if summary.savings_balance is not None:
        set_fact(wallet, "savings_balance", summary.savings_balance, bank.name)
    else:
        existing = db.get(VerifiedFact, (wallet, "savings_balance"))
        if existing is not None:
            db.delete(existing)
    db.flush()
    audit.record(db, "verification.bank.link", "linked", actor=wallet, subject=wallet, provider=bank.name,
                 link=link.id)
    db.commit()
    return link
