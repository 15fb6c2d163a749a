"""One auto-lend step: fund open listings from the commitments that match them, then sweep income
back into commitments that reinvest.

`step(ctx)` is idempotent. Candidates come from the database (open listings from the indexed
`loans`, commitment ids from indexed `CommitmentCreated` events, the lenders' filters), but every
figure a decision rests on is read from the chain at the step: the listing (LoanLens.loan), the
commitment (AutoLend.commitment), the lender's notes in the loan and what the commitment lent the
borrower. Matching (matching.py) mirrors the contract; the split (split.py) is fair.

No double funding: a commitment funds a listing at most once. Each funding's `bot_actions` key
is `fund:<chain>:<commitment>:<loan>:<attempt>`, where attempt counts this pair's earlier attempts
that were skipped or failed (so replicas and restarts name the same next attempt and only one of
them claims it); a pair with a confirmed or in-flight funding is never planned again, and a pair
refused `max_attempts` times is left alone. A reverted simulation (the loan changed state, the
lender withdrew, ...) is recorded as "skipped" with the contract's error as the reason.

Reinvesting: for each lender and token, the lowest-id live commitment whose rule says reinvest
claims the lender's income from the loans with something claimable into the commitment, keyed
`reinvest:<chain>:<commitment>:<block>` (once per block whoever runs it). It needs the lender's
ERC-1155 approval of AutoLend on the loan book; without it the step reports why and skips.

Fill alerts: every indexed FundedFromCommitment (whoever called it) tells the commitment's lender
what was lent, once per event.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.bots.autolend.matching import (DAY, Commitment, Exposure, Filters, Listing, capacity, commitment_refusal,
                                            filter_refusal, listing_refusal, rule_refusal)
from backend.bots.autolend.split import fair_split
from backend.db.models import BotAction, ChainEvent, Loan, NoteHolding
from backend.db.types import utcnow
from backend.indexer.projection import pad
from backend.notify import Alert, store_alerts
from backend.notify.channels import deliver
from backend.notify.wording import amount as amount_text
from backend.rules.commitments import created_by, load_filters
from backend.sdk import Head, LendchainClient
from backend.tx import TxSender

log = logging.getLogger("lendchain.bots.autolend")
WAKE_EVENTS = ("LoanRequested", "Funded", "RuleSet", "Deposited")
FINISHED_UNSUCCESSFULLY = ("skipped", "failed")


@dataclass
class Context:
    client: LendchainClient
    sender: TxSender
    sessions: Callable[[], Session]
    max_attempts: int = 3
    min_tickets: dict[str, int] = field(default_factory=dict)  # loan token -> LoanBook minimum funding
    channels: list = field(default_factory=list)  # notification channels (backend/notify/channels.py)
    fills_seen_through: int = 0  # id of the last FundedFromCommitment event alerted (a restart rescans: deduped)


@dataclass
class StepReport:
    block: int
    timestamp: int
    listings: int = 0
    commitments: int = 0
    actions: list[dict] = field(default_factory=list)
    refusals: list[dict] = field(default_factory=list)  # matched by rule, held back by a limit or filter
    alerts: int = 0
    seconds: float = 0.0

    def funded(self, commitment_id: int | None = None) -> int:
        return sum(int(a["amount"]) for a in self.actions if a["kind"] == "fund" and a["status"] == "confirmed"
                   and commitment_id in (None, a["commitment_id"]))

    def summary(self) -> str:
        done = defaultdict(int)
        for action in self.actions:
            done[f"{action['kind']}:{action['status']}"] += 1
        return (f"block {self.block}: {self.listings} open listings, {self.commitments} live commitments, "
                f"actions {dict(done) or 'none'}, {len(self.refusals)} held back, {self.alerts} new alerts, "
                f"{self.seconds:.2f} s")


@dataclass
class PairHistory:
    """This bot's earlier attempts to fund one listing from one commitment."""

    done: bool = False  # a funding confirmed or in flight: never again
    busy: bool = False  # claimed by a live process, nothing sent yet
    attempts: int = 0  # skipped or failed so far: the next attempt's number
    recent: bool = False  # done within the last day (wall clock): counts for max_loans_per_day


