"""Stateful invariant test of the platform (LoanBook, CollateralVault, PriceOracle, AutoLend): random
sequences of listing (unsecured grades and WETH-secured ones), cancelling, funding, starting,
refunding, repaying, time jumps, defaults, note transfers, claims, fee withdrawals, pauses,
collateral top-ups, withdrawals and releases, ETH/USD and USDC/USD price moves (and unusable
rounds: non-positive, outside the feed's bounds, incomplete, stale, from the future), governance
changes of WETH's liquidation threshold and bonus and of the close factor, liquidations,
auto-lend commitments (create, set rule, deposit, withdraw, close, fund from a commitment,
reinvest; rules with purpose masks, a highest probability of default and an optional operator)
and direct token donations, checked after every step against a
plain-Python ghost of the platform.

Every example starts from the same deployment with an active secured loan, a partly funded listing
and an auto-lend commitment; each step then draws one action, by weight, among those that have
something to act on. The ghost predicts every transaction's outcome: it must revert with exactly the custom
error the ghost expects (for the collateral, price and auto-lend actions, with exactly its
parameters too) and change nothing, or succeed when the ghost expects success. In particular every
funding from a commitment succeeds only if the ghost found the loan and the amount within the rule
in force and the budget left, and every liquidation only if the ghost's exact integer health (the
vault's rounding) was below 1 or the loan was defaulted.

Invariants checked after every step:
  1. Solvency: the book's token balance equals what it owes (holders' unclaimed income + platform
     fees due + principal escrowed for loans that are listed, cancelled or expired) plus the
     donation, and covers every holder's `claimable` (rounding dust stays in the book).
  2. Fair shares: no holder's claimed + claimable income exceeds their exact pro-rata share
     (Fractions) of the payments made while they held notes by more than one base unit (a note
     buyer never gains the carried rounding remainder), nor falls a base unit short of it.
  3. Notes: every loan's note supply equals its funded principal; every balance is the ghost's.
  4. Status ladder: Listed -> Active -> Repaid | Defaulted, Defaulted -> Repaid,
     Listed -> Cancelled | Expired, Active | Defaulted -> Closed (liquidation); the status is
     always the one the ghost predicts.
  5. Schedule: the repayment state equals backend.loan_model's; every Repayment event (repayment
     or liquidation) splits the payment as the model does, and LoanLens' `amountDue` reports its charges.
  6. Collateral: the vault's WETH balance equals the sum of the escrowed positions plus the WETH
     donated to it; every position is the ghost's (token, amount) with the liquidation terms in
     force when the loan was listed (governance changes since never reach it).
  7. Health: `vault.health` of every active or defaulted secured loan is the ghost's exact health
     (collateral value / (debt value x required ratio x the loan's liquidation threshold), the
     vault's rounding) and liquidation price, or reverts with the price error the ghost predicts. A
     liquidation's event reports the ghost's health, below 1 unless the loan was defaulted.
  8. Auto-lend: AutoLend's balance of each token equals the sum of its commitments' `available`
     plus the donation; every commitment is the ghost's, its budget is the rule's budget less
     what it lent since the rule was set, and what it lent each borrower is the ghost's.

The invariants read everything after a step in one `eth_call`, through the test-only
contracts/mocks/ViewBatch.sol: Ganache spends several milliseconds on every RPC call.

Run with `-s` to see the line `invariant steps: N`. LENDCHAIN_INVARIANT_EXAMPLES and
LENDCHAIN_INVARIANT_STEPS override the number of examples and the steps per example.
"""

import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field, replace
from fractions import Fraction
from typing import Any

from brownie import chain, web3
from brownie.exceptions import VirtualMachineError, decode_typed_error
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from backend.loan_model import LoanState, ceil_div
from scripts.lifecycle import NO_COLLATERAL
from scripts.policy import GRADE_POLICY
from tests.contracts import helpers

EXAMPLES = int(os.environ.get("LENDCHAIN_INVARIANT_EXAMPLES", 25))
STEPS = int(os.environ.get("LENDCHAIN_INVARIANT_STEPS", 30))
# CI replays the same examples every run (a red CI must be reproducible); local runs explore anew.
DERANDOMIZE = bool(os.environ.get("CI"))

# Relative weights of the actions a step draws from (among those that have something to act on):
# the lending flow most, the rarer events less.
WEIGHTS = {"list_loan": 2, "cancel": 1, "start": 2, "fund": 4, "refund": 2, "repay": 5, "mark_default": 4,
           "transfer_notes": 3, "claim": 3, "sleep": 4, "withdraw_fees": 1, "donate": 1,
           "top_up": 2, "withdraw_collateral": 3, "release": 2, "move_price": 4, "liquidate": 5, "liquidate_healthy": 1,
           "set_liquidation_terms": 1,
           "create_commitment": 2, "set_rule": 1, "deposit": 1, "withdraw_commitment": 1, "close_commitment": 1,
           "fund_from_commitment": 5, "reinvest": 3}
MAX_LOANS = 5  # loans per example: enough to interleave, few enough that every step stays fast
MAX_OPEN_LISTINGS = 2  # so that listings wait for funding, deadlines and starts instead of piling up
MAX_COMMITMENTS = 3  # auto-lend commitments per example
GRADES = sorted(GRADE_POLICY)  # unsecured (minimum collateral ratio 0) and secured grades
SECURED_GRADES = [grade for grade, (_, _, min_ratio_bps) in GRADE_POLICY.items() if min_ratio_bps]

USDC = helpers.USDC
WETH = 10**18
WAD = 10**18
HOUR = 3600
DAY = helpers.DAY
BPS = 10_000
MAX_TERM = 3650 * DAY  # LoanBook.MAX_TERM
MAX_PURPOSE = 31  # LoanBook.MAX_PURPOSE
UINT32_MAX, UINT40_MAX, UINT96_MAX, UINT256_MAX = 2**32 - 1, 2**40 - 1, 2**96 - 1, 2**256 - 1
ZERO_ADDRESS = "0x" + "00" * 20
# Seconds around "now" within which a time-dependent outcome may go either way: brownie's clock and
# the next block's timestamp can differ by a second or two.
MARGIN = 120
# Scale of LoanNotes' per-note income accumulator (ACC_SCALE in contracts/LoanNotes.sol).
ACC_SCALE = 10**15
# Bounds of the mock feeds' answers (8 decimals) as prices move: ETH $50 .. $50,000, USDC $0.50 .. $2.
ETH_ANSWERS = (50 * 10**8, 50_000 * 10**8)
USD_ANSWERS = (5 * 10**7, 2 * 10**8)

# CollateralVault's hard caps.
MAX_THRESHOLD_BPS, MAX_BONUS_BPS, MIN_CLOSE_FACTOR_BPS = 9_500, 2_000, 1_000

NONE, LISTED, ACTIVE, REPAID, DEFAULTED, CANCELLED, EXPIRED, CLOSED = range(8)
STARTED = (ACTIVE, REPAID, DEFAULTED, CLOSED)
ESCROWED = (LISTED, CANCELLED, EXPIRED)  # the book holds the funded principal
# ILoanBook's lifecycle (Closed comes only from liquidation).
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


def mul_div_down(x: int, y: int, d: int) -> int:
    """FixedPointMath.mulDivDown."""
    return x * y // d


def mul_div_up(x: int, y: int, d: int) -> int:
    """FixedPointMath.mulDivUp."""
    return ceil_div(x * y, d)


def format_arg(value) -> str:
    """A custom error's parameter as brownie prints it (addresses lower-case, bytes32 as bytes)."""
    if isinstance(value, bytes):
        return str(value)
    text = str(value)
    return text.lower() if text.startswith("0x") else text


def matches(expected, message: str) -> bool:
    """Whether a revert message ("Name: arg, arg") is the expected error: a name, or a tuple
    (name, *parameters) that must match exactly."""
    name, _, params = message.partition(":")
    if isinstance(expected, str):
        return name == expected
    return name == expected[0] and params.strip() == ", ".join(format_arg(a) for a in expected[1:])


def bytes32(text: str) -> bytes:
    return text.encode().ljust(32, b"\0")


# ---------------------------------------------------------------------------------------- ghost


@dataclass
class Holding:
    """One holder's position in one loan, as the ghost expects it."""

    notes: int = 0
    ever_held: int = 0  # notes ever minted to or received by this holder
    claimed: int = 0
    share: Fraction = Fraction(0)  # exact pro-rata share of the income distributed while holding


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
    grade: int
    min_ratio_bps: int  # the grade's minimum collateral ratio, fixed at listing
    purpose: int  # purpose code, 0 .. 31
    pd_bps: int  # the borrower's score probability of default at listing
    collateral: int = 0  # WETH escrowed in the vault
    has_position: bool = False  # collateral was escrowed at listing (the vault's position names WETH)
    # Liquidation terms copied at listing: WETH's threshold and bonus, the close factor (bps).
    threshold_bps: int = 0
    bonus_bps: int = 0
    close_factor_bps: int = 0
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

    @property
    def term(self) -> int:
        return self.instalments * self.period


