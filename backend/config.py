"""Configuration: every setting comes from the environment (see the committed `.env.example`).

`Settings.from_env()` reads `os.environ` once, when the app is created; `create_app(config)`
overrides any key (tests pass a dict). Nothing here connects to anything.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{ROOT / 'instance' / 'lendchain.db'}"


def _default_model_dir() -> str:
    return str(ROOT / "scoring" / "artifacts" / "default")  # scoring.train.DEFAULT_MODEL_DIR, without importing it


def _sqlite_from_root(url: str) -> str:
    """A relative SQLite path (sqlite:///instance/x.db) is relative to the repository root."""
    path = url.removeprefix("sqlite:///")
    if url.startswith("sqlite:///") and path != ":memory:" and not path.startswith("/"):
        return f"sqlite:///{ROOT / path}"
    return url


def _addresses(text: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in text.split(",") if part.strip())


def _int(environ: Mapping[str, str], name: str, default: int | None) -> int | None:
    value = environ.get(name, "").strip()
    return int(value) if value else default


def from_env(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Flask config keys from environment variables (defaults suit a local run)."""
    get = lambda name, default="": environ.get(name, default).strip() or default  # noqa: E731
    return {
        "SECRET_KEY": get("SECRET_KEY", "dev-only-not-secret"),
        "DATABASE_URL": _sqlite_from_root(get("DATABASE_URL", DEFAULT_DATABASE_URL)),
        "RPC_URL": get("RPC_URL", "http://127.0.0.1:8545"),
        "DEPLOYMENTS_DIR": str(ROOT / get("DEPLOYMENTS_DIR", "deployments")),
        "CHAIN_ID": _int(environ, "CHAIN_ID", 1337),
        "SCORING_MODEL_DIR": str(ROOT / get("SCORING_MODEL_DIR", _default_model_dir())),
        "SCORE_SIGNER_KEY": get("SCORE_SIGNER_KEY"),
        "ATTESTATION_LIFETIME_SECONDS": _int(environ, "ATTESTATION_LIFETIME_SECONDS", 30 * 24 * 3600),
        "SCORE_REUSE_SECONDS": _int(environ, "SCORE_REUSE_SECONDS", 60),
        "SIWE_DOMAIN": get("SIWE_DOMAIN", "localhost:5000"),
        "SIWE_NONCE_TTL_SECONDS": _int(environ, "SIWE_NONCE_TTL_SECONDS", 600),
        "SESSION_TTL_SECONDS": _int(environ, "SESSION_TTL_SECONDS", 24 * 3600),
        "OPERATOR_ADDRESSES": _addresses(get("OPERATOR_ADDRESSES")),
        "VERIFICATION_MODE": get("VERIFICATION_MODE", "console"),  # console | real
        "CODE_TTL_SECONDS": _int(environ, "CODE_TTL_SECONDS", 600),
        "CODE_MAX_ATTEMPTS": _int(environ, "CODE_MAX_ATTEMPTS", 5),
        "CODES_PER_HOUR": _int(environ, "CODES_PER_HOUR", 5),
        "SMTP_HOST": get("SMTP_HOST"),
        "SMTP_PORT": _int(environ, "SMTP_PORT", 587),
        "SMTP_USER": get("SMTP_USER"),
        "SMTP_PASSWORD": get("SMTP_PASSWORD"),
        "SMTP_FROM": get("SMTP_FROM", "no-reply@lendchain.local"),
        "SMTP_STARTTLS": get("SMTP_STARTTLS", "true").lower() == "true",
        "SMS_GATEWAY_URL": get("SMS_GATEWAY_URL"),
        "SMS_GATEWAY_TOKEN": get("SMS_GATEWAY_TOKEN"),
        "SMS_SENDER": get("SMS_SENDER", "Lendchain"),
        "OAUTH_PROVIDER": get("OAUTH_PROVIDER", "social"),
        "OAUTH_AUTHORIZE_URL": get("OAUTH_AUTHORIZE_URL"),
        "OAUTH_TOKEN_URL": get("OAUTH_TOKEN_URL"),
        "OAUTH_USERINFO_URL": get("OAUTH_USERINFO_URL"),
        "OAUTH_CLIENT_ID": get("OAUTH_CLIENT_ID"),
        "OAUTH_CLIENT_SECRET": get("OAUTH_CLIENT_SECRET"),
        "OAUTH_REDIRECT_URI": get("OAUTH_REDIRECT_URI", "http://localhost:5000/social/callback"),
        "OPEN_BANKING_URL": get("OPEN_BANKING_URL"),
        "OPEN_BANKING_TOKEN": get("OPEN_BANKING_TOKEN"),
        "UPLOAD_MAX_BYTES": _int(environ, "UPLOAD_MAX_BYTES", 5 * 1024 * 1024),
        "JSON_MAX_BYTES": _int(environ, "JSON_MAX_BYTES", 64 * 1024),
        "HTTP_TIMEOUT_SECONDS": _int(environ, "HTTP_TIMEOUT_SECONDS", 10),
        "CONFIRMATIONS": _int(environ, "CONFIRMATIONS", 0),
        "INDEXER_BATCH_BLOCKS": _int(environ, "INDEXER_BATCH_BLOCKS", 2000),
        "INDEXER_REORG_DEPTH": _int(environ, "INDEXER_REORG_DEPTH", 64),
        "INDEXER_POLL_SECONDS": float(get("INDEXER_POLL_SECONDS", "1")),
        "CHAIN_STATE_CACHE_SECONDS": float(get("CHAIN_STATE_CACHE_SECONDS", "2")),
        # bots (backend/tx, backend/bots, backend/notify)
        "AUTOLEND_BOT_KEY": get("AUTOLEND_BOT_KEY"),
        "LIQUIDATOR_KEY": get("LIQUIDATOR_KEY"),
        "BOT_MAX_GAS": _int(environ, "BOT_MAX_GAS", 3_000_000),
        "BOT_RETRIES": _int(environ, "BOT_RETRIES", 3),
        "BOT_BACKOFF_SECONDS": float(get("BOT_BACKOFF_SECONDS", "0.5")),
        "BOT_STALE_CLAIM_SECONDS": float(get("BOT_STALE_CLAIM_SECONDS", "120")),
        "BOT_RECEIPT_TIMEOUT_SECONDS": float(get("BOT_RECEIPT_TIMEOUT_SECONDS", "60")),
        "BOT_POLL_SECONDS": float(get("BOT_POLL_SECONDS", "1")),
        "LIQUIDATOR_MIN_PROFIT_BPS": _int(environ, "LIQUIDATOR_MIN_PROFIT_BPS", 0),
        "LIQUIDATOR_SWEEP_CHUNK": _int(environ, "LIQUIDATOR_SWEEP_CHUNK", 250),
        "LIQUIDATOR_NATIVE_TOKEN": get("LIQUIDATOR_NATIVE_TOKEN", "MockWETH"),
        "PRICE_PUBLISHER_KEY": get("PRICE_PUBLISHER_KEY"),
        "NOTIFY_CHANNELS": get("NOTIFY_CHANNELS", "console"),
        "NOTIFY_WEBHOOK_URL": get("NOTIFY_WEBHOOK_URL"),
        "PRICE_REFRESH_FRACTION_BPS": _int(environ, "PRICE_REFRESH_FRACTION_BPS", 5_000),
    }