@dataclass
class Plan:
    """What one step knows from the database."""

    listing_ids: list[int]
    commitment_ids: list[int]
    filters: dict[int, Filters]
    history: dict[tuple[int, int], PairHistory]
    today: dict[int, set[int]]  # commitment -> loans funded in the last day


def wake_mark(sessions: Callable[[], Session], client: LendchainClient) -> tuple[int, int]:
    """What the loop watches: a new block, or a newly indexed LoanRequested/Funded/RuleSet/Deposited."""
    with sessions() as db:
        newest = db.scalar(select(func.max(ChainEvent.id)).where(ChainEvent.chain_id == client.chain_id,
                                                                 ChainEvent.event.in_(WAKE_EVENTS)))
    return client.web3.eth.block_number, newest or 0


def step(ctx: Context) -> StepReport:
    started = time.monotonic()
    ctx.sender.resolve_pending()
    head = ctx.client.head()
    report = StepReport(head.number, head.timestamp)
    with ctx.sessions() as db:
        plan = read_plan(db, ctx.client.chain_id, head.timestamp, ctx.sender.claims.stale_seconds)
    commitments = [Commitment.from_named(i, ctx.client.commitment(i)) for i in plan.commitment_ids]
    live = {c.id: c for c in commitments if commitment_refusal(c, ctx.sender.address, head.timestamp) is None
            and c.available > 0 and c.budget > 0 and not plan.filters[c.id].paused}
    report.listings, report.commitments = len(plan.listing_ids), len(live)
    for loan_id in plan.listing_ids if live else []:
        listing = Listing.from_loan(loan_id, ctx.client.loan(loan_id))
        fund_listing(ctx, report, plan, listing, live, head)
    reinvest(ctx, report, commitments, head)
    report.alerts = fill_alerts(ctx)
    report.seconds = time.monotonic() - started
    return report


def read_plan(db: Session, chain_id: int, now: int, stale_seconds: float) -> Plan:
    listings = db.scalars(select(Loan.loan_id).where(
        Loan.chain_id == chain_id, Loan.status == "listed", Loan.funding_deadline >= now,
        Loan.funded < Loan.principal).order_by(Loan.listed_block, Loan.loan_id)).all()
    closed = {int(args["commitmentId"]) for args in db.scalars(select(ChainEvent.args).where(
        ChainEvent.chain_id == chain_id, ChainEvent.event == "CommitmentClosed"))}
    ids = sorted(set(created_by(db, chain_id)) - closed)
    history = pair_history(db, chain_id, stale_seconds)
    return Plan(list(listings), ids, load_filters(db, chain_id, ids), history, funded_today(db, chain_id, now, history))


def pair_history(db: Session, chain_id: int, stale_seconds: float) -> dict[tuple[int, int], PairHistory]:
    stale = utcnow() - timedelta(seconds=stale_seconds)
    day_ago = utcnow() - timedelta(days=1)
    found: dict[tuple[int, int], PairHistory] = defaultdict(PairHistory)
    rows = db.execute(select(BotAction.action_key, BotAction.status, BotAction.claimed_at, BotAction.created_at)
                      .where(BotAction.action_key.like(f"fund:{chain_id}:%")))
    for key, status, claimed_at, created_at in rows:
        _, _, commitment_id, loan_id, _ = key.split(":")
        pair = found[(int(commitment_id), int(loan_id))]
        if status in FINISHED_UNSUCCESSFULLY:
            pair.attempts += 1
        elif status in ("confirmed", "sent"):
            pair.done = True
            pair.recent = pair.recent or created_at >= day_ago
        elif claimed_at >= stale:  # pending, owned by a live process
            pair.busy = True
    return found


