"""Stateful invariant test of LoanBook: random sequences of listing, cancelling, funding, starting,
refunding, repaying, time jumps, defaults, note transfers, claims, fee withdrawals, pauses and
direct token donations, checked after every step against a plain-Python ghost of the platform.

The ghost predicts the outcome of every transaction: a step must revert with exactly the custom
error the ghost expects (and then change nothing), or succeed when the ghost expects success.
Invariants checked after every step:
  1. Solvency: the book's token balance equals what it owes (holders' unclaimed income + platform
     fees due + principal escrowed for loans that are listed, cancelled or expired) plus direct
     donations, and covers every holder's `claimable` (rounding dust stays in the book).
  2. Fair shares: no holder's claimed + claimable income exceeds their exact pro-rata share
     (Fractions) of the repayments made while they held notes; nor falls a base unit short of it.
  3. Notes: every loan's note supply equals its funded principal; every balance is the ghost's.
  4. Status ladder: Listed -> Active -> Repaid | Defaulted, Defaulted -> Repaid,
     Listed -> Cancelled | Expired; the status is always the one the ghost predicts.
  5. Schedule: the repayment state equals backend.loan_model's, and every Repayment event splits
     the payment (late fees, interest, principal, platform fee) exactly as the model does.

Run with `-s` to see the line `invariant steps: N`. LENDCHAIN_INVARIANT_EXAMPLES and
LENDCHAIN_INVARIANT_STEPS override the number of examples and the steps per example.
"""

import os
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from brownie import chain, web3
from brownie.exceptions import VirtualMachineError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from backend.loan_model import LoanState
from scripts.policy import GRADE_POLICY
from tests.contracts import helpers

USDC = helpers.USDC
HOUR = 3600
DAY = helpers.DAY
BPS = 10_000
MAX_LOANS = 5  # loans per example: enough to interleave, few enough that every step stays fast
# Seconds around "now" in which a time-dependent outcome is ambiguous: brownie's clock and the
# next block's timestamp can differ by a second or two.
MARGIN = 120
# Scale of LoanNotes' per-note income accumulator (ACC_SCALE in contracts/LoanNotes.sol).
ACC_SCALE = 10**15

NONE, LISTED, ACTIVE, REPAID, DEFAULTED, CANCELLED, EXPIRED = range(7)
STARTED = (ACTIVE, REPAID, DEFAULTED)
ESCROWED = (LISTED, CANCELLED, EXPIRED)  # the book holds the funded principal
LADDER = {NONE: {LISTED}, LISTED: {ACTIVE, CANCELLED, EXPIRED}, ACTIVE: {REPAID, DEFAULTED}, DEFAULTED: {REPAID}}

EXAMPLES = int(os.environ.get("LENDCHAIN_INVARIANT_EXAMPLES", 30))
STEPS = int(os.environ.get("LENDCHAIN_INVARIANT_STEPS", 40))

STATS: Counter = Counter()  # steps and outcomes over the whole run, printed at the end


# ---------------------------------------------------------------------------------------- ghost


@dataclass
class Holding:
    """One holder's position in one loan, as the ghost expects it."""

    notes: int = 0
    ever_held: int = 0  # notes ever minted to or received by this holder
    claimed: int = 0
    share: Fraction = Fraction(0)  # exact pro-rata share of the income distributed while holding
    # Upper bound of what the accumulator may credit beyond `share`: it stores income per note
    # rounded down to 1/ACC_SCALE, so notes bought while that rounding is large can earn up to
    # (their count) / ACC_SCALE of a base unit more than their exact share (the sellers less).
    rounding_credit: Fraction = Fraction(0)


@dataclass
class GhostLoan:
    loan_id: int
    borrower: Any
    grade: int
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
    holders: list  # lenders, plus an outsider who only gets notes by transfer
    donor: Any
    min_funding: int
    fee_bps: int
    late_fee_bps: int
    grace_period: int
    default_after: int


@dataclass
class Observation:
    """Everything the invariants read from the chain after a step."""

    balance: int
    loan_count: int
    loans: dict  # loan id -> Loan struct as a dict
    notes: dict  # (loan id, holder) -> balanceOf
    claimable: dict  # (loan id, holder) -> claimable, for holders of started loans