@dataclass
class GhostFeed:
    """A mock Chainlink feed's latest round, and how PriceOracle.priceWad judges it."""

    contract: Any
    token: str  # the token it prices, as the oracle's errors name it
    decimals: int
    max_age: int
    round_id: int
    answer: int
    updated_at: int
    answered_in: int
    good_answer: int  # the last answer within the bounds published: what a refresh republishes
    min_answer: int  # the oracle's bounds for the feed (its units)
    max_answer: int

    @classmethod
    def read(cls, contract, token, oracle) -> "GhostFeed":
        round_id, answer, _, updated_at, answered_in = contract.latestRoundData()
        _, max_age, _, _, min_answer, max_answer = oracle.feeds(token)
        return cls(contract, str(token), contract.decimals(), max_age, round_id, answer, updated_at, answered_in,
                   answer, min_answer, max_answer)

    def in_bounds(self, answer) -> bool:
        return self.min_answer <= answer <= self.max_answer

    def error(self, now):
        """The oracle's error for this round at `now`, or None when the price is usable."""
        if self.answer <= 0:
            return ("InvalidAnswer", self.token, self.answer)
        if not self.in_bounds(self.answer):
            return ("PriceOutOfBounds", self.token, self.answer, self.min_answer, self.max_answer)
        if self.answered_in < self.round_id:
            return ("IncompleteRound", self.token, self.round_id, self.answered_in)
        if self.updated_at > now or now - self.updated_at > self.max_age:
            return ("StalePrice", self.token, self.updated_at, self.max_age)
        return None

    @property
    def price_wad(self) -> int:
        return self.answer * 10 ** (18 - self.decimals)

    @property
    def quote_wad(self) -> int:
        """The price to size amounts with, even while the round is unusable."""
        return (self.answer if self.in_bounds(self.answer) else self.good_answer) * 10 ** (18 - self.decimals)

    def publish(self, round_id, answer, updated_at, answered_in):
        self.round_id, self.answer, self.updated_at, self.answered_in = round_id, answer, updated_at, answered_in
        if self.in_bounds(answer):
            self.good_answer = answer


@dataclass(frozen=True)
class Rule:
    """IAutoLend.Rule, fields in its order."""

    worst_grade: int
    min_apr_bps: int
    max_apr_bps: int
    max_term: int
    min_collateral_ratio_bps: int
    max_per_loan: int
    max_per_borrower: int
    budget: int
    expiry: int
    reinvest: bool
    purpose_mask: int
    max_pd_bps: int
    operator: str  # ZERO_ADDRESS: anyone may fund

    def invalid(self, now):
        """The InvalidRule error AutoLend._setRule raises for this rule at `now` (its order), or None."""
        bounds = [
            ("worstGrade", self.worst_grade, not 1 <= self.worst_grade <= 9),
            ("maxAprBps", self.max_apr_bps, self.max_apr_bps > BPS),
            ("minAprBps", self.min_apr_bps, self.min_apr_bps > self.max_apr_bps),
            ("maxTerm", self.max_term, self.max_term > UINT32_MAX),
            ("minCollateralRatioBps", self.min_collateral_ratio_bps, self.min_collateral_ratio_bps > 50_000),
            ("maxPerLoan", self.max_per_loan, self.max_per_loan > UINT96_MAX),
            ("maxPerBorrower", self.max_per_borrower, self.max_per_borrower > UINT96_MAX),
            ("budget", self.budget, self.budget > UINT96_MAX),
            ("expiry", self.expiry, self.expiry <= now or self.expiry > UINT40_MAX),
            ("purposeMask", self.purpose_mask, not 1 <= self.purpose_mask <= UINT32_MAX),
            ("maxPdBps", self.max_pd_bps, self.max_pd_bps > BPS),
        ]
        return next((("InvalidRule", bytes32(name), value) for name, value, bad in bounds if bad), None)


@dataclass
class GhostCommitment:
    commitment_id: int
    lender: Any
    token: Any
    rule: Rule
    available: int = 0
    spent_since_rule: int = 0  # lent since the rule (and so the budget) was last set
    lent: Counter = field(default_factory=Counter)  # borrower address -> lent over the commitment's life
    closed: bool = False

    @property
    def budget(self) -> int:
        return self.rule.budget - self.spent_since_rule

    def stored(self) -> dict:
        """What AutoLend.commitment must return (all zero once closed)."""
        if self.closed:
            return {key: 0 for key in COMMITMENT_FIELDS} | {"lender": ZERO_ADDRESS, "token": ZERO_ADDRESS,
                                                            "operator": ZERO_ADDRESS, "reinvest": False}
        r = self.rule
        return {"lender": str(self.lender).lower(), "expiry": r.expiry, "worstGrade": r.worst_grade,
                "reinvest": r.reinvest, "minCollateralRatioBps": r.min_collateral_ratio_bps,
                "token": str(self.token).lower(), "minAprBps": r.min_apr_bps, "maxAprBps": r.max_apr_bps,
                "maxTerm": r.max_term, "available": self.available, "budget": self.budget,
                "maxPerLoan": r.max_per_loan, "maxPerBorrower": r.max_per_borrower, "maxPdBps": r.max_pd_bps,
                "purposeMask": r.purpose_mask, "operator": str(r.operator).lower()}


COMMITMENT_FIELDS = ("lender", "expiry", "worstGrade", "reinvest", "minCollateralRatioBps", "maxPdBps", "token",
                     "minAprBps", "maxAprBps", "maxTerm", "purposeMask", "available", "budget", "maxPerLoan",
                     "maxPerBorrower", "operator")


@dataclass
class Platform:
    """Deployed contracts, actors and the configuration."""

    book: Any
    usdc: Any
    weth: Any
    vault: Any
    autolend: Any
    registry: Any
    signer: Any
    gov: Any
    borrowers: list
    lenders: list
    outsider: Any  # gets notes only by transfer; repays for others; donates; tops up collateral
    liquidator: Any
    min_funding: int
    fee_bps: int
    late_fee_bps: int
    grace_period: int
    default_after: int
    start_window: int
    threshold_bps: int  # WETH's liquidation threshold, as deployed
    bonus_bps: int  # WETH's liquidation bonus, as deployed
    close_factor_bps: int  # as deployed
    eth_feed: GhostFeed  # as deployed; every example starts from copies
    usd_feed: GhostFeed
    views: Any  # the ViewBatch test helper: the invariants' reads in one eth_call
    lens: Any  # LoanLens: loan, amountDue

    @property
    def holders(self) -> list:
        """Everyone who may hold notes: the lenders, the outsider (by transfer) and a borrower who
        also lends through a commitment."""
        return [*self.lenders, self.outsider, self.borrowers[1]]


@dataclass
class Observation:
    """Everything the invariants read from the chain after a step."""

    balance: int
    loan_count: int
    loans: dict  # loan id -> Loan struct as a dict
    notes: dict  # (loan id, holder) -> balanceOf
    claimable: dict  # (loan id, holder) -> claimable, for everyone who held notes of a started loan
    vault_balance: int  # WETH held by the vault
    positions: dict  # loan id -> (collateral token, amount, loan token, ratio, threshold, bonus, close factor)
    autolend_balances: tuple  # (USDC, WETH) held by AutoLend
    commitments: dict  # commitment id -> stored commitment as a dict
    lent: dict  # (commitment id, borrower) -> lentToBorrower
    # Time- and price-dependent views, not compared between steps:
    due: dict = field(compare=False)  # loan id -> amountDue, for loans that can be repaid
    health: dict = field(compare=False)  # loan id -> vault.health, for secured loans with debt


@dataclass(frozen=True)
class Reverted:
    """A view call that reverted, with its error as brownie prints it."""

    message: str


def read_views(views, calls) -> list:
    """Answers of many view calls, read in one eth_call through the ViewBatch helper (Ganache takes
    several ms per RPC call and the invariants read a few dozen values after every step): each
    decoded, or Reverted."""
    ok, answers = views.read([contract.address for contract, _, _ in calls],
                             [getattr(contract, name).encode_input(*args) for contract, name, args in calls])
    return [getattr(contract, name).decode_output(answer) if success else Reverted(decode_typed_error(str(answer)))
            for (contract, name, _), success, answer in zip(calls, ok, answers)]


def lowered(struct: dict) -> dict:
    return {key: str(value).lower() if isinstance(value, str) else value for key, value in struct.items()}


# ---------------------------------------------------------------------------------------- machine


