"""Delivery channels, chosen by NOTIFY_CHANNELS (comma-separated): console (the log), email (to the
wallet's verified email address, through the SMTP_* settings and the verification mail sender),
webhook (POST the notification as JSON to NOTIFY_WEBHOOK_URL). A failing channel is logged and
never stops the bot; the channels that accepted a notification are recorded on its row."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Iterable, Mapping, Protocol

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db.models import Challenge, Notification

log = logging.getLogger("lendchain.notify")


class Channel(Protocol):
    name: str

    def deliver(self, db: Session, note: Notification) -> bool: ...


def as_json(note: Notification) -> dict:
    return {"id": note.id, "wallet": note.wallet, "kind": note.kind, "loan_id": note.loan_id,
            "message": note.message, "payload": note.payload,
            "created_at": note.created_at.isoformat() if note.created_at else None}


class ConsoleChannel:
    name = "console"

    def deliver(self, db: Session, note: Notification) -> bool:
        log.warning("notify %s [%s] %s", note.wallet, note.kind, note.message)
        return True


class WebhookChannel:
    name = "webhook"

    def __init__(self, url: str, timeout: float):
        self.url, self.timeout = url, timeout

    def deliver(self, db: Session, note: Notification) -> bool:
        response = requests.post(self.url, json=as_json(note), timeout=self.timeout)
        return 200 <= response.status_code < 300


class EmailChannel:
    name = "email"

    def __init__(self, mailer):
        self.mailer = mailer  # backend.verification.real.SmtpEmailSender

    def deliver(self, db: Session, note: Notification) -> bool:
        address = verified_email(db, note.wallet)
        if address is None:
            return False
        message = EmailMessage()
        message["To"], message["Subject"] = address, f"Lendchain: {note.kind.replace('_', ' ')}"
        message.set_content(note.message)
        self.mailer.deliver(message)
        return True


def verified_email(db: Session, wallet: str) -> str | None:
    """The wallet's latest email address confirmed by a one-time code (never an unverified one)."""
    return db.scalar(select(Challenge.target).where(Challenge.wallet == wallet, Challenge.channel == "email",
                                                    Challenge.verified_at.is_not(None))
                     .order_by(Challenge.verified_at.desc()).limit(1))


def channels_from_config(config: Mapping) -> list[Channel]:
    names = [n.strip() for n in (config.get("NOTIFY_CHANNELS") or "").split(",") if n.strip()]
    built: list[Channel] = []
    for name in names:
        if name == "console":
            built.append(ConsoleChannel())
        elif name == "webhook" and config.get("NOTIFY_WEBHOOK_URL"):
            built.append(WebhookChannel(config["NOTIFY_WEBHOOK_URL"], config.get("HTTP_TIMEOUT_SECONDS", 10)))
        elif name == "email" and config.get("SMTP_HOST"):
            from backend.verification import build

            built.append(EmailChannel(build({**config, "VERIFICATION_MODE": "real"}).email))
        else:
            raise ValueError(f"notification channel {name!r} is unknown or not configured "
                             "(console; webhook needs NOTIFY_WEBHOOK_URL; email needs SMTP_HOST)")
    return built


def deliver(db: Session, notes: Iterable[Notification], channels: list[Channel]) -> int:
    """Hand each new notification to every channel; returns how many channel deliveries succeeded."""
    done = 0
    for note in notes:
        accepted = []
        for channel in channels:
            try:
                if channel.deliver(db, note):
                    accepted.append(channel.name)
            except Exception as error:  # noqa: BLE001 - a channel's failure must not stop the bot
                log.error("notification %s via %s failed: %s", note.id, channel.name, error)
        if accepted:
            note.delivered = accepted
            done += len(accepted)
    db.commit()
    return done