def funded_today(db: Session, chain_id: int, now: int, history: dict) -> dict[int, set[int]]:
    """Loans each commitment funded in the last day: indexed FundedFromCommitment events (anyone's
    calls) within a day of chain time, and this bot's recent fundings the indexer may not have yet."""
    today: dict[int, set[int]] = defaultdict(set)
    for args in db.scalars(select(ChainEvent.args).where(ChainEvent.chain_id == chain_id,
                                                         ChainEvent.event == "FundedFromCommitment",
                                                         ChainEvent.block_timestamp > now - DAY)):
        today[int(args["commitmentId"])].add(int(args["loanId"]))
    for (commitment_id, loan_id), pair in history.items():
        if pair.recent:
            today[commitment_id].add(loan_id)
    return today


def exposure(ctx: Context, c: Commitment, listing: Listing, plan: Plan) -> Exposure:
    book, autolend = ctx.client["LoanBook"].functions, ctx.client["AutoLend"].functions
    return Exposure(int(book.balanceOf(c.lender, listing.loan_id).call()),
                    int(autolend.lentToBorrower(c.id, listing.borrower).call()), len(plan.today[c.id]))


def caps_for(ctx: Context, report: StepReport, plan: Plan, listing: Listing,
             live: dict[int, Commitment]) -> dict[int, int]:
    """Each eligible commitment's capacity for the listing (one commitment per lender per step).
    None of them when another process has a funding of this listing in flight: it is left to that
    process for this step, so replicas do not split one listing two ways."""
    if any(plan.history[(cid, listing.loan_id)].busy for cid in live):
        return {}
    caps: dict[int, int] = {}
    lenders: set[str] = set()
    for c in live.values():
        pair = plan.history[(c.id, listing.loan_id)]
        if (rule_refusal(c, listing) or c.lender in lenders or pair.done or pair.busy
                or pair.attempts >= ctx.max_attempts):
            continue
        seen = exposure(ctx, c, listing, plan)
        why = filter_refusal(plan.filters[c.id], listing, seen)
        most = capacity(c, listing, seen)
        if why or most == 0:
            report.refusals.append({"commitment_id": c.id, "loan_id": listing.loan_id,
                                    "reason": why or "a limit is reached (maxPerLoan, maxPerBorrower or budget)"})
            continue
        caps[c.id] = most
        lenders.add(c.lender)
    return caps


def min_ticket(ctx: Context, token: str) -> int:
    if token not in ctx.min_tickets:
        ctx.min_tickets[token] = int(ctx.client["LoanBook"].functions.loanTokens(token).call()[1])
    return ctx.min_tickets[token]


def fund_listing(ctx: Context, report: StepReport, plan: Plan, listing: Listing, live: dict[int, Commitment],
                 head: Head) -> None:
    """Fund the listing's fair shares, one transaction per commitment in id order; a confirmed one
    lowers the commitment's funds and budget for the rest of the step."""
    if listing_refusal(listing, head.timestamp):
        return
    caps = caps_for(ctx, report, plan, listing, live)
    shares = fair_split(listing.remaining, caps, min_ticket(ctx, listing.token))
    chain = ctx.client.chain_id
    for commitment_id, amount in sorted(shares.items()):
        attempt = plan.history[(commitment_id, listing.loan_id)].attempts
        result = ctx.sender.send(f"fund:{chain}:{commitment_id}:{listing.loan_id}:{attempt}",
                                 ctx.client.fund_from_commitment(commitment_id, listing.loan_id, amount),
                                 reason=f"fair share {amount} of listing {listing.loan_id} at block {head.number}")
        report.actions.append({"kind": "fund", "commitment_id": commitment_id, "loan_id": listing.loan_id,
                               "amount": str(amount), "status": result.status, "reason": result.reason,
                               "tx_hash": result.tx_hash})
        if result.status == "confirmed":
            plan.today[commitment_id].add(listing.loan_id)
            spent = live[commitment_id]
            live[commitment_id] = replace(spent, available=spent.available - amount, budget=spent.budget - amount)
        else:
            log.info("fund %s from commitment %s: %s %s", listing.loan_id, commitment_id, result.status, result.reason)


