"""The provider interfaces: what every verification provider, real or development, implements.

Providers only talk to the outside world (send a code, run an OAuth exchange, fetch bank
figures); deciding, storing and auditing is backend/verification/service.py's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class ProviderError(RuntimeError):
    """The provider could not do its job (network, credentials, bad answer): a 502/503, not a 4xx."""


class ProviderNotConfigured(ProviderError):
    """VERIFICATION_MODE=real but this provider's settings are missing."""


class CodeSender(Protocol):
    """Delivers a one-time code to an email address or phone number."""

    name: str

    def send(self, target: str, code: str) -> None: ...


@dataclass(frozen=True)
class SocialAccountInfo:
    account_id: str
    created_at: datetime | None  # when the provider says the account was created (UTC)


class OAuthProvider(Protocol):
    """An OAuth2 authorization-code provider of social accounts."""

    name: str

    def authorize_url(self, state: str) -> str: ...

    def fetch_account(self, code: str) -> SocialAccountInfo: ...


@dataclass(frozen=True)
class BankSummary:
    """Cash-flow figures of one linked account (the scoring schema's BANK_COLUMNS)."""

    account_ref: str
    checking_balance: float  # 90-day average, USD, negative when overdrawn
    savings_balance: float | None  # USD >= 0; None when there is no savings account
    overdrafts_12m: int


class OpenBankingProvider(Protocol):
    """Exchanges a link token from the provider's widget for the account's cash-flow summary."""

    name: str

    def link(self, wallet: str, public_token: str) -> BankSummary: ...


@dataclass(frozen=True)
class Providers:
    email: CodeSender
    phone: CodeSender
    oauth: OAuthProvider
    bank: OpenBankingProvider
