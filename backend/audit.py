"""The audit trail: one row per sign-in, verification decision, review and score issued.

`record` adds the row to the caller's session, so it commits (or rolls back) with the change it
describes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from backend.db.models import AuditEvent


def record(db_session: Session, action: str, outcome: str, *, actor: str | None = None,
           subject: str | None = None, **details: Any) -> AuditEvent:
    event = AuditEvent(action=action, outcome=outcome, actor=actor, subject=subject, details=details)
    db_session.add(event)
    return event
