"""Stateful invariant test of LoanBook: random sequences of listing, cancelling, funding, starting,
refunding, repaying, time jumps, defaults, note transfers, claims, fee withdrawals, pauses and a
direct token donation, checked after every step against a plain-Python ghost of the platform.

Every example starts from the same deployment with an active loan and a partly funded listing;
each step then draws one action, by weight, among those that have something to act on. The ghost
predicts every transaction's outcome: it must revert with exactly the custom error the ghost
expects (and change nothing), or succeed when the ghost expects success.

Invariants checked after every step:
  1. Solvency: the book's token balance equals what it owes (holders' unclaimed income + platform
     fees due + principal escrowed for loans that are listed, cancelled or expired) plus the
     donation, and covers every holder's `claimable` (rounding dust stays in the book).
  2. Fair shares: no holder's claimed + claimable income exceeds their exact pro-rata share
     (Fractions) of the repayments made while they held notes, nor falls a base unit short of it.
  3. Notes: every loan's note supply equals its funded principal; every balance is the ghost's.
  4. Status ladder: Listed -> Active -> Repaid | Defaulted, Defaulted -> Repaid,
     Listed -> Cancelled | Expired; the status is always the one the ghost predicts.
  5. Schedule: the repayment state equals backend.loan_model's; every Repayment event splits the
     payment (late fees, interest, principal, platform fee) and `amountDue` reports the charges
     exactly as the model does.

Run with `-s` to see the line `invariant steps: N`. LENDCHAIN_INVARIANT_EXAMPLES and
LENDCHAIN_INVARIANT_STEPS override the number of examples and the steps per example.
"""

import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from brownie import chain, web3
from brownie.exceptions import VirtualMachineError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from backend.loan_model import LoanState
from scripts.policy import GRADE_POLICY
from tests.contracts import helpers

EXAMPLES = int(os.environ.get("LENDCHAIN_INVARIANT_EXAMPLES", 25))
STEPS = int(os.environ.get("LENDCHAIN_INVARIANT_STEPS", 30))
# CI replays the same examples every run (a red CI must be reproducible); local runs explore anew.
DERANDOMIZE = bool(os.environ.get("CI"))

# Relative weights of the actions a step draws from (among those that have something to act on):
# the lending flow most, the rarer events less.
WEIGHTS = {"list_loan": 2, "cancel": 1, "start": 2, "fund": 4, "refund": 2, "repay": 5, "mark_default": 4,
           "transfer_notes": 3, "claim": 3, "sleep": 4, "withdraw_fees": 1, "donate": 1}
MAX_LOANS = 5  # loans per example: enough to interleave, few enough that every step stays fast
MAX_OPEN_LISTINGS = 2  # so that listings wait for funding, deadlines and starts instead of piling up
# The machine lists unsecured loans only; collateral and liquidation have their own tests.
UNSECURED_GRADES = [grade for grade, (_, _, min_ratio_bps) in GRADE_POLICY.items() if min_ratio_bps == 0]

USDC = helpers.USDC
HOUR = 3600
DAY = helpers.DAY
BPS = 10_000
# Seconds around "now" within which a time-dependent outcome may go either way: brownie's clock and
# the next block's timestamp can differ by a second or two.
MARGIN = 120
# Scale of LoanNotes' per-note income accumulator (ACC_SCALE in contracts/LoanNotes.sol).
ACC_SCALE = 10**15

NONE, LISTED, ACTIVE, REPAID, DEFAULTED, CANCELLED, EXPIRED, CLOSED = range(8)
STARTED = (ACTIVE, REPAID, DEFAULTED)
ESCROWED = (LISTED, CANCELLED, EXPIRED)  # the book holds the funded principal
# ILoanBook's lifecycle (Closed comes only from liquidation, which unsecured loans never see).
LADDER = {NONE: {LISTED}, LISTED: {ACTIVE, CANCELLED, EXPIRED}, ACTIVE: {REPAID, DEFAULTED, CLOSED},
          DEFAULTED: {REPAID, CLOSED}}

STATS: Counter = Counter()  # steps and outcomes over the whole run, printed at the end


def reachable(status) -> set:
    """Statuses reachable from `status` along the ladder, itself included (one step may hold several
    transactions: the opening step lists loans and funds them)."""
    found, todo = {status}, [status]
    while todo:
        for following in LADDER.get(todo.pop(), ()):
            if following not in found:
                found.add(following)
                todo.append(following)
    return found


# ---------------------------------------------------------------------------------------- ghost