def read_views(calls):
    """Answers of many view calls, sent as one JSON-RPC batch: Ganache takes several ms per call
    and the invariants read a few dozen values after every step."""
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
        self.expect_unchanged = False

    # ------------------------------------------------------------------ helpers

    def _act(self, name, predict, send):
        """Send a transaction whose outcome the ghost predicts: `predict(timestamp)` returns the
        expected custom error's name, or None for success. Within MARGIN of a time boundary either
        outcome is accepted; a success must then be right at its exact block timestamp."""
        now = chain.time()
        expected = {predict(now + offset) for offset in (-MARGIN, 0, MARGIN)}
        try:
            tx = send()
        except VirtualMachineError as exc:
            error = (exc.revert_msg or "").partition(":")[0]
            assert error in expected, f"{name} reverted with {exc.revert_msg!r}; ghost expected {expected}"
            STATS[f"{name} reverted {error}"] += 1
            self.expect_unchanged = True
            return None
        assert predict(tx.timestamp) is None, f"{name} succeeded; ghost expected {predict(tx.timestamp)}"
        STATS[name] += 1
        return tx

    @staticmethod
    def _rarely(data, label) -> bool:
        """True about one time in six; shrinks towards False (the ordinary path)."""
        return data.draw(st.integers(0, 5), label=label) == 5

    def _pick_loan(self, data, *statuses) -> GhostLoan:
        """Mostly a loan in one of `statuses`, so most steps do something; sometimes any loan."""
        ids = sorted(self.loans)
        fitting = [i for i in ids if self.loans[i].status in statuses]
        pool = fitting if fitting and not self._rarely(data, "any loan") else ids
        return self.loans[data.draw(st.sampled_from(pool), label="loan")]

    def _pick_holder(self, data, loan, label="holder"):
        """Mostly someone holding notes of `loan`; sometimes anyone."""
        holding = [a for a in self.p.holders if loan.notes_of(a)]
        pool = holding if holding and not self._rarely(data, f"any {label}") else self.p.holders
        return data.draw(st.sampled_from(pool), label=label)

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
            # The accumulator's rounding at this moment: perNote = floor(distributed * ACC_SCALE / supply).
            rounding = Fraction(loan.distributed * ACC_SCALE % loan.funded, loan.funded)
            incoming.rounding_credit += value * rounding / ACC_SCALE

    def _eligible_for_default(self, loan) -> int:
        m = loan.model
        return m.start_time + (m.satisfied_instalments() + 1) * m.period + self.p.default_after

    # ------------------------------------------------------------------ borrower rules

    @initialize(data=st.data())
    def open_book(self, data):
        """Every example starts with a valid listing, whichever rules it enables."""
        self._list(data, valid=True)

    @precondition(lambda self: len(self.loans) < MAX_LOANS)
    @rule(data=st.data())
    def list_loan(self, data):
        self._list(data, valid=False)

    def _list(self, data, valid):
        p = self.p
        who = data.draw(st.sampled_from(p.borrowers), label="borrower")
        fresh = valid or not self._rarely(data, "reuse stored score")
        stored = self.scores.get(str(who))
        grade = data.draw(st.integers(1, 9), label="grade") if fresh or not stored else stored[0]
        max_whole, max_apr = GRADE_POLICY[grade]
        max_principal = max_whole * USDC
        principal = data.draw(st.integers(1, max_principal), label="principal")
        apr = data.draw(st.integers(0, max_apr), label="apr bps")
        if not valid and self._rarely(data, "break the grade policy"):
            if data.draw(st.booleans(), label="above max APR (else principal)"):
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
            return
        if fresh:
            self.nonces[str(who)] += 1
            self.scores[str(who)] = (grade, attestation[4])
        event = tx.events["LoanRequested"]
        assert (event["loanId"], event["grade"]) == (len(self.loans) + 1, grade)
        self.loans[event["loanId"]] = GhostLoan(
            event["loanId"], who, grade, principal, apr, instalments, period, deadline,
            min_fill=-(-principal * min_fill_bps // BPS),
        )

    @rule(data=st.data())
    def cancel(self, data):
        loan = self._pick_loan(data, LISTED)
        caller = self.p.holders[0] if self._rarely(data, "not the borrower") else loan.borrower

        def predict(now):
            if loan.status != LISTED:
                return "LoanNotListed"
            return "NotBorrower" if caller != loan.borrower else None

        if self._act("cancel", predict, lambda: self.p.book.cancel(loan.loan_id, {"from": caller})):
            loan.status = CANCELLED

    @rule(data=st.data())
    def start(self, data):
        loan = self._pick_loan(data, LISTED)
        caller = self.p.holders[0] if self._rarely(data, "not the borrower") else loan.borrower

        def predict(now):
            if loan.status != LISTED:
                return "LoanNotListed"
            if caller != loan.borrower and now <= loan.deadline:
                return "NotBorrower"
            return "MinimumFillNotReached" if loan.funded < loan.min_fill else None

        tx = self._act("start", predict, lambda: self.p.book.start(loan.loan_id, {"from": caller}))
        if tx:
            self._start(loan, tx.timestamp)

    @rule(data=st.data())
    def repay(self, data):
        loan = self._pick_loan(data, ACTIVE, DEFAULTED)
        payer = self.p.holders[-1] if self._rarely(data, "someone else pays") else loan.borrower
        payoff = loan.model.payoff(chain.time()) if loan.model else 0
        kind = data.draw(st.sampled_from(["part", "instalment", "payoff", "part", "to be current", "overpay",
                                          "zero"]), label="amount kind")
        if kind == "part":
            amount = data.draw(st.integers(1, max(payoff, 1)), label="amount")
        elif kind == "instalment" and loan.model:
            amount = loan.model.instalment
        elif kind == "to be current" and loan.model:
            amount = self.p.book.amountDue(loan.loan_id)["toBeCurrent"] or loan.model.instalment
        elif kind == "overpay":
            amount = payoff + data.draw(st.integers(1, 1_000 * USDC), label="excess")
        elif kind == "zero":
            amount = 0
        else:
            amount = max(payoff, 1)

        def predict(now):
            if amount == 0:
                return "ZeroAmount"
            return None if loan.status in (ACTIVE, DEFAULTED) else "NotRepayable"

        tx = self._act("repay", predict, lambda: self.p.book.repay(loan.loan_id, amount, {"from": payer}))
        if tx is None:
            return
        loan.model, parts = loan.model.repaid(tx.timestamp, amount)
        event = tx.events["Repayment"]
        assert (event["lateFees"], event["interest"], event["principal"], event["platformFee"]) == (
            parts["late_fees"], parts["interest"], parts["principal"], parts["platform_fee"]
        ), f"repayment split {dict(event)} differs from the model's {parts}"
        loan.fees_due += parts["platform_fee"]
        self._distribute(loan, parts["to_holders"])
        if loan.model.outstanding == 0:
            loan.status = REPAID

    # ------------------------------------------------------------------ lender rules

    @rule(data=st.data())
    def fund(self, data):
        loan = self._pick_loan(data, LISTED)
        lender = data.draw(st.sampled_from(self.p.holders[:-1]), label="lender")
        remaining = loan.remaining
        kind = data.draw(st.sampled_from(["part", "remainder", "part", "remainder", "dust", "over", "zero"]),
                         label="amount kind")
        if kind == "part":
            amount = data.draw(st.integers(1, max(remaining, 1)), label="amount")
        elif kind == "dust":
            amount = data.draw(st.integers(1, self.p.min_funding - 1), label="amount")
        elif kind == "over":
            amount = remaining + data.draw(st.integers(1, 10 * USDC), label="excess")
        else:
            amount = remaining if kind == "remainder" else 0

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

    @rule(data=st.data())
    def refund(self, data):
        loan = self._pick_loan(data, CANCELLED, EXPIRED, LISTED)
        holder = self._pick_holder(data, loan)
        notes = loan.notes_of(holder)

        def status_at(now):
            expires = loan.status == LISTED and now > loan.deadline and loan.funded < loan.min_fill
            return EXPIRED if expires else loan.status

        def predict(now):
            if status_at(now) not in (CANCELLED, EXPIRED):
                return "NotRefundable"
            return "NothingToRefund" if notes == 0 else None

        tx = self._act("refund", predict, lambda: self.p.book.refund(loan.loan_id, {"from": holder}))
        if tx is None:
            return
        assert tx.events["Refunded"]["amount"] == notes
        loan.status = status_at(tx.timestamp)
        loan.holding(holder).notes = 0
        loan.funded -= notes

    @rule(data=st.data())
    def transfer_notes(self, data):
        loan = self._pick_loan(data, LISTED, ACTIVE, DEFAULTED, REPAID)
        sender = self._pick_holder(data, loan, "sender")
        receiver = data.draw(st.sampled_from(self.p.holders), label="receiver")
        balance = loan.notes_of(sender)
        kind = data.draw(st.sampled_from(["part", "all", "zero", "too many"]), label="value kind")
        value = {
            "part": lambda: data.draw(st.integers(0, balance), label="value"),
            "all": lambda: balance,
            "zero": lambda: 0,
            "too many": lambda: balance + data.draw(st.integers(1, 10 * USDC), label="excess"),
        }[kind]()

        def predict(now):
            return "ERC1155InsufficientBalance" if value > balance else None

        if self._act("transfer", predict, lambda: self.p.book.safeTransferFrom(
                sender, receiver, loan.loan_id, value, b"", {"from": sender})):
            self._move_notes(loan, sender, receiver, value)

    @rule(data=st.data())
    def claim(self, data):
        loan = self._pick_loan(data, ACTIVE, DEFAULTED, REPAID)
        holder = self._pick_holder(data, loan)
        expected = self.last_obs.claimable.get((loan.loan_id, str(holder)), 0)

        def predict(now):
            return "NothingToClaim" if expected == 0 else None

        tx = self._act("claim", predict, lambda: self.p.book.claim(loan.loan_id, {"from": holder}))
        if tx:
            assert tx.events["Claimed"]["amount"] == expected
            loan.holding(holder).claimed += expected

    @rule(data=st.data())
    def claim_many(self, data):
        holder = data.draw(st.sampled_from(self.p.holders), label="holder")
        # Unknown ids (0 and one past the last) and repeats must simply be skipped.
        ids = data.draw(st.lists(st.sampled_from([0, *self.loans, len(self.loans) + 1]), max_size=4), label="ids")
        expected = {i: self.last_obs.claimable.get((i, str(holder)), 0) for i in set(ids)}

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

    @rule(data=st.data())
    def mark_default(self, data):
        loan = self._pick_loan(data, ACTIVE)
        caller = data.draw(st.sampled_from(self.p.holders), label="caller")

        def predict(now):
            if loan.status != ACTIVE or now < self._eligible_for_default(loan):
                return "NotDefaultable"
            return None

        tx = self._act("markDefault", predict, lambda: self.p.book.markDefault(loan.loan_id, {"from": caller}))
        if tx:
            loan.model, _ = loan.model.accrued(tx.timestamp)
            loan.status = DEFAULTED

    @rule(seconds=st.integers(HOUR, 3 * DAY) | st.integers(3 * DAY, 60 * DAY) | st.integers(60 * DAY, 200 * DAY))
    def sleep(self, seconds):
        chain.sleep(seconds)
        STATS["sleep"] += 1
        self.expect_unchanged = True

    @rule(data=st.data())
    def withdraw_fees(self, data):
        caller = self.p.holders[0] if self._rarely(data, "not governance") else self.p.gov
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

    @rule(data=st.data())
    def while_paused(self, data):
        """Governance pauses, one action runs, governance resumes. Listing and funding must revert
        with LendingPaused; repaying, claiming, refunding and starting must work as usual."""
        actions = ["fund", "repay", "claim", "refund", "start"]
        if len(self.loans) < MAX_LOANS:
            actions.append("list_loan")
        self._set_paused(True)
        getattr(self, data.draw(st.sampled_from(actions), label="action while paused"))(data)
        self._set_paused(False)

    def _set_paused(self, paused):
        assert self._act("setPaused", lambda now: None, lambda: self.p.book.setPaused(paused, {"from": self.p.gov}))
        self.paused = paused

    @rule(amount=st.integers(1, 1_000 * USDC))
    def donate(self, amount):
        """Someone sends tokens straight to the book: they stay there, owed to no one."""
        if self._act("donate", lambda now: None, lambda: self.p.usdc.transfer(self.p.book, amount, {"from": self.p.donor})):
            self.donations += amount

    # ------------------------------------------------------------------ invariants

    @invariant()
    def every_step(self):
        STATS["steps"] += 1  # runs after every step (with an initialize rule, not before the first)
        obs = self._observe()
        if self.expect_unchanged:
            assert obs == self.last_obs, "a reverted step or a time jump changed the book"
        self._check_solvency(obs)
        self._check_shares(obs)
        self._check_notes(obs)
        self._check_status_ladder(obs)
        self._check_schedule(obs)
        self.last_obs = obs
        self.expect_unchanged = False

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
            escrow = loan.funded if loan.status in ESCROWED else 0
            assert obs.loans[loan.loan_id]["platformFeesDue"] == loan.fees_due, f"loan {loan.loan_id}: fees due"
            owed += loan.unclaimed + loan.fees_due + escrow
        assert obs.balance == owed, f"book holds {obs.balance}, owes {owed - self.donations} + donations {self.donations}"

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
                f"loan {loan.loan_id}: notes {balances} vs funded {loan.funded}")
            assert balances == {str(h): loan.notes_of(h) for h in self.p.holders}

    def _check_status_ladder(self, obs):
        for loan in self.loans.values():
            status = obs.loans[loan.loan_id]["status"]
            before = self.last_obs.loans.get(loan.loan_id, {"status": NONE})["status"] if self.last_obs else NONE
            assert status == before or status in LADDER.get(before, set()), (
                f"loan {loan.loan_id}: status {before} -> {status}")
            assert status == loan.status, f"loan {loan.loan_id}: status {status}, ghost expects {loan.status}"

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
        holders=[*lenders, outsider], donor=outsider, min_funding=book.loanTokens(usdc)[1],
        fee_bps=fee_bps, late_fee_bps=late_fee_bps, grace_period=grace_period, default_after=default_after,
    )
    chain.snapshot()  # every example starts from here (LendingMachine.__init__ reverts to it)
    STATS.clear()
    try:
        run_state_machine_as_test(
            lambda: LendingMachine(platform),
            settings=settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
                              suppress_health_check=HealthCheck.all()),
        )
    finally:
        outcomes = ", ".join(f"{k}: {v}" for k, v in sorted(STATS.items()) if k not in ("steps", "examples"))
        print(f"\ninvariant steps: {STATS['steps']} in {STATS['examples']} examples\noutcomes: {outcomes}")
