"""Verification providers behind one interface (base.py), chosen by VERIFICATION_MODE.

`console` (default): development providers (console.py), nothing leaves the machine.
`real`: SMTP, an HTTP SMS gateway, OAuth2 and an HTTP open-banking API (real.py); a provider
whose settings are missing answers 503 when used. Tests may pass ready providers in the
`VERIFICATION_PROVIDERS` config key.
"""

from __future__ import annotations

import threading

from flask import current_app

from backend.verification.base import Providers, ProviderNotConfigured

EXTENSION = "lendchain.providers"
_lock = threading.Lock()


class _Unconfigured:
    def __init__(self, name: str, settings: str):
        self.name, self._settings = name, settings

    def _fail(self, *args, **kwargs):
        raise ProviderNotConfigured(f"{self.name} is not configured: set {self._settings}")

    send = authorize_url = fetch_account = link = _fail


def build(config) -> Providers:
    from backend.verification import console, real

    if config["VERIFICATION_MODE"] == "console":
        return Providers(console.ConsoleCodeSender("email"), console.ConsoleCodeSender("phone"),
                         console.FakeOAuthProvider(config["OAUTH_REDIRECT_URI"]), console.DevOpenBanking())
    if config["VERIFICATION_MODE"] != "real":
        raise ValueError(f"VERIFICATION_MODE must be 'console' or 'real', got {config['VERIFICATION_MODE']!r}")
    timeout = config["HTTP_TIMEOUT_SECONDS"]
    email = (real.SmtpEmailSender(config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_USER"],
                                  config["SMTP_PASSWORD"], config["SMTP_FROM"], config["SMTP_STARTTLS"], timeout)
             if config["SMTP_HOST"] else _Unconfigured("email:smtp", "SMTP_HOST"))
    phone = (real.HttpSmsSender(config["SMS_GATEWAY_URL"], config["SMS_GATEWAY_TOKEN"], config["SMS_SENDER"], timeout)
             if config["SMS_GATEWAY_URL"] else _Unconfigured("phone:sms-gateway", "SMS_GATEWAY_URL"))
    oauth_keys = ("OAUTH_AUTHORIZE_URL", "OAUTH_TOKEN_URL", "OAUTH_USERINFO_URL", "OAUTH_CLIENT_ID")
    oauth = (real.OAuth2Provider(config["OAUTH_PROVIDER"], config["OAUTH_AUTHORIZE_URL"], config["OAUTH_TOKEN_URL"],
                                 config["OAUTH_USERINFO_URL"], config["OAUTH_CLIENT_ID"],
                                 config["OAUTH_CLIENT_SECRET"], config["OAUTH_REDIRECT_URI"], timeout)
             if all(config[k] for k in oauth_keys) else _Unconfigured("oauth", ", ".join(oauth_keys)))
    bank = (real.HttpOpenBanking(config["OPEN_BANKING_URL"], config["OPEN_BANKING_TOKEN"], timeout)
            if config["OPEN_BANKING_URL"] else _Unconfigured("bank:http", "OPEN_BANKING_URL"))
    return Providers(email, phone, oauth, bank)


def providers() -> Providers:
    app = current_app
    if app.config.get("VERIFICATION_PROVIDERS") is not None:
        return app.config["VERIFICATION_PROVIDERS"]
    with _lock:
        if EXTENSION not in app.extensions:
            app.extensions[EXTENSION] = build(app.config)
    return app.extensions[EXTENSION]