def reinvest(ctx: Context, report: StepReport, commitments: list[Commitment], head: Head) -> None:
    swept: set[tuple[str, str]] = set()
    autolend = ctx.client["AutoLend"].address
    for c in commitments:
        if not c.reinvest or c.closed or head.timestamp > c.expiry or (c.lender, c.token) in swept:
            continue
        swept.add((c.lender, c.token))
        if not ctx.client["LoanBook"].functions.isApprovedForAll(c.lender, autolend).call():
            report.refusals.append({"commitment_id": c.id, "loan_id": None,
                                    "reason": "reinvest: the lender has not approved AutoLend for its notes"})
            continue
        loan_ids = claimable_loans(ctx, c)
        if not loan_ids:
            continue
        result = ctx.sender.send(f"reinvest:{ctx.client.chain_id}:{c.id}:{head.number}",
                                 ctx.client.reinvest(c.id, loan_ids), reason=f"income of loans {loan_ids}")
        report.actions.append({"kind": "reinvest", "commitment_id": c.id, "loan_ids": loan_ids,
                               "status": result.status, "reason": result.reason, "tx_hash": result.tx_hash})


def claimable_loans(ctx: Context, c: Commitment) -> list[int]:
    """The lender's loans in the commitment's token with income to claim now (LoanLens.claimables)."""
    with ctx.sessions() as db:
        held = db.scalars(select(NoteHolding.loan_id).join(Loan, (Loan.chain_id == NoteHolding.chain_id)
                                                           & (Loan.loan_id == NoteHolding.loan_id))
                          .where(NoteHolding.chain_id == ctx.client.chain_id, NoteHolding.holder == c.lender,
                                 NoteHolding.amount != pad(0), Loan.token == c.token,
                                 Loan.status.in_(("active", "repaid", "defaulted", "closed")))
                          .order_by(NoteHolding.loan_id)).all()
    if not held:
        return []
    amounts = ctx.client["LoanLens"].functions.claimables(list(held), c.lender).call()
    return [loan_id for loan_id, amount in zip(held, amounts) if int(amount) > 0]


def fill_alerts(ctx: Context) -> int:
    """Tell each lender about the fundings from their commitments indexed since the last step."""
    chain_id = ctx.client.chain_id
    with ctx.sessions() as db:
        events = db.scalars(select(ChainEvent).where(ChainEvent.chain_id == chain_id,
                                                     ChainEvent.event == "FundedFromCommitment",
                                                     ChainEvent.id > ctx.fills_seen_through)
                            .order_by(ChainEvent.id)).all()
        if not events:
            return 0
        lenders = created_by(db, chain_id)
        tokens = dict(db.execute(select(Loan.loan_id, Loan.token).where(
            Loan.chain_id == chain_id, Loan.loan_id.in_({e.loan_id for e in events}))).all())
        alerts = [fill_alert(chain_id, event, lenders[int(event.args["commitmentId"])],
                             ctx.client.units(tokens[event.loan_id]))
                  for event in events if int(event.args["commitmentId"]) in lenders and event.loan_id in tokens]
        fresh = store_alerts(db, alerts)
        deliver(db, fresh, ctx.channels)
        ctx.fills_seen_through = events[-1].id
        return len(fresh)


def fill_alert(chain_id: int, event: ChainEvent, lender: str, units) -> Alert:
    args = event.args
    lent, left = int(args["amount"]), int(args["available"])
    message = (f"Auto-lend rule #{args['commitmentId']} lent {amount_text(lent, units)} to loan #{event.loan_id}; "
               f"{amount_text(left, units)} is left to lend.")
    return Alert(lender, "autolend_fill", message, f"fill:{chain_id}:{event.tx_hash}:{event.log_index}:{lender}",
                 event.loan_id, {"commitment_id": str(args["commitmentId"]), "amount": str(lent),
                                 "available": str(left)})