@dataclass
class Holding:
    """One holder's position in one loan, as the ghost expects it."""

    notes: int = 0
    ever_held: int = 0  # notes ever minted to or received by this holder
    claimed: int = 0
    share: Fraction = Fraction(0)  # exact pro-rata share of the income distributed while holding
    # Bound on what the accumulator may credit beyond `share`: it keeps income per note rounded
    # down to 1/ACC_SCALE, so notes bought while that rounding is large can earn up to their count
    # / ACC_SCALE of a base unit more than their exact share (and the sellers' notes as much less).
    rounding_credit: Fraction = Fraction(0)


@dataclass
class GhostLoan:
    loan_id: int
    borrower: Any
    principal: int
    apr_bps: int
    instalments: int
    period: int
    deadline: int
    min_fill: int  # base units
    status: int = LISTED
    funded: int = 0
    holdings: dict = field(default_factory=dict)  # holder address -> Holding
    model: LoanState | None = None  # repayment state once started
    distributed: int = 0  # income distributed to holders so far
    fees_due: int = 0  # platform fees not yet withdrawn

    def holding(self, holder) -> Holding:
        return self.holdings.setdefault(str(holder), Holding())

    def notes_of(self, holder) -> int:
        return self.holdings[str(holder)].notes if str(holder) in self.holdings else 0

    @property
    def remaining(self) -> int:
        return self.principal - self.funded

    @property
    def unclaimed(self) -> int:
        return self.distributed - sum(h.claimed for h in self.holdings.values())


@dataclass
class Platform:
    """Deployed contracts, actors and the book's configuration."""

    book: Any
    usdc: Any
    registry: Any
    signer: Any
    gov: Any
    borrowers: list
    lenders: list
    outsider: Any  # gets notes only by transfer; repays for others; donates to the book
    min_funding: int
    fee_bps: int
    late_fee_bps: int
    grace_period: int
    default_after: int
    start_window: int

    @property
    def holders(self) -> list:
        return [*self.lenders, self.outsider]


@dataclass
class Observation:
    """Everything the invariants read from the chain after a step."""

    balance: int
    loan_count: int
    loans: dict  # loan id -> Loan struct as a dict
    notes: dict  # (loan id, holder) -> balanceOf
    claimable: dict  # (loan id, holder) -> claimable, for everyone who held notes of a started loan


def read_views(calls):
    """Answers of many view calls sent as one JSON-RPC batch: Ganache takes several ms per call and
    the invariants read a few dozen values after every step."""
    with web3.batch_requests() as batch:
        for contract, name, args in calls:
            data = getattr(contract, name).encode_input(*args)
            batch.add(web3.eth.call({"to": contract.address, "data": data}))
        answers = batch.execute()
    return [getattr(contract, name).decode_output(answer) for (contract, name, _), answer in zip(calls, answers)]


# ---------------------------------------------------------------------------------------- machine


