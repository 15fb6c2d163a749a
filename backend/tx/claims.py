"""The `bot_actions` table as a lock per action: claim by insert, compare-and-set every change.

Whoever inserts the row for an action key owns the action; a unique-key conflict means another
replica (or an earlier run) owns it. Every later write checks the owner and the state it expects,
so at most one owner ever records a signed transaction for a key, and so broadcasts it:

    pending --mark_sent--> sent --finish--> confirmed | failed
    pending --finish--> skipped (simulation reverted, gas or profit check) | failed
    pending --release--> (row deleted: nothing was signed; a later step may try again)

A 'pending' claim with no transaction older than `stale_seconds` belonged to a process that died
before signing: it may be taken over (compare-and-set on the old owner).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.db.models import BotAction
from backend.db.types import utcnow


@dataclass(frozen=True)
class Claim:
    """The action's row as seen when claiming; `owned` when this caller holds it now."""

    row_id: int
    owned: bool
    status: str
    tx_hash: str | None = None
    nonce: int | None = None
    raw_tx: str | None = None
    reason: str | None = None
    gas_used: int | None = None
    claimed_by: str | None = None
    updated_at: datetime | None = None


def _snapshot(row: BotAction, owned: bool) -> Claim:
    return Claim(row.id, owned, row.status, row.tx_hash, row.nonce, row.raw_tx, row.reason, row.gas_used,
                 row.claimed_by, row.updated_at)


class Claims:
    def __init__(self, sessions: Callable[[], Session], bot: str, owner: str, stale_seconds: float):
        self.sessions = sessions
        self.bot = bot
        self.owner = owner
        self.stale_seconds = stale_seconds

    def claim(self, key: str) -> Claim:
        """Insert the action's row; on conflict take over a stale pending claim, else report the owner's row."""
        now = utcnow()
        with self.sessions() as db:
            row = BotAction(action_key=key, bot=self.bot, status="pending", claimed_by=self.owner, claimed_at=now)
            db.add(row)
            try:
                db.commit()
                return _snapshot(row, True)
            except IntegrityError:
                db.rollback()
            row = db.scalars(select(BotAction).where(BotAction.action_key == key)).one()
            if row.status == "pending" and row.tx_hash is None and row.claimed_at < now - timedelta(
                    seconds=self.stale_seconds):
                taken = db.execute(update(BotAction).where(
                    BotAction.id == row.id, BotAction.status == "pending", BotAction.tx_hash.is_(None),
                    BotAction.claimed_by == row.claimed_by).values(claimed_by=self.owner, claimed_at=now))
                db.commit()
                if taken.rowcount == 1:
                    return Claim(row.id, True, "pending")
            return _snapshot(row, False)

    def mark_sent(self, row_id: int, tx_hash: str, nonce: int, raw_tx: str, sender: str,
                  previous_hash: str | None = None) -> bool:
        """Record the signed transaction before it is broadcast (False: the claim was lost).
        `previous_hash` replaces a transaction the node refused (nonce re-sync)."""
        expected = (BotAction.status == "sent", BotAction.tx_hash == previous_hash) if previous_hash else (
            BotAction.status == "pending", BotAction.tx_hash.is_(None))
        with self.sessions() as db:
            done = db.execute(update(BotAction).where(BotAction.id == row_id, BotAction.claimed_by == self.owner,
                                                      *expected).values(
                status="sent", tx_hash=tx_hash, nonce=nonce, raw_tx=raw_tx, sender=sender))
            db.commit()
            return done.rowcount == 1

    def finish(self, row_id: int, status: str, reason: str = "", gas_used: int | None = None) -> None:
        with self.sessions() as db:
            db.execute(update(BotAction).where(BotAction.id == row_id).values(
                status=status, reason=reason[:2000] or None, gas_used=gas_used))
            db.commit()

    def release(self, row_id: int) -> None:
        """Give up a claim before anything was signed (e.g. the node is unreachable)."""
        with self.sessions() as db:
            db.execute(delete(BotAction).where(BotAction.id == row_id, BotAction.claimed_by == self.owner,
                                               BotAction.status == "pending", BotAction.tx_hash.is_(None)))
            db.commit()

    def sent_rows(self) -> list[Claim]:
        """This bot's transactions broadcast (or about to be) with no outcome recorded yet: its own,
        and other processes' once stale (a live replica settles its own)."""
        with self.sessions() as db:
            rows = db.scalars(select(BotAction).where(BotAction.bot == self.bot, BotAction.status == "sent"))
            return [_snapshot(row, False) for row in rows if self.settles(_snapshot(row, False))]

    def settles(self, claim: Claim) -> bool:
        """Whether this owner may settle a 'sent' row: its own, or one not touched for `stale_seconds`."""
        if claim.claimed_by == self.owner or claim.updated_at is None:
            return True
        return claim.updated_at < utcnow() - timedelta(seconds=self.stale_seconds)
