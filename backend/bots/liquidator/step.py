"""One liquidator step: sweep the watched loans through the lens at one block, act, alert.

`step(ctx)` is idempotent: every action goes through the shared sender under a key that makes
two replicas (or a restarted process) act at most once — liquidations per loan and attempt
number (one in flight per loan; a partly liquidated or skipped loan is tried again at the next
step), defaults, starts, expiries and releases once per loan — and alerts are stored once per
dedupe key.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.bots.liquidator import alerts as alert_rules
from backend.bots.liquidator.decisions import FINISHED, Decision, Listing, decide, profit_shortfall, repay_amount
from backend.db.models import BotAction, ChainEvent, Loan, NoteHolding
from backend.db.types import utcnow
from backend.indexer.projection import pad
from backend.notify.channels import deliver
from backend.notify.store import store_alerts
from backend.sdk import LendchainClient, LoanState, Position, Quote
from backend.tx import ActionResult, TxSender

log = logging.getLogger("lendchain.bots.liquidator")
UNLIMITED = 2**255


@dataclass
class Context:
    client: LendchainClient
    sender: TxSender
    sessions: Callable[[], Session]
    channels: list = field(default_factory=list)
    min_profit_bps: int = 0
    chunk: int = 250
    native_token: str | None = None  # the token whose oracle price values gas (WETH)
    liquidations_seen_through: int = -1  # block of the last Liquidated event alerted (a restart rescans: deduped)
    approved: set = field(default_factory=set)  # loan tokens the book may pull without limit
    positions: dict = field(default_factory=dict)  # loan id -> Position (liquidation terms), read per step


@dataclass
class StepReport:
    block: int
    timestamp: int
    swept: int = 0
    actions: list[dict] = field(default_factory=list)
    paused: dict[str, int] = field(default_factory=dict)  # token -> loans whose liquidation waits for a price
    alerts: int = 0
    seconds: float = 0.0

    def count(self, kind: str, status: str = "confirmed") -> int:
        return sum(1 for a in self.actions if a["kind"] == kind and a["status"] == status)

    def summary(self) -> str:
        done = {}
        for action in self.actions:
            done[f"{action['kind']}:{action['status']}"] = done.get(f"{action['kind']}:{action['status']}", 0) + 1
        paused = f", liquidations paused for {self.paused}" if self.paused else ""
        return (f"block {self.block}: swept {self.swept} loans in {self.seconds:.2f} s, actions {done or 'none'}, "
                f"{self.alerts} new alerts{paused}")


def step(ctx: Context) -> StepReport:
    started = time.monotonic()
    ctx.sender.resolve_pending()
    head = ctx.client.head()
    report = StepReport(head.number, head.timestamp)
    with ctx.sessions() as db:
        rows = watched_loans(db, ctx.client.chain_id, head.timestamp)
    states = ctx.client.loan_states(list(rows), block=head.number, chunk=ctx.chunk)
    report.swept = len(states)
    decisions = [(d, s) for s in states if (d := decide(s, listing_of(rows[s.loan_id]), head.timestamp))]
    quotes: dict[str, Quote] = {}
    liquidating = {d.loan_id: rows[d.loan_id] for d, _ in decisions if d.kind == "liquidate"}
    if liquidating:
        with ctx.sessions() as db:
            ctx.positions = positions_from_events(db, ctx.client.chain_id, liquidating)
    for decision, state in decisions:
        if decision.kind == "paused":
            report.paused[state.collateral_token] = report.paused.get(state.collateral_token, 0) + 1
            continue
        result = act(ctx, decision, state, head.number, quotes)
        report.actions.append({"kind": decision.kind, "loan_id": decision.loan_id, "status": result.status,
                               "reason": result.reason or decision.reason, "tx_hash": result.tx_hash})
    if report.paused:
        log.warning("liquidations paused (price unusable) for %s", report.paused)
    report.alerts = send_alerts(ctx, states, rows, head.timestamp)
    report.seconds = time.monotonic() - started
    return report


def watched_loans(db: Session, chain_id: int, now: int) -> dict[int, Loan]:
    """Loans that may need an action or an alert: active and defaulted ones, listings past their
    deadline, and finished loans still holding collateral (from the indexed `loans` table)."""
    query = select(Loan).where(Loan.chain_id == chain_id, (Loan.status.in_(("active", "defaulted")))
                               | ((Loan.status == "listed") & (Loan.funding_deadline < now))
                               | (Loan.status.in_(FINISHED) & (Loan.collateral_amount != pad(0))))
    return {row.loan_id: row for row in db.scalars(query.order_by(Loan.loan_id))}


def listing_of(row: Loan) -> Listing:
    return Listing(row.loan_id, row.funding_deadline, int(row.principal), int(row.funded), row.min_fill_bps)


def act(ctx: Context, decision: Decision, state: LoanState, block: int, quotes: dict[str, Quote]) -> ActionResult:
    chain, client, loan_id = ctx.client.chain_id, ctx.client, decision.loan_id
    if decision.kind == "liquidate":
        return liquidate(ctx, decision, state, block, quotes)
    builders = {"mark_default": client.mark_default, "start": client.start, "expire": client.expire,
                "release": client.release}
    key = f"{decision.kind}:{chain}:{loan_id}"
    return ctx.sender.send(key, builders[decision.kind](loan_id), reason=decision.reason)


def quote(ctx: Context, token: str | None, quotes: dict[str, Quote]) -> Quote:
    if not token:
        return Quote(False, 0, 0)
    if token not in quotes:
        quotes[token] = ctx.client.quote(token)
    return quotes[token]


def liquidate(ctx: Context, decision: Decision, state: LoanState, block: int,
              quotes: dict[str, Quote]) -> ActionResult:
    position = ctx.positions.get(decision.loan_id) or ctx.client.position(decision.loan_id)
    position = replace(position, amount=state.collateral_amount)  # terms fixed at listing; the amount moves
    loan_quote, collateral_quote = quote(ctx, position.loan_token, quotes), quote(ctx, position.token, quotes)
    native = quote(ctx, ctx.native_token, quotes)
    if not (loan_quote.usable and collateral_quote.usable and native.usable):
        return ActionResult("skipped", reason="a price (loan token, collateral or gas token) is unusable")
    repay, cost = repay_amount(state, position, loan_quote, collateral_quote)
    if repay <= 0:
        return ActionResult("skipped", reason="nothing to repay")
    approval = ensure_allowance(ctx, position.loan_token, repay)
    if approval is not None:
        return approval

    def check(seized, gas: int, fee_per_gas: int) -> str | None:
        return profit_shortfall(int(seized), cost, gas, fee_per_gas, loan_quote, collateral_quote,
                                native.price_wad, ctx.min_profit_bps)

    with ctx.sessions() as db:
        attempt, busy = liquidation_attempt(db, ctx.client.chain_id, decision.loan_id, ctx.sender.claims.stale_seconds)
    if busy:
        return ActionResult("duplicate", reason="another liquidation of this loan is in flight")
    key = f"liquidate:{ctx.client.chain_id}:{decision.loan_id}:{attempt}"
    return ctx.sender.send(key, ctx.client.liquidate(decision.loan_id, repay), reason=f"{decision.reason} at block "
                           f"{block}", check=check)


def liquidation_attempt(db: Session, chain_id: int, loan_id: int, stale_seconds: float) -> tuple[int, bool]:
    """(number of this loan's liquidation attempts so far, whether one is in flight). Replicas that
    see the same history name the next attempt alike, so only one of them claims it; a finished
    attempt (confirmed, skipped, failed) lets the next step try again, and a claim abandoned by a
    dead process (pending past `stale_seconds`) does not block the loan."""
    rows = db.execute(select(BotAction.status, BotAction.claimed_at).where(
        BotAction.action_key.like(f"liquidate:{chain_id}:{loan_id}:%"))).all()
    cutoff = utcnow() - timedelta(seconds=stale_seconds)
    busy = any(status == "sent" or (status == "pending" and claimed_at >= cutoff) for status, claimed_at in rows)
    return len(rows), busy


def ensure_allowance(ctx: Context, token: str, amount: int) -> ActionResult | None:
    """The book pulls the liquidator's payment: approve it once (None when the allowance suffices)."""
    if token in ctx.approved:
        return None
    book = ctx.client["LoanBook"].address
    allowance = ctx.client.allowance(token, ctx.sender.address, book)
    if allowance >= UNLIMITED:
        ctx.approved.add(token)
    if allowance >= amount:
        return None
    result = ctx.sender.send(f"approve:{ctx.client.chain_id}:{token}:{book}:{ctx.sender.address}",
                             ctx.client.approve(token, book), reason="the loan book pulls liquidation payments")
    return None if result.status in ("confirmed", "duplicate") else result


def positions_from_events(db: Session, chain_id: int, loans: dict[int, Loan]) -> dict[int, Position]:
    """Liquidation terms fixed at listing, from the indexed CollateralLocked events (no RPC per loan)."""
    events = db.scalars(select(ChainEvent).where(ChainEvent.chain_id == chain_id,
                                                 ChainEvent.event == "CollateralLocked",
                                                 ChainEvent.loan_id.in_(list(loans))))
    return {e.loan_id: Position(e.args["token"], int(e.args["amount"]), loans[e.loan_id].token, 0,
                                int(e.args["liquidationThresholdBps"]), int(e.args["liquidationBonusBps"]),
                                int(e.args["closeFactorBps"])) for e in events}


def send_alerts(ctx: Context, states: list[LoanState], rows: dict[int, Loan], now: int) -> int:
    chain = ctx.client.chain_id
    with ctx.sessions() as db:
        lenders = holders(db, chain, [s.loan_id for s in states if s.late or s.status == "defaulted"])
        alerts = []
        for state in states:
            borrower = rows[state.loan_id].borrower
            alerts += alert_rules.collateral_alerts(state, borrower, chain)
            alerts += alert_rules.schedule_alerts(state, borrower, lenders.get(state.loan_id, []), now, chain,
                                                  ctx.client.units(rows[state.loan_id].token))
        alerts += liquidation_alerts(ctx, db)
        fresh = store_alerts(db, alerts)
        deliver(db, fresh, ctx.channels)
        return len(fresh)


def holders(db: Session, chain_id: int, loan_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if not loan_ids:
        return found
    query = select(NoteHolding.loan_id, NoteHolding.holder).where(
        NoteHolding.chain_id == chain_id, NoteHolding.loan_id.in_(loan_ids), NoteHolding.amount != pad(0))
    for loan_id, holder in db.execute(query):
        found.setdefault(loan_id, []).append(holder)
    return found


def liquidation_alerts(ctx: Context, db: Session) -> list:
    """Alerts for the Liquidated events indexed since the last step (anyone's liquidations)."""
    chain_id = ctx.client.chain_id
    events = db.scalars(select(ChainEvent).where(ChainEvent.chain_id == chain_id, ChainEvent.event == "Liquidated",
                                                 ChainEvent.block_number > ctx.liquidations_seen_through)
                        .order_by(ChainEvent.block_number, ChainEvent.log_index)).all()
    if not events:
        return []
    loans = {row.loan_id: row for row in db.scalars(select(Loan).where(
        Loan.chain_id == chain_id, Loan.loan_id.in_({e.loan_id for e in events})))}
    lenders = holders(db, chain_id, list(loans))
    alerts = []
    for event in events:
        loan = loans.get(event.loan_id)
        if loan and loan.collateral_token:
            alerts += alert_rules.liquidation_alerts(
                {"loan_id": event.loan_id, "tx_hash": event.tx_hash, "log_index": event.log_index,
                 "args": event.args}, loan.borrower, lenders.get(event.loan_id, []), chain_id,
                ctx.client.units(loan.token), ctx.client.units(loan.collateral_token))
    ctx.liquidations_seen_through = events[-1].block_number
    return alerts