class LendingMachine(RuleBasedStateMachine):
    def __init__(self, platform: Platform):
        super().__init__()
        chain.revert()
        STATS["examples"] += 1
        self.p = platform
        self.loans: dict[int, GhostLoan] = {}
        self.paused = False
        self.donations = 0
        self.nonces = Counter()  # registry nonce per borrower
        self.scores: dict[str, tuple[int, int]] = {}  # borrower -> (grade, expires at)
        self.last_obs: Observation | None = None
        self.due: dict[int, Any] = {}  # loan id -> amountDue as read after the previous step
        self.changed = False  # did this step send a transaction that changes what the invariants read?

    # ------------------------------------------------------------------ steps

    @initialize(data=st.data())
    def open_book(self, data):
        """Every example starts with an active loan funded by one to three lenders and a listing
        partly funded, whatever its steps turn out to be."""
        active = self._list(data, valid=True)
        tickets = data.draw(st.integers(1, 3), label="tickets")
        for ticket in range(tickets):
            lender = data.draw(st.sampled_from(self.p.lenders), label="lender")
            last = ticket == tickets - 1 or active.remaining <= self.p.min_funding
            amount = active.remaining if last else data.draw(
                st.integers(self.p.min_funding, active.remaining), label="amount")
            self._fund(active, lender, amount)
            if active.status != LISTED:
                break
        listed = self._list(data, valid=True)
        if listed.remaining > self.p.min_funding:
            amount = data.draw(st.integers(self.p.min_funding, listed.remaining - 1), label="amount")
            self._fund(listed, data.draw(st.sampled_from(self.p.lenders), label="lender"), amount)

    # One rule that draws the action itself, rather than a rule per action: with hypothesis' own
    # choice (swarm testing, duplicated blocks) runs of this size often never started, refunded or
    # defaulted a loan.
    @rule(data=st.data())
    def step(self, data):
        """One action, drawn by weight among those that have something to act on now."""
        choices = [action for action, weight in WEIGHTS.items() if self._useful(action) for _ in range(weight)]
        getattr(self, data.draw(st.sampled_from(choices), label="action"))(data)

    def _useful(self, action) -> bool:
        """Whether `action` has something to act on. It then mostly acts on that, and sometimes on
        anything else, on purpose, to exercise the expected reverts."""
        if action == "list_loan":
            open_listings = sum(loan.status == LISTED for loan in self.loans.values())
            return len(self.loans) < MAX_LOANS and open_listings < MAX_OPEN_LISTINGS
        if action == "donate":
            return self.donations == 0  # once an example shows that a surplus is harmless
        if action == "sleep":
            return True
        return self._some({
            "cancel": self._cancellable, "start": self._startable, "fund": self._fundable,
            "refund": self._refundable, "repay": self._repayable, "mark_default": self._defaultable,
            "transfer_notes": self._has_notes, "claim": self._has_income, "withdraw_fees": self._has_fees,
        }[action])

    # What the actions mostly act on.

    def _cancellable(self, loan) -> bool:
        return loan.status == LISTED and loan.funded > 0  # so that lenders then have something to refund

    def _fundable(self, loan) -> bool:
        return loan.status == LISTED and chain.time() < loan.deadline

    def _startable(self, loan) -> bool:
        return loan.status == LISTED and loan.funded >= loan.min_fill

    def _refundable(self, loan) -> bool:
        return loan.funded > 0 and (loan.status in (CANCELLED, EXPIRED) or self._expires(loan, chain.time()))

    def _repayable(self, loan) -> bool:
        return loan.status in (ACTIVE, DEFAULTED)

    def _defaultable(self, loan) -> bool:
        return loan.status == ACTIVE and chain.time() >= self._eligible_for_default(loan)

    def _has_notes(self, loan) -> bool:
        return loan.funded > 0

    def _has_income(self, loan) -> bool:
        return any(self._claimable(loan.loan_id, holder) for holder in self.p.holders)

    def _has_fees(self, loan) -> bool:
        return loan.fees_due > 0

    # ------------------------------------------------------------------ borrower actions

    def list_loan(self, data):
        with self._maybe_paused(data):
            self._list(data, valid=False)

    def _list(self, data, valid) -> GhostLoan | None:
        """A listing by a random borrower within its grade's policy; unless `valid`, sometimes
        with a stale score or outside the policy."""
        p = self.p
        who = data.draw(st.sampled_from(p.borrowers), label="borrower")
        fresh = valid or not self._rarely(data, "reuse the stored score")
        stored = self.scores.get(str(who))
        grade = data.draw(st.sampled_from(UNSECURED_GRADES), label="grade") if fresh or not stored else stored[0]
        max_whole, max_apr, _ = GRADE_POLICY[grade]
        max_principal = max_whole * USDC
        if self._rarely(data, "dust-sized principal"):
            principal = data.draw(st.integers(1, USDC), label="principal")
        else:
            principal = min(data.draw(st.integers(1, max_whole), label="principal, whole tokens") * USDC
                            + data.draw(st.integers(0, USDC - 1), label="principal, odd units"), max_principal)
        apr = data.draw(st.integers(0, max_apr), label="apr bps")
        if not valid and self._rarely(data, "break the grade policy"):
            if data.draw(st.booleans(), label="above the maximum APR (else principal)"):
                apr = max_apr + 1
            else:
                principal = max_principal + 1
        instalments = data.draw(st.integers(1, 24), label="instalments")
        period = data.draw(st.sampled_from([DAY, 7 * DAY, 30 * DAY]) | st.integers(DAY, 90 * DAY), label="period")
        min_fill_bps = data.draw(st.integers(1, BPS), label="min fill bps")
        deadline = chain.time() + data.draw(st.integers(HOUR, 59 * DAY), label="listing duration")
        terms = helpers.terms(p.usdc, principal=principal, apr_bps=apr, instalments=instalments, period=period,
                              deadline=deadline, min_fill_bps=min_fill_bps)
        attestation, signature = helpers.attestation(p.registry, p.signer, who, grade=grade,
                                                     nonce=self.nonces[str(who)])

        def predict(now):
            if self.paused:
                return "LendingPaused"
            if not fresh and (stored is None or stored[1] <= now):
                return "NoValidScore"
            if principal > max_principal:
                return "PrincipalAboveLimit"
            if apr > max_apr:
                return "AprAboveLimit"
            return None

        tx = self._act("list", predict, lambda: p.book.requestLoan(
            terms, attestation, signature if fresh else b"", {"from": who}))
        if tx is None:
            return None
        if fresh:
            self.nonces[str(who)] += 1
            self.scores[str(who)] = (grade, attestation[4])
        event = tx.events["LoanRequested"]
        assert (event["loanId"], event["grade"]) == (len(self.loans) + 1, grade)
        loan = GhostLoan(event["loanId"], who, principal, apr, instalments, period, deadline,
                         min_fill=-(-principal * min_fill_bps // BPS))
        self.loans[loan.loan_id] = loan
        return loan

    def cancel(self, data):
        loan = self._pick_loan(data, self._cancellable)
        caller = self.p.lenders[0] if self._rarely(data, "not the borrower") else loan.borrower

        def predict(now):
            if loan.status != LISTED:
                return "LoanNotListed"
            return "NotBorrower" if caller != loan.borrower else None

        if self._act("cancel", predict, lambda: self.p.book.cancel(loan.loan_id, {"from": caller})):
            loan.status = CANCELLED

    def start(self, data):
        loan = self._pick_loan(data, self._startable)
        caller = self.p.lenders[0] if self._rarely(data, "not the borrower") else loan.borrower

        def predict(now):
            if loan.status != LISTED:
                return "LoanNotListed"
            if caller != loan.borrower and now <= loan.deadline:
                return "NotBorrower"
            if now > loan.deadline + self.p.start_window:
                return "LoanNotListed"  # expired (ILoanBook), even before a refund records it
            return "MinimumFillNotReached" if loan.funded < loan.min_fill else None

        with self._maybe_paused(data):
            tx = self._act("start", predict, lambda: self.p.book.start(loan.loan_id, {"from": caller}))
        if tx:
            self._start(loan, tx.timestamp)

    def repay(self, data):
        loan = self._pick_loan(data, self._repayable)
        payer = self.p.outsider if self._rarely(data, "someone else pays") else loan.borrower
        model = loan.model
        payoff = model.payoff(chain.time()) if model else 0
        due = self.due.get(loan.loan_id)
        if self._rarely(data, "odd amount"):
            amount = data.draw(st.sampled_from([0, payoff + 1_000 * USDC]), label="zero or overpay")
        else:
            kind = data.draw(st.sampled_from(["part", "instalment", "to be current", "part", "instalment", "payoff"]),
                             label="amount")
            if kind == "part" or model is None:
                amount = data.draw(st.integers(1, max(payoff, 1)), label="part")
            elif kind == "instalment":
                amount = model.instalment
            elif kind == "to be current" and due:
                amount = due["toBeCurrent"] or model.instalment
            else:
                amount = payoff

        def predict(now):
            if amount == 0:
                return "ZeroAmount"
            return None if loan.status in (ACTIVE, DEFAULTED) else "NotRepayable"

        with self._maybe_paused(data):
            tx = self._act("repay", predict, lambda: self.p.book.repay(loan.loan_id, amount, {"from": payer}))
        if tx is None:
            return
        loan.model, parts = model.repaid(tx.timestamp, amount)
        event = tx.events["Repayment"]
        assert (event["lateFees"], event["interest"], event["principal"], event["platformFee"]) == (
            parts["late_fees"], parts["interest"], parts["principal"], parts["platform_fee"]
        ), f"repayment split {dict(event)} differs from the model's {parts}"
        loan.fees_due += parts["platform_fee"]
        self._distribute(loan, parts["to_holders"])
        if loan.model.outstanding == 0:
            loan.status = REPAID
        STATS["repaid in full" if loan.status == REPAID else "repaid in part"] += 1

    # ------------------------------------------------------------------ lender actions

    def fund(self, data):
        loan = self._pick_loan(data, self._fundable)
        lender = data.draw(st.sampled_from(self.p.lenders), label="lender")
        remaining = loan.remaining
        if self._rarely(data, "odd amount"):
            amount = data.draw(st.sampled_from([0, min(remaining, self.p.min_funding - 1), remaining + 1]),
                               label="zero, dust or too much")
        elif data.draw(st.integers(0, 2), label="the remainder if 0") == 0:
            amount = remaining
        else:
            amount = max(remaining * data.draw(st.integers(1, 99), label="percent of the remainder") // 100, 1)
        with self._maybe_paused(data):
            self._fund(loan, lender, amount)

    def _fund(self, loan, lender, amount):
        remaining = loan.remaining

        def predict(now):
            if self.paused:
                return "LendingPaused"
            if loan.status != LISTED:
                return "LoanNotListed"
            if now > loan.deadline:
                return "FundingClosed"
            if amount == 0:
                return "ZeroAmount"
            if amount > remaining:
                return "FundingExceedsRemaining"
            if amount < self.p.min_funding and amount != remaining:
                return "BelowMinimumFunding"
            return None

        tx = self._act("fund", predict, lambda: self.p.book.fund(loan.loan_id, amount, {"from": lender}))
        if tx is None:
            return
        holding = loan.holding(lender)
        holding.notes += amount
        holding.ever_held += amount
        loan.funded += amount
        if amount == remaining:
            self._start(loan, tx.timestamp)

    def refund(self, data):
        loan = self._pick_loan(data, self._refundable)
        holder = self._pick_holder(data, loan.notes_of)
        notes = loan.notes_of(holder)

        def predict(now):
            if loan.status not in (CANCELLED, EXPIRED) and not self._expires(loan, now):
                return "NotRefundable"
            return "NothingToRefund" if notes == 0 else None

        with self._maybe_paused(data):
            tx = self._act("refund", predict, lambda: self.p.book.refund(loan.loan_id, {"from": holder}))
        if tx is None:
            return
        assert tx.events["Refunded"]["amount"] == notes
        if loan.status == LISTED:
            loan.status = EXPIRED
        loan.holding(holder).notes = 0
        loan.funded -= notes

    def transfer_notes(self, data):
        loan = self._pick_loan(data, self._has_notes)
        sender = self._pick_holder(data, loan.notes_of, "sender")
        receiver = data.draw(st.sampled_from(self.p.holders), label="receiver")
        balance = loan.notes_of(sender)
        if self._rarely(data, "more than held"):
            value = balance + 1
        else:
            value = data.draw(st.sampled_from([balance]) | st.integers(0, balance), label="value")

        def predict(now):
            return "ERC1155InsufficientBalance" if value > balance else None

        if self._act("transfer", predict, lambda: self.p.book.safeTransferFrom(
                sender, receiver, loan.loan_id, value, b"", {"from": sender})):
            self._move_notes(loan, sender, receiver, value)

    def claim(self, data):
        with self._maybe_paused(data):
            if data.draw(st.booleans(), label="claimMany"):
                self._claim_many(data)
            else:
                self._claim_one(data)

    def _claim_one(self, data):
        loan = self._pick_loan(data, self._has_income)
        holder = self._pick_holder(data, lambda h: self._claimable(loan.loan_id, h))
        expected = self._claimable(loan.loan_id, holder)

        def predict(now):
            return "NothingToClaim" if expected == 0 else None

        tx = self._act("claim", predict, lambda: self.p.book.claim(loan.loan_id, {"from": holder}))
        if tx:
            assert tx.events["Claimed"]["amount"] == expected
            loan.holding(holder).claimed += expected

    def _claim_many(self, data):
        holder = self._pick_holder(data, lambda h: any(self._claimable(i, h) for i in self.loans))
        earning = [] if self._rarely(data, "skip the loans with income") else [
            i for i in self.loans if self._claimable(i, holder)]
        # Other ids, unknown ones (0 and one past the last) and repeats must simply be skipped.
        ids = earning + data.draw(st.lists(st.sampled_from([0, *self.loans, len(self.loans) + 1]), max_size=3),
                                  label="more ids")
        expected = {i: self._claimable(i, holder) for i in set(ids)}

        def predict(now):
            return "NothingToClaim" if sum(expected.values()) == 0 else None

        tx = self._act("claimMany", predict, lambda: self.p.book.claimMany(ids, {"from": holder}))
        if tx is None:
            return
        paid = Counter()
        for event in tx.events["Claimed"]:
            paid[event["loanId"]] += event["amount"]
        assert paid == +Counter(expected), f"claimMany paid {dict(paid)}, expected {expected}"
        for loan_id, amount in paid.items():
            self.loans[loan_id].holding(holder).claimed += amount

    # ------------------------------------------------------------------ anyone, governance, time

    def mark_default(self, data):
        loan = self._pick_loan(data, self._defaultable)
        caller = data.draw(st.sampled_from(self.p.holders), label="caller")

        def predict(now):
            if loan.status != ACTIVE or now < self._eligible_for_default(loan):
                return "NotDefaultable"
            return None

        tx = self._act("markDefault", predict, lambda: self.p.book.markDefault(loan.loan_id, {"from": caller}))
        if tx:
            loan.model, _ = loan.model.accrued(tx.timestamp)
            loan.status = DEFAULTED

    def sleep(self, data):
        """Time passes: to around a loan's next deadline, where outcomes flip, or by a random jump."""
        deadlines = self._upcoming_deadlines()
        if deadlines and data.draw(st.booleans(), label="to around a deadline"):
            target = data.draw(st.sampled_from(deadlines), label="deadline")
            seconds = max(target - chain.time() + data.draw(st.integers(-DAY, DAY), label="offset"), 1)
        else:
            seconds = data.draw(st.integers(HOUR, 3 * DAY) | st.integers(3 * DAY, 60 * DAY)
                                | st.integers(60 * DAY, 250 * DAY), label="seconds")
        chain.sleep(seconds)
        STATS["sleep"] += 1

    def withdraw_fees(self, data):
        caller = self.p.lenders[0] if self._rarely(data, "not governance") else self.p.gov
        ids = data.draw(st.lists(st.sampled_from([0, *self.loans, len(self.loans) + 1]), max_size=4), label="ids")
        expected = {i: self.loans[i].fees_due for i in set(ids) if i in self.loans}

        def predict(now):
            return "NotGovernance" if caller != self.p.gov else None

        tx = self._act("withdrawFees", predict, lambda: self.p.book.withdrawFees(ids, {"from": caller}))
        if tx is None:
            return
        paid = Counter()
        for event in tx.events["FeesWithdrawn"] if "FeesWithdrawn" in tx.events else []:
            paid[event["loanId"]] += event["amount"]
        assert paid == +Counter(expected), f"withdrew {dict(paid)}, expected {expected}"
        for loan_id in expected:
            self.loans[loan_id].fees_due = 0

    def donate(self, data):
        """Someone sends tokens straight to the book: they stay there, owed to no one."""
        amount = data.draw(st.integers(1, 1_000 * USDC), label="donation")
        if self._act("donate", lambda now: None,
                     lambda: self.p.usdc.transfer(self.p.book, amount, {"from": self.p.outsider})):
            self.donations += amount

    # ------------------------------------------------------------------ helpers

    def _act(self, name, predict, send, observable=True):
        """Send a transaction whose outcome the ghost predicts: `predict(timestamp)` returns the
        expected custom error's name, or None for success. Within MARGIN of a time boundary either
        outcome is accepted; a success must then be right at its exact block timestamp.
        `observable`: whether a success changes what the invariants read."""
        now = chain.time()
        expected = {predict(now + offset) for offset in (-MARGIN, 0, MARGIN)}
        try:
            tx = send()
        except VirtualMachineError as exc:
            error = (exc.revert_msg or "").partition(":")[0]
            assert error in expected, f"{name} reverted with {exc.revert_msg!r}; ghost expected {expected}"
            STATS[f"{name} reverted {error}"] += 1
            return None
        assert predict(tx.timestamp) is None, f"{name} succeeded; ghost expected {predict(tx.timestamp)}"
        STATS[name] += 1
        self.changed |= observable
        return tx

    @staticmethod
    def _rarely(data, label) -> bool:
        """True about one time in ten; shrinks towards False (the ordinary path)."""
        return data.draw(st.integers(0, 9), label=label) == 9

    def _some(self, wanted) -> bool:
        return any(wanted(loan) for loan in self.loans.values())

    def _pick_loan(self, data, wanted) -> GhostLoan:
        """Mostly a loan for which `wanted(loan)` holds; sometimes any loan."""
        ids = sorted(self.loans)
        fitting = [i for i in ids if wanted(self.loans[i])]
        pool = fitting if fitting and not self._rarely(data, "any loan") else ids
        return self.loans[data.draw(st.sampled_from(pool), label="loan")]

    def _pick_holder(self, data, wanted, label="holder"):
        """Mostly a holder for which `wanted(holder)` holds; sometimes anyone."""
        fitting = [a for a in self.p.holders if wanted(a)]
        pool = fitting if fitting and not self._rarely(data, f"any {label}") else self.p.holders
        return data.draw(st.sampled_from(pool), label=label)

    @contextmanager
    def _maybe_paused(self, data):
        """Rarely, governance pauses around the action: listing and funding must then revert with
        LendingPaused; repaying, claiming, refunding and starting must work as usual."""
        pause = self._rarely(data, "paused")
        if pause:
            self._set_paused(True)
        yield
        if pause:
            self._set_paused(False)

    def _set_paused(self, paused):
        assert self._act("setPaused", lambda now: None,
                         lambda: self.p.book.setPaused(paused, {"from": self.p.gov}), observable=False)
        self.paused = paused

    def _claimable(self, loan_id, holder) -> int:
        """What `holder` can claim from `loan_id` now, as read after the previous step."""
        return self.last_obs.claimable.get((loan_id, str(holder)), 0) if self.last_obs else 0

    def _start(self, loan, timestamp):
        p = self.p
        loan.status = ACTIVE
        loan.model = LoanState.started(
            loan.funded, loan.apr_bps, loan.instalments, loan.period, timestamp,
            fee_bps=p.fee_bps, late_fee_bps=p.late_fee_bps, grace_period=p.grace_period,
        )

    def _distribute(self, loan, amount):
        for holding in loan.holdings.values():
            holding.share += Fraction(amount * holding.notes, loan.funded)
        loan.distributed += amount

    def _move_notes(self, loan, sender, receiver, value):
        loan.holding(sender).notes -= value
        incoming = loan.holding(receiver)
        incoming.notes += value
        incoming.ever_held += value
        if loan.distributed:
            # The accumulator's rounding now: perNote = floor(distributed * ACC_SCALE / supply).
            rounding = Fraction(loan.distributed * ACC_SCALE % loan.funded, loan.funded)
            incoming.rounding_credit += value * rounding / ACC_SCALE

    def _eligible_for_default(self, loan) -> int:
        m = loan.model
        return m.start_time + (m.satisfied_instalments() + 1) * m.period + self.p.default_after

    def _expires(self, loan, now) -> bool:
        """A listing past its deadline below its minimum fill, or not started within the start
        window after it, has expired (the next refund stores that)."""
        if loan.status != LISTED or now <= loan.deadline:
            return False
        return loan.funded < loan.min_fill or now > loan.deadline + self.p.start_window

    def _upcoming_deadlines(self) -> list[int]:
        """Times at which some loan's possible outcomes change: funding deadline, end of the start
        window, due date, end of grace period, default eligibility."""
        times = []
        for loan in self.loans.values():
            if loan.status == LISTED:
                times += [loan.deadline, loan.deadline + self.p.start_window]
            elif loan.status == ACTIVE:
                m = loan.model
                due = m.start_time + (m.satisfied_instalments() + 1) * m.period
                times += [due, due + self.p.grace_period, self._eligible_for_default(loan)]
        return sorted(t for t in times if t > chain.time())

    # ------------------------------------------------------------------ invariants

    @invariant()
    def every_step(self):
        STATS["steps"] += 1  # runs after every step (with an initialize rule, not before the first)
        obs = self._observe()
        if not self.changed:
            assert obs == self.last_obs, "a reverted transaction, a pause or a time jump changed the book"
        self._check_solvency(obs)
        self._check_shares(obs)
        self._check_notes(obs)
        self._check_status_ladder(obs)
        self._check_schedule(obs)
        self._check_amount_due()
        self.last_obs = obs
        self.changed = False

    def _observe(self) -> Observation:
        p = self.p
        ids = sorted(self.loans)
        pairs = [(i, str(h)) for i in ids for h in p.holders]
        claim_pairs = [(i, h) for i in ids if self.loans[i].status in STARTED for h in self.loans[i].holdings]
        answers = read_views(
            [(p.usdc, "balanceOf", (p.book,)), (p.book, "loanCount", ()),
             (p.book, "balanceOfBatch", ([h for _, h in pairs], [i for i, _ in pairs]))]
            + [(p.book, "loan", (i,)) for i in ids]
            + [(p.book, "claimable", pair) for pair in claim_pairs]
        )
        balance, loan_count, notes = answers[:3]
        structs = answers[3:3 + len(ids)]
        claimable = answers[3 + len(ids):]
        return Observation(
            balance=balance,
            loan_count=loan_count,
            loans={i: dict(struct.dict()) for i, struct in zip(ids, structs)},
            notes=dict(zip(pairs, notes)),
            claimable=dict(zip(claim_pairs, claimable)),
        )

    def _check_solvency(self, obs):
        owed = self.donations
        for loan in self.loans.values():
            claimable = sum(v for (i, _), v in obs.claimable.items() if i == loan.loan_id)
            assert claimable <= loan.unclaimed, f"loan {loan.loan_id}: holders can claim more than is unclaimed"
            assert obs.loans[loan.loan_id]["platformFeesDue"] == loan.fees_due, f"loan {loan.loan_id}: fees due"
            escrow = loan.funded if loan.status in ESCROWED else 0
            owed += loan.unclaimed + loan.fees_due + escrow
        assert obs.balance == owed, (
            f"the book holds {obs.balance}, owes {owed - self.donations} plus {self.donations} donated")

    def _check_shares(self, obs):
        for (loan_id, holder), claimable in obs.claimable.items():
            h = self.loans[loan_id].holdings[holder]
            got = h.claimed + claimable
            assert got <= h.share + h.rounding_credit, (
                f"loan {loan_id}: {holder} gets {got}, more than the exact share {float(h.share)}")
            assert got > h.share - 1 - Fraction(h.ever_held, ACC_SCALE), (
                f"loan {loan_id}: {holder} gets {got}, short of the exact share {float(h.share)}")

    def _check_notes(self, obs):
        assert obs.loan_count == len(self.loans)
        for loan in self.loans.values():
            balances = {h: n for (i, h), n in obs.notes.items() if i == loan.loan_id}
            assert sum(balances.values()) == obs.loans[loan.loan_id]["funded"] == loan.funded, (
                f"loan {loan.loan_id}: notes {balances}, funded {loan.funded}")
            assert balances == {str(h): loan.notes_of(h) for h in self.p.holders}

    def _check_status_ladder(self, obs):
        for loan in self.loans.values():
            status = obs.loans[loan.loan_id]["status"]
            before = self.last_obs.loans.get(loan.loan_id, {"status": NONE})["status"] if self.last_obs else NONE
            assert status in reachable(before), f"loan {loan.loan_id}: status {before} -> {status}"
            assert status == loan.status, f"loan {loan.loan_id}: status {status}, the ghost expects {loan.status}"

    def _check_amount_due(self):
        """`amountDue` must answer for every loan that can be repaid and report the model's charges
        at the call's time, which Ganache takes from the latest block or its clock: about then."""
        latest, now = web3.eth.get_block("latest")["timestamp"], chain.time()
        times = {t + offset for t in (latest, now) for offset in (-MARGIN, 0, MARGIN)}
        self.due = {}
        for loan in self.loans.values():
            if loan.status not in (ACTIVE, DEFAULTED):
                continue
            try:
                due = self.p.book.amountDue(loan.loan_id)
            except VirtualMachineError as exc:
                raise AssertionError(f"amountDue({loan.loan_id}) reverted with {exc.revert_msg!r}") from None
            expected = set()
            for t in times:
                m, _ = loan.model.accrued(t)
                expected.add((m.late_fees_due, m.interest_due, m.late_fees_due + m.interest_due + m.outstanding))
            actual = (due["lateFees"], due["interest"], due["payoff"])
            assert actual in expected, f"loan {loan.loan_id}: amountDue {actual}, model {expected}"
            self.due[loan.loan_id] = due

    def _check_schedule(self, obs):
        for loan in self.loans.values():
            if loan.model is None:
                continue
            m, on_chain = loan.model, obs.loans[loan.loan_id]
            expected = {
                "startTime": m.start_time, "instalment": m.instalment, "outstanding": m.outstanding,
                "interestDue": m.interest_due, "lateFeesDue": m.late_fees_due, "periodsCharged": m.periods_charged,
                "instalmentsPaid": m.instalments_paid, "paidTowardNext": m.paid_toward_next,
                "lateChargedThrough": m.late_charged_through,
            }
            actual = {key: on_chain[key] for key in expected}
            assert actual == expected, f"loan {loan.loan_id}: schedule {actual}, model {expected}"


# ---------------------------------------------------------------------------------------- test


def test_loan_book_invariants(book, usdc, registry, signer, gov, borrower, lenders, outsider, accounts):
    borrowers = [borrower, accounts[10], accounts[11]]
    for account in [*borrowers, outsider]:  # borrowers pay interest; the outsider repays and donates
        usdc.mint(account, 10_000_000 * USDC, {"from": account})
        usdc.approve(book, 2**256 - 1, {"from": account})
    fee_bps, late_fee_bps, grace_period, default_after, _ = book.config()
    platform = Platform(
        book=book, usdc=usdc, registry=registry, signer=signer, gov=gov, borrowers=borrowers,
        lenders=list(lenders), outsider=outsider, min_funding=book.loanTokens(usdc)[1],
        fee_bps=fee_bps, late_fee_bps=late_fee_bps, grace_period=grace_period, default_after=default_after,
        start_window=book.START_WINDOW(),
    )
    chain.snapshot()  # every example starts from here (LendingMachine.__init__ reverts to it)
    STATS.clear()
    try:
        run_state_machine_as_test(
            lambda: LendingMachine(platform),
            settings=settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
                              derandomize=DERANDOMIZE,
                              suppress_health_check=HealthCheck.all()),
        )
    finally:
        outcomes = ", ".join(f"{k}: {v}" for k, v in sorted(STATS.items()) if k not in ("steps", "examples"))
        print(f"\ninvariant steps: {STATS['steps']} in {STATS['examples']} examples\noutcomes: {outcomes}")
