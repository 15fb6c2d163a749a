"""Production providers, each configured from the environment (see .env.example).

- SmtpEmailSender: codes by email through SMTP (smtplib, STARTTLS by default).
- HttpSmsSender: codes by SMS through an HTTP gateway: POST SMS_GATEWAY_URL with JSON
  {"to", "from", "text"} and `Authorization: Bearer SMS_GATEWAY_TOKEN`; any 2xx is success.
- OAuth2Provider: the standard authorization-code flow (RFC 6749 §4.1) against OAUTH_* URLs;
  the user-info document must carry an account id (`id` or `sub`) and may carry the account's
  creation time (`created_at`, ISO 8601 or unix seconds).
- HttpOpenBanking: POST {OPEN_BANKING_URL}/links {"public_token", "client_user_id"} with a bearer
  token, answering {"account_ref", "checking_average_90d", "savings_balance", "overdrafts_12m"}.
"""

from __future__ import annotations

import smtplib
from datetime import datetime, timezone
from email.message import EmailMessage
from urllib.parse import urlencode

import requests

from backend.verification.base import BankSummary, ProviderError, SocialAccountInfo


class SmtpEmailSender:
    name = "email:smtp"

    def __init__(self, host: str, port: int, user: str, password: str, sender: str, starttls: bool = True,
                 timeout: int = 10):
        self.host, self.port, self.user, self.password = host, port, user, password
        self.sender, self.starttls, self.timeout = sender, starttls, timeout

    def send(self, target: str, code: str) -> None:
        message = EmailMessage()
        message["From"], message["To"] = self.sender, target
        message["Subject"] = "Your Lendchain verification code"
        message.set_content(f"Your Lendchain verification code is {code}. It expires soon; never share it.")
        self.deliver(message)

    def deliver(self, message: EmailMessage) -> None:
        """Send a prepared message (From defaults to SMTP_FROM); backend/notify sends alerts through it."""
        if "From" not in message:
            message["From"] = self.sender
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise ProviderError(f"SMTP delivery failed: {type(error).__name__}") from None


class HttpSmsSender:
    name = "phone:sms-gateway"

    def __init__(self, url: str, token: str, sender: str, timeout: int = 10):
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout

    def send(self, target: str, code: str) -> None:
        body = {"to": target, "from": self.sender, "text": f"Lendchain code: {code}"}
        try:
            response = requests.post(self.url, json=body, timeout=self.timeout,
                                     headers={"Authorization": f"Bearer {self.token}"})
        except requests.RequestException as error:
            raise ProviderError(f"SMS gateway unreachable: {type(error).__name__}") from None
        if not response.ok:
            raise ProviderError(f"SMS gateway answered {response.status_code}")


class OAuth2Provider:
    def __init__(self, name: str, authorize_url: str, token_url: str, userinfo_url: str, client_id: str,
                 client_secret: str, redirect_uri: str, timeout: int = 10):
        self.name = name
        self._authorize, self._token, self._userinfo = authorize_url, token_url, userinfo_url
        self.client_id, self.client_secret, self.redirect_uri, self.timeout = (client_id, client_secret,
                                                                               redirect_uri, timeout)

    def authorize_url(self, state: str) -> str:
        query = {"response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
                 "state": state}
        return f"{self._authorize}?{urlencode(query)}"

    def fetch_account(self, code: str) -> SocialAccountInfo:
        try:
            token = requests.post(self._token, timeout=self.timeout, headers={"Accept": "application/json"}, data={
                "grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri,
                "client_id": self.client_id, "client_secret": self.client_secret})
            if not token.ok:
                raise ProviderError(f"OAuth token endpoint answered {token.status_code}")
            access = token.json().get("access_token")
            if not access:
                raise ProviderError("OAuth token response has no access_token")
            info = requests.get(self._userinfo, timeout=self.timeout, headers={"Authorization": f"Bearer {access}"})
            if not info.ok:
                raise ProviderError(f"OAuth user-info endpoint answered {info.status_code}")
            document = info.json()
        except (requests.RequestException, ValueError) as error:
            raise ProviderError(f"OAuth exchange failed: {type(error).__name__}") from None
        account_id = document.get("id") or document.get("sub")
        if not account_id:
            raise ProviderError("OAuth user-info has no account id")
        return SocialAccountInfo(f"{self.name}:{account_id}", _parse_time(document.get("created_at")))


class HttpOpenBanking:
    name = "bank:http"

    def __init__(self, url: str, token: str, timeout: int = 10):
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    def link(self, wallet: str, public_token: str) -> BankSummary:
        try:
            response = requests.post(f"{self.url}/links", timeout=self.timeout,
                                     json={"public_token": public_token, "client_user_id": wallet},
                                     headers={"Authorization": f"Bearer {self.token}"})
            if not response.ok:
                raise ProviderError(f"open-banking provider answered {response.status_code}")
            body = response.json()
            savings = body.get("savings_balance")
            return BankSummary(str(body["account_ref"]), float(body["checking_average_90d"]),
                               None if savings is None else float(savings), int(body["overdrafts_12m"]))
        except (requests.RequestException, ValueError, KeyError, TypeError) as error:
            raise ProviderError(f"open-banking link failed: {type(error).__name__}") from None


def _parse_time(value) -> datetime | None:
    if value is None:
        return None
    try:
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value, timezone.utc)
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None
