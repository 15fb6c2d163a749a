"""Development providers for local runs and tests: nothing leaves the machine.

Codes are logged (and kept in `sent`, so a test or a developer can read them); the fake OAuth
provider links an account described by the code itself; the fake bank gives deterministic
figures derived from the wallet and token.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from backend.verification.base import BankSummary, ProviderError, SocialAccountInfo

log = logging.getLogger("lendchain.verification")


class ConsoleCodeSender:
    def __init__(self, channel: str):
        self.name = f"{channel}:console"
        self.sent: list[tuple[str, str]] = []

    def send(self, target: str, code: str) -> None:
        self.sent.append((target, code))
        log.warning("[%s] one-time code for %s: %s", self.name, target, code)

    def last_code(self, target: str) -> str | None:
        return next((code for sent_to, code in reversed(self.sent) if sent_to == target), None)


class FakeOAuthProvider:
    """Authorize URL points straight back at the callback with a code `fake-<account id>-<age months>`.

    A developer (or test) may edit the code to simulate another account or age.
    """

    name = "fake-social"

    def __init__(self, redirect_uri: str, now=lambda: datetime.now(timezone.utc)):
        self.redirect_uri = redirect_uri
        self.now = now
        self.authorized: list[str] = []

    def authorize_url(self, state: str) -> str:
        account = hashlib.sha256(state.encode()).hexdigest()[:12]
        self.authorized.append(state)
        return f"{self.redirect_uri}?{urlencode({'code': f'fake-{account}-24', 'state': state})}"

    def fetch_account(self, code: str) -> SocialAccountInfo:
        parts = code.split("-")
        if len(parts) != 3 or parts[0] != "fake" or not parts[1] or not parts[2].isdigit():
            raise ProviderError("the fake OAuth provider expects a code 'fake-<account>-<age months>'")
        months = int(parts[2])
        return SocialAccountInfo(f"fake:{parts[1]}", self.now() - timedelta(days=round(months * 30.44)))


class DevOpenBanking:
    """Deterministic cash-flow figures: the same wallet and token always give the same account."""

    name = "bank:dev"

    def link(self, wallet: str, public_token: str) -> BankSummary:
        if not public_token.startswith("dev-"):
            raise ProviderError("the development bank accepts link tokens 'dev-<anything>'")
        seed = hashlib.sha256(f"{wallet.lower()}:{public_token}".encode()).digest()
        checking = int.from_bytes(seed[0:4], "big") % 850_000 / 100 - 500  # -500.00 .. 7999.99
        savings = None if seed[4] % 5 == 0 else int.from_bytes(seed[5:9], "big") % 2_000_000 / 100
        overdrafts = seed[9] % 7
        return BankSummary(f"dev-{seed[10:16].hex()}", round(checking, 2), savings, overdrafts)