class LendingMachine(RuleBasedStateMachine):
    def __init__(self, platform: Platform):
        super().__init__()
        chain.revert()
        STATS["examples"] += 1
        self.p = platform
        self.loans: dict[int, GhostLoan] = {}
        self.commitments: dict[int, GhostCommitment] = {}
        self.eth = replace(platform.eth_feed)
        self.usd = replace(platform.usd_feed)
        # The vault's liquidation terms in force (new listings copy them).
        self.terms = (platform.threshold_bps, platform.bonus_bps, platform.close_factor_bps)
        self.paused = False
        self.donated: dict[str, int] = {}  # "book" | "vault" | "autolend" -> amount sent directly
        self.approved: set[str] = set()  # lenders that made AutoLend their notes' operator
        self.nonces = Counter()  # registry nonce per borrower
        self.scores: dict[str, tuple[int, int, int]] = {}  # borrower -> (grade, expires at, pd bps)
        self.last_obs: Observation | None = None
        self.due: dict[int, Any] = {}  # loan id -> amountDue as read after the previous step
        self.changed = False  # did this step send a transaction that changes what the invariants read?

    # ------------------------------------------------------------------ steps

    @initialize(data=st.data())
    def open_book(self, data):
        """Every example starts with an active secured loan funded by one to three lenders, a
        listing partly funded and an auto-lend commitment, whatever its steps turn out to be."""
        active = self._list(data, valid=True, grades=SECURED_GRADES)
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
        self._create_commitment(data, valid=True)

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
            return len(self.donated) < 3  # once per contract: a surplus is harmless
        if action in ("sleep", "move_price", "set_liquidation_terms"):
            return True
        if action == "create_commitment":
            return len(self.commitments) < MAX_COMMITMENTS
        if action in ("set_rule", "deposit", "withdraw_commitment", "close_commitment"):
            return any(not c.closed for c in self.commitments.values())
        if action == "reinvest":
            return any(not c.closed and c.rule.reinvest for c in self.commitments.values())
        if action == "fund_from_commitment":
            return any(not c.closed for c in self.commitments.values()) and self._some(self._fundable)
        return self._some({
            "cancel": self._cancellable, "start": self._startable, "fund": self._fundable,
            "refund": self._refundable, "repay": self._repayable, "mark_default": self._defaultable,
            "transfer_notes": self._has_notes, "claim": self._has_income, "withdraw_fees": self._has_fees,
            "top_up": self._can_top_up, "withdraw_collateral": self._can_withdraw, "release": self._releasable,
            "liquidate": self._liquidatable, "liquidate_healthy": self._secured_debt,
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

    def _can_top_up(self, loan) -> bool:
        return loan.has_position and loan.status in (LISTED, ACTIVE, DEFAULTED)

    def _can_withdraw(self, loan) -> bool:
        return loan.collateral > 0 and loan.status == ACTIVE

    def _releasable(self, loan) -> bool:
        return loan.collateral > 0 and loan.status in (REPAID, CANCELLED, EXPIRED, CLOSED)

    def _secured_debt(self, loan) -> bool:
        return loan.collateral > 0 and loan.status in (ACTIVE, DEFAULTED)

    def _liquidatable(self, loan) -> bool:
        if not self._secured_debt(loan):
            return False
        now = chain.time()
        return loan.status == DEFAULTED or (self._valuation_error(loan, now) is None and self._health(loan, now) < WAD)

    # ------------------------------------------------------------------ borrower actions

    def list_loan(self, data):
        with self._maybe_paused(data):
            self._list(data, valid=False)

    def _list(self, data, valid, grades=GRADES) -> GhostLoan | None:
        """A listing by a random borrower within its grade's policy, escrowing at least the grade's
        collateral; unless `valid`, sometimes with a stale score, outside the policy or a wei short
        of the collateral."""
        p = self.p
        who = data.draw(st.sampled_from(p.borrowers), label="borrower")
        fresh = valid or not self._rarely(data, "reuse the stored score")
        stored = self.scores.get(str(who))
        grade = data.draw(st.sampled_from(grades), label="grade") if fresh or not stored else stored[0]
        max_whole, max_apr, min_ratio = GRADE_POLICY[grade]
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
        purpose = data.draw(st.integers(0, MAX_PURPOSE), label="purpose")
        pd_bps = data.draw(st.integers(0, BPS), label="pd bps")
        deadline = chain.time() + data.draw(st.integers(HOUR, 59 * DAY), label="listing duration")
        collateral = self._draw_collateral(data, min_ratio, principal, valid)
        terms = helpers.terms(p.usdc, principal=principal, apr_bps=apr, instalments=instalments, period=period,
                              deadline=deadline, min_fill_bps=min_fill_bps, purpose=purpose,
                              collateral_token=p.weth if collateral or min_ratio else NO_COLLATERAL,
                              collateral_amount=collateral)
        attestation, signature = helpers.attestation(p.registry, p.signer, who, grade=grade, pd_bps=pd_bps,
                                                     nonce=self.nonces[str(who)])
        loan_id = len(self.loans) + 1

        def predict(now):
            if self.paused:
                return "LendingPaused"
            if not fresh and (stored is None or stored[1] <= now):
                return "NoValidScore"
            if principal > max_principal:
                return "PrincipalAboveLimit"
            if apr > max_apr:
                return "AprAboveLimit"
            return self._ratio_error(loan_id, collateral, principal, min_ratio, now)

        tx = self._act("list", predict, lambda: p.book.requestLoan(
            terms, attestation, signature if fresh else b"", {"from": who}))
        if tx is None:
            return None
        if fresh:
            self.nonces[str(who)] += 1
            self.scores[str(who)] = (grade, attestation[4], pd_bps)
        event = tx.events["LoanRequested"]
        assert (event["loanId"], event["grade"]) == (loan_id, grade)
        loan = GhostLoan(loan_id, who, principal, apr, instalments, period, deadline,
                         min_fill=-(-principal * min_fill_bps // BPS), grade=grade, min_ratio_bps=min_ratio,
                         purpose=purpose, pd_bps=pd_bps if fresh else stored[2],
                         collateral=collateral, has_position=collateral > 0)
        if loan.has_position:
            loan.threshold_bps, loan.bonus_bps, loan.close_factor_bps = self.terms
            event = tx.events["CollateralLocked"]
            assert (event["loanId"], event["amount"], event["liquidationThresholdBps"], event["liquidationBonusBps"],
                    event["closeFactorBps"]) == (loan_id, collateral, *self.terms)
        self.loans[loan_id] = loan
        STATS["list secured" if min_ratio else "list unsecured"] += 1
        return loan

    def _draw_collateral(self, data, min_ratio, principal, valid) -> int:
        """WETH to escrow: for a secured grade from exactly the required value to three times it
        (unless `valid`, rarely a wei short); for an unsecured grade rarely some, mostly none."""
        if min_ratio == 0:
            return self._draw_weth(data, "collateral") if self._rarely(data, "collateral on an unsecured grade") else 0
        needed = self._collateral_needed(principal, min_ratio)
        if not valid and self._rarely(data, "a wei short of the required collateral"):
            return needed - 1
        percent = data.draw(st.sampled_from([100]) | st.integers(100, 300), label="collateral, % of the required")
        return needed * percent // 100

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
        self._check_split(tx, parts)
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
        tx = self._act("fund", lambda now: self._funding_error(loan, amount, now),
                       lambda: self.p.book.fund(loan.loan_id, amount, {"from": lender}))
        if tx:
            self._add_notes(loan, lender, amount, tx.timestamp)

    def _funding_error(self, loan, amount, now):
        """LoanBook.fundFor's checks, in its order."""
        if self.paused:
            return "LendingPaused"
        if loan.status != LISTED:
            return "LoanNotListed"
        if now > loan.deadline:
            return "FundingClosed"
        if amount == 0:
            return "ZeroAmount"
        if amount > loan.remaining:
            return "FundingExceedsRemaining"
        if amount < self.p.min_funding and amount != loan.remaining:
            return "BelowMinimumFunding"
        return None

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
        if tx:
            self._record_claims(tx, holder, expected)

    def _record_claims(self, tx, holder, expected):
        """Check a claim's Claimed events against the expected income per loan and book them."""
        paid = Counter()
        for event in tx.events["Claimed"]:
            assert str(event["holder"]) == str(holder)
            paid[event["loanId"]] += event["amount"]
        assert paid == +Counter(expected), f"claimed {dict(paid)}, expected {expected}"
        for loan_id, amount in paid.items():
            self.loans[loan_id].holding(holder).claimed += amount
        return sum(paid.values())

    # ------------------------------------------------------------------ collateral

    def top_up(self, data):
        loan = self._pick_loan(data, self._can_top_up)
        payer = self.p.outsider if data.draw(st.booleans(), label="someone else tops up") else loan.borrower
        amount = 0 if self._rarely(data, "zero") else self._draw_weth(data, "top-up")

        def predict(now):
            if amount == 0:
                return ("ZeroAmount",)
            if loan.status not in (LISTED, ACTIVE, DEFAULTED):
                return ("WrongLoanStatus", loan.loan_id, loan.status)
            return None if loan.has_position else ("NoCollateral", loan.loan_id)

        if self._act("topUp", predict, lambda: self.p.vault.topUp(loan.loan_id, amount, {"from": payer})):
            loan.collateral += amount

    def withdraw_collateral(self, data):
        loan = self._pick_loan(data, self._can_withdraw)
        caller = self.p.outsider if self._rarely(data, "not the borrower") else loan.borrower
        free = self._free_collateral(loan, chain.time())
        if self._rarely(data, "odd amount"):
            amount = data.draw(st.sampled_from([0, free + 1, loan.collateral + 1]), label="zero or too much")
        else:
            kind = data.draw(st.sampled_from(["all that is free", "part", "all that is free", "all"]), label="amount")
            amount = {"all that is free": max(free, 1), "all": max(loan.collateral, 1),
                      "part": self._draw_part(data, free)}[kind]

        with self._maybe_paused(data):
            tx = self._act("withdrawCollateral", lambda now: self._withdrawal_error(loan, caller, amount, now),
                           lambda: self.p.vault.withdraw(loan.loan_id, amount, {"from": caller}))
        if tx:
            loan.collateral -= amount

    def _withdrawal_error(self, loan, caller, amount, now):
        """CollateralVault.withdraw's checks, in its order."""
        if amount == 0:
            return ("ZeroAmount",)
        if not loan.has_position:
            return ("NoCollateral", loan.loan_id)
        if caller != loan.borrower:
            return ("NotBorrower", loan.loan_id, caller)
        if loan.status != ACTIVE:  # never while listed
            return ("WrongLoanStatus", loan.loan_id, loan.status)
        if amount > loan.collateral:
            return ("WithdrawalExceedsCollateral", loan.loan_id, amount, loan.collateral)
        return self._ratio_error(loan.loan_id, loan.collateral - amount, loan.model.payoff(now), loan.min_ratio_bps,
                                 now)

    def release(self, data):
        loan = self._pick_loan(data, self._releasable)
        caller = data.draw(st.sampled_from([loan.borrower, self.p.outsider]), label="caller")

        def predict(now):
            if loan.status in (LISTED, ACTIVE, DEFAULTED):
                return ("WrongLoanStatus", loan.loan_id, loan.status)
            return None if loan.collateral else ("NoCollateral", loan.loan_id)

        tx = self._act("release", predict, lambda: self.p.vault.release(loan.loan_id, {"from": caller}))
        if tx:
            event = tx.events["CollateralReleased"]
            assert (event["loanId"], str(event["borrower"]), event["amount"]) == (
                loan.loan_id, str(loan.borrower), loan.collateral)
            loan.collateral = 0

    # ------------------------------------------------------------------ prices and liquidation

    def move_price(self, data):
        """A new round on the ETH feed (rarely the USDC feed): mostly a move up or down, or to
        within a few feed units of a loan's liquidation price (where health crosses 1); sometimes
        the same price again, sometimes an unusable round (non-positive, incomplete, stale or from
        the future)."""
        feed = self.usd if self._rarely(data, "the USDC feed") else self.eth
        kind = data.draw(st.sampled_from(["move", "move", "to a liquidation price", "to a liquidation price", "refresh",
                                          "unusable"]), label="new round")
        target = self._liquidation_answer(data) if kind == "to a liquidation price" and feed is self.eth else None
        if target:
            self._publish(feed, target)
        elif kind in ("move", "to a liquidation price"):
            kind = "move"
            self._publish(feed, self._moved_answer(data, feed))
        elif kind == "refresh":
            self._publish(feed, feed.good_answer)
        else:
            self._publish_unusable(data, feed)
        STATS[f"price {kind}"] += 1

    def _liquidation_answer(self, data) -> int | None:
        """An ETH answer a few feed units (1e-8 USD) around the liquidation price of a secured loan
        with debt, if there is one and the USDC price is usable."""
        now = chain.time()
        loans = [loan.loan_id for loan in self.loans.values()
                 if self._secured_debt(loan) and loan.min_ratio_bps and self.usd.error(now) is None]
        if not loans:
            return None
        price = self._liquidation_price(self.loans[data.draw(st.sampled_from(loans), label="loan")], now)
        offset = data.draw(st.integers(-2, 2), label="feed units from the liquidation price")
        return max(price // 10 ** (18 - self.eth.decimals) + offset, 1)

    def _moved_answer(self, data, feed) -> int:
        if feed is self.eth:
            percent, (low, high) = data.draw(st.integers(40, 160), label="ETH price, % of the last"), ETH_ANSWERS
        else:
            percent, (low, high) = data.draw(st.integers(95, 105), label="USDC price, % of the last"), USD_ANSWERS
        return min(max(feed.good_answer * percent // 100, low), high)

    def _publish(self, feed, answer):
        tx = self._act("setAnswer", lambda now: None, lambda: feed.contract.setAnswer(answer, {"from": self.p.gov}),
                       observable=False)
        feed.publish(feed.round_id + 1, answer, tx.timestamp, feed.round_id + 1)

    def _publish_unusable(self, data, feed):
        kind = data.draw(st.sampled_from(["zero", "negative", "below the minimum", "above the maximum", "absurd",
                                          "incomplete", "stale", "future"]), label="unusable")
        answers = {"zero": 0, "negative": -feed.good_answer, "below the minimum": feed.min_answer - 1,
                   "above the maximum": feed.max_answer + 1, "absurd": 2**255 - 1}
        if kind in answers:
            self._publish(feed, answers[kind])
            return
        now, next_id = chain.time(), feed.round_id + 1
        updated = {"incomplete": now, "stale": now - feed.max_age - data.draw(st.integers(1, DAY), label="age"),
                   "future": now + data.draw(st.integers(2 * MARGIN, DAY), label="ahead")}[kind]
        answered_in = feed.round_id if kind == "incomplete" else next_id
        self._act("setRound", lambda t: None, lambda: feed.contract.setRound(
            next_id, feed.good_answer, updated, updated, answered_in, {"from": self.p.gov}), observable=False)
        feed.publish(next_id, feed.good_answer, updated, answered_in)

    def _refresh_feeds(self):
        for feed in (self.eth, self.usd):
            self._publish(feed, feed.good_answer)

    def liquidate_healthy(self, data):
        """Try to liquidate a secured loan with debt, mostly one whose health is 1 or more."""
        self.liquidate(data, wanted=lambda loan: self._secured_debt(loan) and not self._liquidatable(loan))

    def liquidate(self, data, wanted=None):
        loan = self._pick_loan(data, wanted or self._liquidatable)
        liquidator = loan.borrower if self._rarely(data, "the borrower liquidates") else self.p.liquidator
        amount = self._liquidation_amount(data, loan)
        with self._maybe_paused(data):
            tx = self._act("liquidate", lambda now: self._liquidation_error(loan, amount, now),
                           lambda: self.p.vault.liquidate(loan.loan_id, amount, {"from": liquidator}))
        if tx:
            self._record_liquidation(loan, liquidator, amount, tx)

    def _liquidation_amount(self, data, loan) -> int:
        max_repay = self._max_repay(loan, chain.time()) if loan.model else 0
        if self._rarely(data, "odd amount"):
            return data.draw(st.sampled_from([0, max_repay + 1]), label="zero or above the maximum")
        kind = data.draw(st.sampled_from(["maximum", "part", "part", "one unit"]), label="repayment")
        if kind == "part":
            return self._draw_part(data, max_repay)
        return max(max_repay, 1) if kind == "maximum" else 1

    def _liquidation_error(self, loan, amount, now):
        """CollateralVault.liquidate's checks, in its order."""
        if amount == 0:
            return ("ZeroAmount",)
        if loan.collateral == 0:
            return ("NoCollateral", loan.loan_id)
        price_error = self._valuation_error(loan, now)
        if price_error:
            return price_error
        if loan.status not in (ACTIVE, DEFAULTED):  # the book refuses the payment
            return ("NotRepayable", loan.loan_id, loan.status)
        health = self._health(loan, now)
        if loan.status == ACTIVE and health >= WAD:
            return ("Healthy", loan.loan_id, health)
        max_repay = self._max_repay(loan, now)
        return ("RepayAboveMaximum", loan.loan_id, amount, max_repay) if amount > max_repay else None

    def _record_liquidation(self, loan, liquidator, amount, tx):
        now = tx.timestamp
        health = self._health(loan, now)
        assert loan.status == DEFAULTED or health < WAD, f"loan {loan.loan_id} liquidated at health {health}"
        seized, repaid = self._seizure(loan, amount)
        event = tx.events["Liquidated"]
        assert (event["loanId"], str(event["liquidator"]), event["repaid"], event["seized"], event["healthWad"]) == (
            loan.loan_id, str(liquidator), repaid, seized, health), f"liquidation {dict(event)}"
        loan.model, parts = loan.model.repaid(now, repaid)
        self._check_split(tx, parts)
        loan.fees_due += parts["platform_fee"]
        self._distribute(loan, parts["to_holders"])
        loan.collateral -= seized
        if loan.model.outstanding == 0:
            self._close(loan, tx, written_off=0, outcome="liquidated in full")
        elif loan.collateral == 0 and loan.status == DEFAULTED:
            self._close(loan, tx, written_off=loan.model.payoff(now), outcome="liquidated and written off")
        elif loan.collateral == 0:
            assert "LoanClosed" not in tx.events  # an active loan stays owed, unsecured
            STATS["liquidated until unsecured"] += 1
        else:
            STATS["liquidated in part"] += 1

    def _close(self, loan, tx, written_off, outcome):
        assert tx.events["LoanClosed"]["debtWrittenOff"] == written_off
        loan.status = CLOSED
        STATS[outcome] += 1

    def set_liquidation_terms(self, data):
        """Governance changes WETH's liquidation threshold and bonus, or the close factor (rarely
        outside the vault's caps). Open loans keep the terms copied at listing, so nothing the
        invariants read may change; new listings copy the new terms."""
        p = self.p
        threshold, bonus, close_factor = self.terms
        if data.draw(st.booleans(), label="the close factor (else WETH's threshold and bonus)"):
            close_factor = data.draw(st.integers(MIN_CLOSE_FACTOR_BPS, BPS) if not self._rarely(
                data, "close factor out of bounds") else st.sampled_from([MIN_CLOSE_FACTOR_BPS - 1, BPS + 1]),
                label="close factor")

            def predict(now):
                valid = MIN_CLOSE_FACTOR_BPS <= close_factor <= BPS
                return None if valid else ("InvalidCloseFactor", close_factor)

            send = lambda: p.vault.setCloseFactor(close_factor, {"from": p.gov})  # noqa: E731
        else:
            threshold = data.draw(st.sampled_from([p.threshold_bps, MAX_THRESHOLD_BPS]) | st.integers(
                1, MAX_THRESHOLD_BPS), label="threshold")
            # The largest bonus keeping threshold x (1 + bonus) below 100%, unless rarely past it.
            most = min(MAX_BONUS_BPS, ceil_div(BPS * BPS, threshold) - BPS - 1)
            bonus = data.draw(st.integers(0, most) if not self._rarely(data, "terms out of bounds")
                              else st.sampled_from([most + 1, MAX_BONUS_BPS + 1]), label="bonus")

            def predict(now):
                valid = bonus <= MAX_BONUS_BPS and threshold * (BPS + bonus) < BPS * BPS
                return None if valid else ("InvalidCollateralSetting", p.weth, threshold, bonus)

            send = lambda: p.vault.setCollateral(p.weth, True, threshold, bonus, {"from": p.gov})  # noqa: E731
        if self._act("setLiquidationTerms", predict, send, observable=False):
            self.terms = (threshold, bonus, close_factor)

    # ------------------------------------------------------------------ auto-lend commitments

    def create_commitment(self, data):
        self._create_commitment(data, valid=False)

    def _create_commitment(self, data, valid):
        """A commitment of a lender, mostly one already holding notes of a started loan (so that
        reinvesting has income to sweep), unless `valid` rarely of a borrower or in WETH, with a
        random rule (unless `valid`, rarely out of bounds), depositing something (rarely nothing)."""
        p = self.p
        holding = [lender for lender in p.lenders if any(
            loan.notes_of(lender) for loan in self.loans.values() if loan.status in STARTED)]
        if not valid and self._rarely(data, "a borrower commits"):
            lender = p.borrowers[1]
        else:
            lender = data.draw(st.sampled_from(holding if holding and data.draw(
                st.integers(0, 2), label="a lender holding notes unless 0") else p.lenders), label="lender")
        token = p.weth if not valid and self._rarely(data, "a WETH commitment") else p.usdc
        rule_ = self._draw_rule(data, valid)
        deposit = 0 if self._rarely(data, "no deposit") else self._draw_usdc(data, 20_000, "deposit")
        commitment_id = len(self.commitments) + 1
        tx = self._act("createCommitment", rule_.invalid, lambda: p.autolend.createCommitment(
            token, astuple(rule_), deposit, {"from": lender}))
        if tx:
            assert tx.events["CommitmentCreated"]["commitmentId"] == commitment_id
            self.commitments[commitment_id] = GhostCommitment(commitment_id, lender, token, rule_, available=deposit)

    def _draw_rule(self, data, valid) -> Rule:
        """Mostly a rule tailored to accept a listing (often at its exact edges), else a random one;
        unless `valid`, rarely with a field out of bounds."""
        listed = [loan.loan_id for loan in self.loans.values() if loan.status == LISTED]
        if listed and data.draw(st.integers(0, 2), label="tailored to a listing unless 0"):
            rule_ = self._tailored_rule(data, self.loans[data.draw(st.sampled_from(listed), label="listing")])
        else:
            rule_ = self._random_rule(data)
        if not valid and self._rarely(data, "a field out of bounds"):
            rule_ = self._broken_rule(data, rule_)
        return rule_

    def _random_rule(self, data) -> Rule:
        """Each term of the rule is as broad as it can be about half the time, else random."""
        min_apr = data.draw(st.just(0) | st.integers(0, 3_000), label="min apr")
        return Rule(
            worst_grade=data.draw(st.just(9) | st.integers(1, 9), label="worst grade"),
            min_apr_bps=min_apr,
            max_apr_bps=data.draw(st.just(BPS) | st.integers(min_apr, BPS), label="max apr"),
            max_term=data.draw(st.just(MAX_TERM) | st.integers(DAY, 2 * 365 * DAY), label="max term"),
            min_collateral_ratio_bps=data.draw(st.just(0) | st.sampled_from([5_000, 10_000]) | st.integers(0, 50_000),
                                               label="min collateral ratio"),
            purpose_mask=data.draw(st.just(UINT32_MAX) | st.integers(1, UINT32_MAX), label="purpose mask"),
            max_pd_bps=data.draw(st.just(BPS) | st.integers(0, BPS), label="max pd"),
            **self._draw_limits(data),
        )

    def _tailored_rule(self, data, loan) -> Rule:
        return Rule(
            worst_grade=data.draw(st.integers(loan.grade, 9), label="worst grade"),
            min_apr_bps=data.draw(st.integers(0, loan.apr_bps), label="min apr"),
            max_apr_bps=data.draw(st.integers(loan.apr_bps, BPS), label="max apr"),
            max_term=data.draw(st.integers(loan.term, MAX_TERM), label="max term"),
            min_collateral_ratio_bps=data.draw(st.integers(0, loan.min_ratio_bps), label="min collateral ratio"),
            # The loan's purpose bit, and others at random; a PD limit at or above the loan's.
            purpose_mask=1 << loan.purpose | data.draw(st.integers(0, UINT32_MAX), label="other purposes"),
            max_pd_bps=data.draw(st.integers(loan.pd_bps, BPS), label="max pd"),
            **self._draw_limits(data),
        )

    def _draw_limits(self, data) -> dict:
        def limit(label):
            return UINT96_MAX if data.draw(st.booleans(), label=f"no {label}") else self._draw_usdc(data, 30_000, label)

        life = data.draw(st.integers(1, 90), label="life, days") * DAY
        operator = data.draw(st.sampled_from([ZERO_ADDRESS, ZERO_ADDRESS, str(self.p.outsider),
                                              str(self.p.liquidator)]), label="operator")
        return {"max_per_loan": limit("max per loan"), "max_per_borrower": limit("max per borrower"),
                "budget": limit("budget"), "expiry": chain.time() + life,
                "reinvest": data.draw(st.booleans(), label="reinvest"), "operator": operator}

    def _broken_rule(self, data, rule_) -> Rule:
        now = chain.time()
        breaks = {"worst_grade": st.sampled_from([0, 10]), "max_apr_bps": st.just(BPS + 1),
                  "min_apr_bps": st.just(rule_.max_apr_bps + 1), "max_term": st.just(UINT32_MAX + 1),
                  "min_collateral_ratio_bps": st.just(50_001), "max_per_loan": st.just(UINT96_MAX + 1),
                  "max_per_borrower": st.just(UINT96_MAX + 1), "budget": st.just(UINT96_MAX + 1),
                  "expiry": st.sampled_from([now - DAY, UINT40_MAX + 1]), "purpose_mask": st.sampled_from([0, 2**32]),
                  "max_pd_bps": st.just(BPS + 1)}
        name = data.draw(st.sampled_from(sorted(breaks)), label="field out of bounds")
        return replace(rule_, **{name: data.draw(breaks[name], label=name)})

    def set_rule(self, data):
        commitment_id, c = self._pick_commitment(data)
        caller = self._manager(data, c)
        rule_ = self._draw_rule(data, valid=False)
        tx = self._act("setRule", lambda now: self._manager_error(commitment_id, c, caller) or rule_.invalid(now),
                       lambda: self.p.autolend.setRule(commitment_id, astuple(rule_), {"from": caller}))
        if tx:
            c.rule, c.spent_since_rule = rule_, 0

    def deposit(self, data):
        commitment_id, c = self._pick_commitment(data)
        caller = self._manager(data, c)
        amount = 0 if self._rarely(data, "zero") else self._draw_usdc(data, 10_000, "deposit")

        def predict(now):
            return self._manager_error(commitment_id, c, caller) or (("ZeroAmount",) if amount == 0 else None)

        if self._act("deposit", predict, lambda: self.p.autolend.deposit(commitment_id, amount, {"from": caller})):
            c.available += amount

    def withdraw_commitment(self, data):
        commitment_id, c = self._pick_commitment(data, lambda c: c.available > 0)
        caller = self._manager(data, c)
        available = c.available if c else 0
        if self._rarely(data, "odd amount"):
            amount = data.draw(st.sampled_from([0, available + 1]), label="zero or too much")
        else:
            amount = available if data.draw(st.booleans(), label="all") else self._draw_part(data, available)

        def predict(now):
            if error := self._manager_error(commitment_id, c, caller):
                return error
            if amount == 0:
                return ("ZeroAmount",)
            return ("InsufficientFunds", commitment_id, amount, available) if amount > available else None

        if self._act("withdrawCommitment", predict,
                     lambda: self.p.autolend.withdraw(commitment_id, amount, {"from": caller})):
            c.available -= amount

    def close_commitment(self, data):
        commitment_id, c = self._pick_commitment(data)
        caller = self._manager(data, c)
        tx = self._act("closeCommitment", lambda now: self._manager_error(commitment_id, c, caller),
                       lambda: self.p.autolend.close(commitment_id, {"from": caller}))
        if tx:
            assert tx.events["CommitmentClosed"]["refunded"] == c.available
            c.available, c.closed = 0, True

    def fund_from_commitment(self, data):
        """Anyone funds a listing from a commitment: any commitment, any loan, any amount, so often
        outside the rule; mostly the largest amount every limit allows."""
        commitment_id, c, loan_id, loan = self._pick_commitment_and_loan(data)
        amount = self._commitment_amount(data, c, loan)
        caller = data.draw(st.sampled_from([self.p.outsider, self.p.liquidator, c.lender if c else self.p.gov]),
                           label="caller")

        def predict(now):
            return self._commitment_funding_error(commitment_id, c, loan_id, loan, amount, caller, now)

        with self._maybe_paused(data):
            tx = self._act("fundFromCommitment", predict, lambda: self.p.autolend.fundFromCommitment(
                commitment_id, loan_id, amount, {"from": caller}))
        if tx:
            self._record_commitment_funding(c, loan, amount, caller, tx)

    def _pick_commitment_and_loan(self, data):
        """Mostly a listing and an open commitment whose rule accepts it (when there is such a
        pair), else a listing (rarely any loan, or an unknown id) and a commitment at random."""
        accepted = [(c.commitment_id, loan.loan_id) for c in self.commitments.values() if not c.closed
                    for loan in self.loans.values() if self._fundable(loan) and self._accepts(c, loan)]
        if accepted and data.draw(st.integers(0, 2), label="a listing the rule accepts unless 0"):
            commitment_id, loan_id = data.draw(st.sampled_from(accepted), label="commitment and loan")
            return commitment_id, self.commitments[commitment_id], loan_id, self.loans[loan_id]
        commitment_id, c = self._pick_commitment(data, lambda c: c.available > 0)
        if self._rarely(data, "unknown loan"):
            return commitment_id, c, len(self.loans) + 1, None
        loan = self._pick_loan(data, self._fundable)
        return commitment_id, c, loan.loan_id, loan

    def _commitment_amount(self, data, c, loan) -> int:
        """Mostly the most every limit allows; else a part or all of what the loan still needs,
        one unit past one of the limits, or (rarely) zero."""
        if c is None or loan is None:
            return self._draw_usdc(data, 1_000, "amount")
        if self._rarely(data, "zero"):
            return 0
        kind = data.draw(st.sampled_from(["fits", "fits", "remaining", "part", "past a limit"]), label="amount")
        if kind == "past a limit":
            return max(data.draw(st.sampled_from(self._limits(c, loan)), label="limit"), 0) + 1
        if kind == "part":
            return self._draw_part(data, loan.remaining)
        return max(self._fitting_amount(c, loan) if kind == "fits" else loan.remaining, 1)

    def _limits(self, c, loan) -> list[int]:
        """The most commitment `c` may lend to `loan` by each limit alone: its funds, its budget,
        its room in the loan and with the borrower, and what the loan still needs."""
        r = c.rule
        return [c.available, c.budget, r.max_per_loan - loan.notes_of(c.lender),
                r.max_per_borrower - c.lent[str(loan.borrower)], loan.remaining]

    def _fitting_amount(self, c, loan) -> int:
        """The most the rule lets commitment `c` lend to `loan` now (possibly 0 or less)."""
        return min(self._limits(c, loan))

    def _accepts(self, c, loan) -> bool:
        """Whether commitment `c` may lend something to `loan` now."""
        return self._rule_error(c, loan, max(self._fitting_amount(c, loan), 1)) is None and (
            chain.time() <= c.rule.expiry)

    def _commitment_funding_error(self, commitment_id, c, loan_id, loan, amount, caller, now):
        """AutoLend.fundFromCommitment's checks, in its order, then the book's."""
        if amount == 0:
            return ("ZeroAmount",)
        if c is None or c.closed:
            return ("UnknownCommitment", commitment_id)
        if c.rule.operator != ZERO_ADDRESS and str(caller) not in (c.rule.operator, str(c.lender)):
            return ("NotOperator", commitment_id, caller)
        if now > c.rule.expiry:
            return ("CommitmentExpired", commitment_id, c.rule.expiry)
        if loan is None:
            return ("UnknownLoan", loan_id)
        return self._rule_error(c, loan, amount) or self._funding_error(loan, amount, now)

    def _rule_error(self, c, loan, amount):
        """Why commitment `c`'s rule refuses `amount` of `loan` (AutoLend's order), or None."""
        r, ids = c.rule, (c.commitment_id, loan.loan_id)
        holding = loan.notes_of(c.lender) + amount
        lent = c.lent[str(loan.borrower)] + amount
        refusals = [
            (c.token != self.p.usdc, ("TokenMismatch", *ids, self.p.usdc)),
            (str(loan.borrower) == str(c.lender), ("OwnLoan", *ids)),
            (loan.grade > r.worst_grade, ("GradeOutsideRule", *ids, loan.grade)),
            (not r.min_apr_bps <= loan.apr_bps <= r.max_apr_bps, ("AprOutsideRule", *ids, loan.apr_bps)),
            (loan.term > r.max_term, ("TermOutsideRule", *ids, loan.term)),
            (loan.min_ratio_bps < r.min_collateral_ratio_bps, ("CollateralOutsideRule", *ids, loan.min_ratio_bps)),
            (not r.purpose_mask >> loan.purpose & 1, ("PurposeOutsideRule", *ids, loan.purpose)),
            (loan.pd_bps > r.max_pd_bps, ("PdOutsideRule", *ids, loan.pd_bps)),
            (amount > c.available, ("InsufficientFunds", c.commitment_id, amount, c.available)),
            (amount > c.budget, ("BudgetExceeded", c.commitment_id, amount, c.budget)),
            (holding > r.max_per_loan, ("LoanLimitExceeded", *ids, holding, r.max_per_loan)),
            (lent > r.max_per_borrower,
             ("BorrowerLimitExceeded", c.commitment_id, loan.borrower, lent, r.max_per_borrower)),
        ]
        return next((error for refused, error in refusals if refused), None)

    def _record_commitment_funding(self, c, loan, amount, caller, tx):
        event = tx.events["FundedFromCommitment"]
        assert (event["commitmentId"], event["loanId"], str(event["caller"]), event["amount"], event["available"]) == (
            c.commitment_id, loan.loan_id, str(caller), amount, c.available - amount)
        assert str(tx.events["Funded"]["lender"]) == str(c.lender)
        c.available -= amount
        c.spent_since_rule += amount
        c.lent[str(loan.borrower)] += amount
        self._add_notes(loan, c.lender, amount, tx.timestamp)

    def reinvest(self, data):
        """Anyone sweeps a lender's income into a commitment; the lender approves AutoLend as its
        notes' operator, or revokes it, first."""
        commitment_id, c = self._pick_commitment(
            data, lambda c: c.rule.reinvest and any(self._claimable(i, c.lender) for i in self.loans),
            lambda c: c.rule.reinvest)
        lender = c.lender if c else self.p.lenders[0]
        self._set_operator_approval(data, lender)
        earning = [] if self._rarely(data, "skip the loans with income") else [
            i for i in self.loans if self._claimable(i, lender)]
        ids = earning + data.draw(st.lists(st.sampled_from(sorted(self.loans)), max_size=2), label="more ids")
        if self._rarely(data, "an unknown loan id"):
            ids.append(data.draw(st.sampled_from([0, len(self.loans) + 1]), label="unknown id"))
        expected = {i: self._claimable(i, lender) for i in set(ids) if i in self.loans}
        caller = data.draw(st.sampled_from([self.p.outsider, lender]), label="caller")
        with self._maybe_paused(data):
            tx = self._act("reinvest", lambda now: self._reinvest_error(commitment_id, c, ids, expected, now),
                           lambda: self.p.autolend.reinvest(commitment_id, ids, {"from": caller}))
        if tx:
            total = self._record_claims(tx, lender, expected)
            c.available += total
            event = tx.events["Reinvested"]
            assert (event["commitmentId"], event["amount"], event["available"]) == (commitment_id, total, c.available)

    def _reinvest_error(self, commitment_id, c, ids, expected, now):
        """AutoLend.reinvest's checks, then LoanBook.claimFor's, in their order."""
        if c is None or c.closed:
            return ("UnknownCommitment", commitment_id)
        if now > c.rule.expiry:
            return ("CommitmentExpired", commitment_id, c.rule.expiry)
        if not c.rule.reinvest:
            return ("ReinvestOff", commitment_id)
        for loan_id in ids:
            token = self.p.usdc if loan_id in self.loans else ZERO_ADDRESS
            if str(token) != str(c.token):
                return ("TokenMismatch", commitment_id, loan_id, token)
        if str(c.lender) not in self.approved:
            return ("ERC1155MissingApprovalForAll", self.p.autolend, c.lender)
        return ("NothingToClaim", 0, c.lender) if sum(expected.values()) == 0 else None

    def _set_operator_approval(self, data, lender):
        approve = data.draw(st.integers(0, 3), label="the lender approves AutoLend unless 0") != 0
        if approve == (str(lender) in self.approved):
            return
        self._act("setApprovalForAll", lambda now: None, lambda: self.p.book.setApprovalForAll(
            self.p.autolend, approve, {"from": lender}), observable=False)
        (self.approved.add if approve else self.approved.discard)(str(lender))

    def _pick_commitment(self, data, *preferences) -> tuple[int, GhostCommitment | None]:
        """Mostly an open commitment satisfying the first preference any satisfies (else any open
        one); sometimes any id, closed or unknown."""
        ids = sorted(self.commitments)
        open_ids = [i for i in ids if not self.commitments[i].closed]
        pools = [[i for i in open_ids if wanted(self.commitments[i])] for wanted in preferences]
        pool = next((pool for pool in pools if pool), open_ids)
        if pool and not self._rarely(data, "any commitment id"):
            commitment_id = data.draw(st.sampled_from(pool), label="commitment")
        else:
            commitment_id = data.draw(st.sampled_from([0, *ids, len(ids) + 1]), label="any commitment id")
        return commitment_id, self.commitments.get(commitment_id)

    def _manager(self, data, c):
        return c.lender if c and not self._rarely(data, "not the lender") else self.p.outsider

    @staticmethod
    def _manager_error(commitment_id, c, caller):
        if c is None or c.closed:
            return ("UnknownCommitment", commitment_id)
        return ("NotLender", commitment_id, caller) if str(caller) != str(c.lender) else None

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
        """Time passes: to around a loan's next deadline, where outcomes flip, or by a random jump.
        The price feeds then publish fresh rounds, unless (rarely) they are left to go stale."""
        deadlines = self._upcoming_deadlines()
        if deadlines and data.draw(st.booleans(), label="to around a deadline"):
            target = data.draw(st.sampled_from(deadlines), label="deadline")
            seconds = max(target - chain.time() + data.draw(st.integers(-DAY, DAY), label="offset"), 1)
        else:
            seconds = data.draw(st.integers(HOUR, 3 * DAY) | st.integers(3 * DAY, 60 * DAY)
                                | st.integers(60 * DAY, 250 * DAY), label="seconds")
        chain.sleep(seconds)
        STATS["sleep"] += 1
        if not self._rarely(data, "let the price feeds go stale"):
            self._refresh_feeds()

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
        """Someone sends tokens straight to the book, the vault or AutoLend: they stay there, owed
        to no one."""
        p = self.p
        target = data.draw(st.sampled_from([t for t in ("book", "vault", "autolend") if t not in self.donated]),
                           label="donate to")
        token, recipient = {"book": (p.usdc, p.book), "vault": (p.weth, p.vault), "autolend": (p.usdc, p.autolend)}[
            target]
        amount = data.draw(st.integers(1, 1_000 * USDC), label="donation")
        if self._act("donate", lambda now: None, lambda: token.transfer(recipient, amount, {"from": p.outsider})):
            self.donated[target] = amount

    # ------------------------------------------------------------------ helpers

    def _act(self, name, predict, send, observable=True):
        """Send a transaction whose outcome the ghost predicts: `predict(timestamp)` returns the
        expected custom error (a name, or a tuple of the name and its exact parameters), or None for
        success. Within MARGIN of a time boundary either outcome is accepted; a success must then
        be right at its exact block timestamp. `observable`: whether a success changes what the
        invariants read."""
        now = chain.time()
        expected = {predict(now + offset) for offset in (-MARGIN, 0, MARGIN)}
        try:
            tx = send()
        except VirtualMachineError as exc:
            message = exc.revert_msg or ""
            assert any(e is not None and matches(e, message) for e in expected), (
                f"{name} reverted with {message!r}; ghost expected {expected}")
            STATS[f"{name} reverted {message.partition(':')[0]}"] += 1
            return None
        assert predict(tx.timestamp) is None, f"{name} succeeded; ghost expected {predict(tx.timestamp)}"
        STATS[name] += 1
        self.changed |= observable
        return tx

    @staticmethod
    def _draw_usdc(data, max_whole, label) -> int:
        """Up to `max_whole` USDC: whole tokens plus odd units (a bare integer range would mostly
        give dust)."""
        whole = data.draw(st.integers(0, max_whole - 1), label=f"{label}, whole tokens")
        return whole * USDC + data.draw(st.integers(1, USDC), label=f"{label}, odd units")

    @staticmethod
    def _draw_weth(data, label) -> int:
        """Up to 2 WETH, in thousandths plus odd wei."""
        return data.draw(st.integers(0, 1_999), label=f"{label}, mWETH") * WETH // 1_000 + data.draw(
            st.integers(1, WETH // 1_000), label=f"{label}, odd wei")

    @staticmethod
    def _draw_part(data, whole) -> int:
        """A part of `whole`: a percentage of it (at least 1)."""
        return max(whole * data.draw(st.integers(1, 99), label="percent") // 100, 1)

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
        LendingPaused; repaying, claiming, refunding, starting, reinvesting, withdrawing
        collateral and liquidating must work as usual."""
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

    def _add_notes(self, loan, lender, amount, timestamp):
        """`amount` of `loan` funded for `lender`; the funding that completes the principal starts it."""
        completes = amount == loan.remaining
        holding = loan.holding(lender)
        holding.notes += amount
        holding.ever_held += amount
        loan.funded += amount
        if completes:
            self._start(loan, timestamp)

    def _start(self, loan, timestamp):
        p = self.p
        loan.status = ACTIVE
        loan.model = LoanState.started(
            loan.funded, loan.apr_bps, loan.instalments, loan.period, timestamp,
            fee_bps=p.fee_bps, late_fee_bps=p.late_fee_bps, grace_period=p.grace_period,
        )

    @staticmethod
    def _check_split(tx, parts):
        """A payment's Repayment event splits it as the model does."""
        event = tx.events["Repayment"]
        assert (event["lateFees"], event["interest"], event["principal"], event["platformFee"]) == (
            parts["late_fees"], parts["interest"], parts["principal"], parts["platform_fee"]
        ), f"repayment split {dict(event)} differs from the model's {parts}"

    def _distribute(self, loan, amount):
        for holding in loan.holdings.values():
            holding.share += Fraction(amount * holding.notes, loan.funded)
        loan.distributed += amount

    def _move_notes(self, loan, sender, receiver, value):
        loan.holding(sender).notes -= value
        incoming = loan.holding(receiver)
        incoming.notes += value
        incoming.ever_held += value

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
        """Times at which some outcome changes: a loan's funding deadline, end of the start window,
        due date, end of grace period or default eligibility; a commitment's expiry; a price
        feed's round going stale."""
        times = []
        for loan in self.loans.values():
            if loan.status == LISTED:
                times += [loan.deadline, loan.deadline + self.p.start_window]
            elif loan.status == ACTIVE:
                m = loan.model
                due = m.start_time + (m.satisfied_instalments() + 1) * m.period
                times += [due, due + self.p.grace_period, self._eligible_for_default(loan)]
        times += [c.rule.expiry for c in self.commitments.values() if not c.closed]
        times += [feed.updated_at + feed.max_age for feed in (self.eth, self.usd)]
        return sorted(t for t in times if t > chain.time())

    # ------------------------------------------------------------------ vault math (CollateralVault's rounding)

    def _valuation_error(self, loan, now):
        """The price error CollateralVault._prices meets first (the loan token's price, then the
        collateral's), or None."""
        return self.usd.error(now) or (self.eth.error(now) if loan.has_position else None)

    def _debt_wad(self, loan, now) -> int:
        return mul_div_up(loan.model.payoff(now), self.usd.price_wad, USDC)

    def _health(self, loan, now) -> int:
        """Collateral value (rounded down) / (debt value (rounded up) x the loan's required ratio x
        the liquidation threshold), WAD; unbounded for a loan that requires no collateral."""
        debt_wad = self._debt_wad(loan, now)
        if debt_wad == 0 or loan.min_ratio_bps == 0:
            return UINT256_MAX
        collateral_wad = mul_div_down(loan.collateral, self.eth.price_wad, WETH)
        return mul_div_down(collateral_wad, BPS * BPS * WAD, debt_wad * loan.min_ratio_bps * loan.threshold_bps)

    def _liquidation_price(self, loan, now) -> int:
        if loan.collateral == 0 or loan.min_ratio_bps == 0:
            return 0
        return mul_div_up(self._debt_wad(loan, now), loan.min_ratio_bps * loan.threshold_bps * WETH,
                          BPS * BPS * loan.collateral)

    def _max_repay(self, loan, now) -> int:
        debt = loan.model.payoff(now)
        return debt if loan.status == DEFAULTED else mul_div_up(debt, loan.close_factor_bps, BPS)

    def _seizure(self, loan, amount) -> tuple[int, int]:
        """(collateral seized, repayment) of a liquidation offering `amount`: collateral worth it
        plus the bonus, rounded down; when that is all the collateral or more, all of it for the
        repayment it covers, rounded up."""
        usd, eth, bonus = self.usd.price_wad, self.eth.price_wad, loan.bonus_bps
        value = mul_div_down(mul_div_down(amount, usd, USDC), BPS + bonus, BPS)
        seized = mul_div_down(value, WETH, eth)
        if seized < loan.collateral:
            return seized, amount
        value = mul_div_up(mul_div_up(loan.collateral, eth, WETH), BPS, BPS + bonus)
        return loan.collateral, mul_div_up(value, USDC, usd)

    def _ratio_error(self, loan_id, amount, debt, min_ratio_bps, now):
        """CollateralVault._requireRatio: `amount` of WETH must be worth `min_ratio_bps` of `debt`
        (the collateral's price is read first, and only for a non-zero amount)."""
        if min_ratio_bps == 0:
            return None
        value = 0
        if amount:
            if error := self.eth.error(now):
                return error
            value = mul_div_down(amount, self.eth.price_wad, WETH)
        if error := self.usd.error(now):
            return error
        required = mul_div_up(self.usd.price_wad, debt * min_ratio_bps, USDC * BPS)
        return ("InsufficientCollateral", loan_id, value, required) if value < required else None

    def _collateral_needed(self, principal, min_ratio_bps) -> int:
        """The least WETH worth `min_ratio_bps` of `principal` at the feeds' last prices."""
        required = mul_div_up(self.usd.quote_wad, principal * min_ratio_bps, USDC * BPS)
        return ceil_div(required * WETH, self.eth.quote_wad)

    def _free_collateral(self, loan, now) -> int:
        """What the borrower may withdraw now without breaking the required ratio."""
        if loan.min_ratio_bps == 0:
            return loan.collateral
        debt = loan.principal if loan.model is None else loan.model.payoff(now)
        return max(loan.collateral - self._collateral_needed(debt, loan.min_ratio_bps), 0)

    # ------------------------------------------------------------------ invariants

    @invariant()
    def every_step(self):
        STATS["steps"] += 1  # runs after every step (with an initialize rule, not before the first)
        obs = self._observe()
        if not self.changed:
            assert obs == self.last_obs, "a reverted transaction, a pause, a price or a time jump changed the state"
        times = self._view_times()
        self._check_solvency(obs)
        self._check_shares(obs)
        self._check_notes(obs)
        self._check_status_ladder(obs)
        self._check_schedule(obs)
        self._check_amount_due(obs, times)
        self._check_collateral(obs)
        self._check_health(obs, times)
        self._check_commitments(obs)
        self.last_obs = obs
        self.changed = False

    def _observe(self) -> Observation:
        p = self.p
        ids, commitment_ids = sorted(self.loans), sorted(self.commitments)
        pairs = [(i, str(h)) for i in ids for h in p.holders]
        claim_pairs = [(i, h) for i in ids if self.loans[i].status in STARTED for h in self.loans[i].holdings]
        lent_pairs = [(c, str(b)) for c in commitment_ids for b in p.borrowers]
        due_ids = [i for i in ids if self.loans[i].status in (ACTIVE, DEFAULTED)]
        health_ids = [i for i in due_ids if self.loans[i].has_position]
        answers = iter(read_views(p.views, [
            (p.usdc, "balanceOf", (p.book,)), (p.book, "loanCount", ()),
            (p.book, "balanceOfBatch", ([h for _, h in pairs], [i for i, _ in pairs])),
            (p.weth, "balanceOf", (p.vault,)), (p.usdc, "balanceOf", (p.autolend,)),
            (p.weth, "balanceOf", (p.autolend,)),
            *[(p.lens, "loan", (i,)) for i in ids],
            *[(p.book, "claimable", pair) for pair in claim_pairs],
            *[(p.vault, "positions", (i,)) for i in ids],
            *[(p.autolend, "commitment", (c,)) for c in commitment_ids],
            *[(p.autolend, "lentToBorrower", pair) for pair in lent_pairs],
            *[(p.lens, "amountDue", (i,)) for i in due_ids],
            *[(p.vault, "health", (i,)) for i in health_ids],
        ]))
        balance, loan_count, notes, vault_balance, autolend_usdc, autolend_weth = (next(answers) for _ in range(6))
        loans = {i: dict(next(answers).dict()) for i in ids}
        claimable = {pair: next(answers) for pair in claim_pairs}
        positions = {i: tuple(next(answers)) for i in ids}
        commitments = {c: lowered(next(answers).dict()) for c in commitment_ids}
        lent = {pair: next(answers) for pair in lent_pairs}
        due = {i: next(answers) for i in due_ids}
        health = {i: next(answers) for i in health_ids}
        return Observation(
            balance=balance, loan_count=loan_count, loans=loans, notes=dict(zip(pairs, notes)), claimable=claimable,
            vault_balance=vault_balance,
            positions={i: (str(token).lower(), *rest) for i, (token, *rest) in positions.items()},
            autolend_balances=(autolend_usdc, autolend_weth), commitments=commitments, lent=lent, due=due,
            health=health,
        )

    def _check_solvency(self, obs):
        owed = self.donated.get("book", 0)
        for loan in self.loans.values():
            claimable = sum(v for (i, _), v in obs.claimable.items() if i == loan.loan_id)
            assert claimable <= loan.unclaimed, f"loan {loan.loan_id}: holders can claim more than is unclaimed"
            assert obs.loans[loan.loan_id]["platformFeesDue"] == loan.fees_due, f"loan {loan.loan_id}: fees due"
            escrow = loan.funded if loan.status in ESCROWED else 0
            owed += loan.unclaimed + loan.fees_due + escrow
        assert obs.balance == owed, (
            f"the book holds {obs.balance}, owes {owed - self.donated.get('book', 0)} "
            f"plus {self.donated.get('book', 0)} donated")

    def _check_shares(self, obs):
        for (loan_id, holder), claimable in obs.claimable.items():
            h = self.loans[loan_id].holdings[holder]
            got = h.claimed + claimable
            # A note transfer moves the carried rounding remainder with the notes (LoanNotes._moveNotes),
            # so a buyer never gains it: at most one base unit above the exact share.
            assert got <= h.share + 1, (
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

    def _view_times(self) -> set[int]:
        """The times a view call may be evaluated at: Ganache takes them from the latest block or its
        clock, which are about now."""
        latest, now = web3.eth.get_block("latest")["timestamp"], chain.time()
        return {t + offset for t in (latest, now) for offset in (-MARGIN, 0, MARGIN)}

    def _check_amount_due(self, obs, times):
        """`amountDue` must answer for every loan that can be repaid and report the model's charges
        at the call's time."""
        for loan_id, due in obs.due.items():
            assert not isinstance(due, Reverted), f"amountDue({loan_id}) reverted with {due.message!r}"
            expected = set()
            for t in times:
                m, _ = self.loans[loan_id].model.accrued(t)
                expected.add((m.late_fees_due, m.interest_due, m.late_fees_due + m.interest_due + m.outstanding))
            actual = (due["lateFees"], due["interest"], due["payoff"])
            assert actual in expected, f"loan {loan_id}: amountDue {actual}, model {expected}"
        self.due = obs.due

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

    def _check_collateral(self, obs):
        escrowed = sum(loan.collateral for loan in self.loans.values())
        assert obs.vault_balance == escrowed + self.donated.get("vault", 0), (
            f"the vault holds {obs.vault_balance} WETH, escrows {escrowed}, was given {self.donated.get('vault', 0)}")
        for loan in self.loans.values():
            if loan.has_position:
                expected = (str(self.p.weth).lower(), loan.collateral, str(self.p.usdc), loan.min_ratio_bps,
                             loan.threshold_bps, loan.bonus_bps, loan.close_factor_bps)
            else:
                expected = (ZERO_ADDRESS, 0, "0x0000000000000000000000000000000000000000", 0, 0, 0, 0)
            assert obs.positions[loan.loan_id] == expected, (
                f"loan {loan.loan_id}: position {obs.positions[loan.loan_id]}, ghost {expected}")

    def _check_health(self, obs, times):
        """`vault.health` of every secured loan with debt: the ghost's exact health and liquidation
        price at the call's time, or the price error the ghost expects then."""
        for loan_id, answer in obs.health.items():
            loan = self.loans[loan_id]
            if isinstance(answer, Reverted):
                errors = {self._valuation_error(loan, t) for t in times}
                assert any(e and matches(e, answer.message) for e in errors), (
                    f"health({loan_id}) reverted with {answer.message!r}; ghost expected {errors}")
                continue
            expected = {(self._health(loan, t), self._liquidation_price(loan, t))
                        for t in times if self._valuation_error(loan, t) is None}
            assert tuple(answer[:2]) in expected, f"loan {loan_id}: health {answer}, ghost {expected}"

    def _check_commitments(self, obs):
        p = self.p
        for token, held in zip((p.usdc, p.weth), obs.autolend_balances):
            available = sum(c.available for c in self.commitments.values() if c.token == token)
            donated = self.donated.get("autolend", 0) if token == p.usdc else 0
            assert held == available + donated, (
                f"AutoLend holds {held} of {token.symbol()}, commitments have {available}, donated {donated}")
        for c in self.commitments.values():
            assert c.closed or 0 <= c.budget <= c.rule.budget, f"commitment {c.commitment_id} over its budget"
            assert obs.commitments[c.commitment_id] == c.stored(), (
                f"commitment {c.commitment_id}: {obs.commitments[c.commitment_id]}, ghost {c.stored()}")
            for borrower in p.borrowers:
                assert obs.lent[(c.commitment_id, str(borrower))] == c.lent[str(borrower)], (
                    f"commitment {c.commitment_id}: lent to {borrower}")


# ---------------------------------------------------------------------------------------- test


def test_platform_invariants(book, vault, autolend, oracle, lens, usdc, weth, eth_feed, usd_feed, registry, signer, gov,
                             borrower, lenders, outsider, accounts, ViewBatch):
    borrowers, liquidator = [borrower, accounts[10], accounts[11]], accounts[12]
    provision_actors(book, vault, autolend, usdc, weth, [*borrowers, *lenders, outsider, liquidator],
                     committers=[*lenders, borrowers[1]])
    fee_bps, late_fee_bps, grace_period, default_after, _ = book.config()
    _, threshold_bps, bonus_bps = vault.collaterals(weth)
    platform = Platform(
        book=book, usdc=usdc, weth=weth, vault=vault, autolend=autolend, registry=registry, signer=signer, gov=gov,
        borrowers=borrowers, lenders=list(lenders), outsider=outsider, liquidator=liquidator,
        min_funding=book.loanTokens(usdc)[1], fee_bps=fee_bps, late_fee_bps=late_fee_bps,
        grace_period=grace_period, default_after=default_after, start_window=book.START_WINDOW(),
        threshold_bps=threshold_bps, bonus_bps=bonus_bps, close_factor_bps=vault.closeFactorBps(),
        eth_feed=GhostFeed.read(eth_feed, weth, oracle),
        usd_feed=GhostFeed.read(usd_feed, usdc, oracle),
        views=ViewBatch.deploy({"from": gov}), lens=lens,
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


def provision_actors(book, vault, autolend, usdc, weth, actors, committers):
    """Tokens and approvals: everyone may pay the book (repay, liquidate) and escrow or top up WETH;
    committers also fund AutoLend commitments."""
    for account in actors:
        usdc.mint(account, 10_000_000 * USDC, {"from": account})
        weth.mint(account, 100_000 * WETH, {"from": account})
        usdc.approve(book, UINT256_MAX, {"from": account})
        weth.approve(vault, UINT256_MAX, {"from": account})
    for account in committers:
        usdc.approve(autolend, UINT256_MAX, {"from": account})
        weth.approve(autolend, UINT256_MAX, {"from": account})
