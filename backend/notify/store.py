"""Storing alerts: each alert has a dedupe key and is stored once, however often a bot (or two
replicas of it) finds the same condition; only newly stored alerts are handed to the channels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.db.models import Notification


@dataclass(frozen=True)
class Alert:
    wallet: str
    kind: str
    message: str
    dedupe_key: str
    loan_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def store_alerts(db: Session, alerts: Iterable[Alert]) -> list[Notification]:
    """Insert the alerts not stored yet (by dedupe key); returns the new rows, committed."""
    alerts = {alert.dedupe_key: alert for alert in alerts}
    if not alerts:
        return []
    known = set(db.scalars(select(Notification.dedupe_key).where(Notification.dedupe_key.in_(list(alerts)))))
    fresh = []
    for key, alert in alerts.items():
        if key in known:
            continue
        row = Notification(dedupe_key=key, wallet=alert.wallet, kind=alert.kind, loan_id=alert.loan_id,
                           message=alert.message, payload=alert.payload, delivered=[])
        try:
            with db.begin_nested():  # another replica may store the same key between the read and here
                db.add(row)
            fresh.append(row)
        except IntegrityError:
            pass
    db.commit()
    return fresh
