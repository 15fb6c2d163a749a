"""Pure matching of listings to auto-lend commitments: the contract's checks, mirrored, plus the
off-chain filters that bind only the platform's bot.

`AutoLend.fundFromCommitment` (contracts/AutoLend.sol) and `LoanBook.fundFor` re-check everything
here on chain; the bot mirrors them so it only sends fundings that will pass, and names the contract
error it would hit otherwise (the same words `TxSender` records for a simulated revert). Each check
returns None when it passes, else the refusal as `ErrorName(args)`, in the contract's own order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from scoring.grades import score_for_pd_bps

ZERO_ADDRESS = "0x" + "00" * 20
STATUSES = ("none", "listed", "active", "repaid", "defaulted", "cancelled", "expired", "closed")
DAY = 86_400


@dataclass(frozen=True)
class Commitment:
    """IAutoLend.Commitment as stored (all zero when unknown or closed), with its id."""

    id: int
    lender: str
    token: str
    expiry: int
    worst_grade: int
    reinvest: bool
    min_collateral_ratio_bps: int
    max_pd_bps: int
    min_apr_bps: int
    max_apr_bps: int
    max_term: int
    purpose_mask: int
    available: int
    budget: int
    max_per_loan: int
    max_per_borrower: int
    operator: str

    @classmethod
    def from_named(cls, commitment_id: int, c: Mapping[str, Any]) -> "Commitment":
        """From AutoLend.commitment decoded by field name (integers as ints or decimal strings)."""
        return cls(int(commitment_id), c["lender"], c["token"], int(c["expiry"]), int(c["worstGrade"]),
                   bool(c["reinvest"]), int(c["minCollateralRatioBps"]), int(c["maxPdBps"]), int(c["minAprBps"]),
                   int(c["maxAprBps"]), int(c["maxTerm"]), int(c["purposeMask"]), int(c["available"]),
                   int(c["budget"]), int(c["maxPerLoan"]), int(c["maxPerBorrower"]), c["operator"])

    @property
    def closed(self) -> bool:
        return int(self.lender, 16) == 0


@dataclass(frozen=True)
class Listing:
    """What `LoanBook.listing` and `fundFor` look at: the terms fixed at listing and the funding state."""

    loan_id: int
    token: str
    borrower: str
    status: str
    grade: int
    apr_bps: int
    term: int
    min_collateral_ratio_bps: int
    purpose: int
    pd_bps: int
    principal: int
    funded: int
    funding_deadline: int

    @classmethod
    def from_loan(cls, loan_id: int, loan: Mapping[str, Any]) -> "Listing":
        """From LoanLens.loan decoded by field name (ILoanBook.Loan)."""
        return cls(int(loan_id), loan["token"], loan["borrower"], STATUSES[int(loan["status"])], int(loan["grade"]),
                   int(loan["aprBps"]), int(loan["instalments"]) * int(loan["period"]),
                   int(loan["minCollateralRatioBps"]), int(loan["purpose"]), int(loan["pdBps"]),
                   int(loan["principal"]), int(loan["funded"]), int(loan["fundingDeadline"]))

    @property
    def remaining(self) -> int:
        return max(0, self.principal - self.funded)


@dataclass(frozen=True)
class Filters:
    """A lender's off-chain filters for one commitment (table autolend_filters): they only narrow the
    on-chain rule, and bind only the platform's bot (anyone else may still fund within the rule)."""

    blocked: frozenset[str] = field(default_factory=frozenset)  # borrower addresses, lower case
    max_loans_per_day: int | None = None
    min_score: int | None = None  # 0..100, the score of the PD snapshotted at listing
    paused: bool = False


@dataclass(frozen=True)
class Exposure:
    """What already counts against a commitment's limits for one listing, read at the step's block."""

    holding: int  # the lender's notes in the loan, from anywhere (maxPerLoan counts them all)
    lent: int  # AutoLend.lentToBorrower(commitment, borrower)
    loans_today: int = 0  # distinct loans this commitment funded in the last day (max_loans_per_day)


def commitment_refusal(c: Commitment, caller: str, now: int) -> str | None:
    """fundFromCommitment's checks of the commitment and the caller, before the loan is read."""
    if c.closed:
        return f"UnknownCommitment({c.id})"
    if int(c.operator, 16) != 0 and caller.lower() not in (c.operator.lower(), c.lender.lower()):
        return f"NotOperator({c.id}, {caller})"
    if now > c.expiry:
        return f"CommitmentExpired({c.id}, {c.expiry})"
    return None


def rule_refusal(c: Commitment, listing: Listing) -> str | None:
    """AutoLend._checkLoan: the listing's fixed terms against the rule (also used by the backtest)."""
    cid, lid = c.id, listing.loan_id
    if listing.status == "none":
        return f"UnknownLoan({lid})"
    if listing.token.lower() != c.token.lower():
        return f"TokenMismatch({cid}, {lid}, {listing.token})"
    if listing.borrower.lower() == c.lender.lower():
        return f"OwnLoan({cid}, {lid})"
    if listing.grade > c.worst_grade:
        return f"GradeOutsideRule({cid}, {lid}, {listing.grade})"
    if not c.min_apr_bps <= listing.apr_bps <= c.max_apr_bps:
        return f"AprOutsideRule({cid}, {lid}, {listing.apr_bps})"
    if listing.term > c.max_term:
        return f"TermOutsideRule({cid}, {lid}, {listing.term})"
    if listing.min_collateral_ratio_bps < c.min_collateral_ratio_bps:
        return f"CollateralOutsideRule({cid}, {lid}, {listing.min_collateral_ratio_bps})"
    if listing.purpose > 31 or not (c.purpose_mask >> listing.purpose) & 1:
        return f"PurposeOutsideRule({cid}, {lid}, {listing.purpose})"
    if listing.pd_bps > c.max_pd_bps:
        return f"PdOutsideRule({cid}, {lid}, {listing.pd_bps})"
    return None


def listing_refusal(listing: Listing, now: int) -> str | None:
    """LoanBook.fundFor's checks of the listing (before the amount): listed, deadline not passed."""
    if listing.status != "listed":
        return f"LoanNotListed({listing.loan_id}, {STATUSES.index(listing.status)})"
    if now > listing.funding_deadline:
        return f"FundingClosed({listing.loan_id}, {listing.funding_deadline})"
    if listing.remaining == 0:
        return f"FundingExceedsRemaining({listing.loan_id}, 1, 0)"
    return None


def filter_refusal(filters: Filters, listing: Listing, exposure: Exposure) -> str | None:
    """The lender's off-chain filters (the bot's own words, not contract errors)."""
    if filters.paused:
        return "filter: paused by the lender"
    if listing.borrower.lower() in filters.blocked:
        return f"filter: borrower {listing.borrower} is blocklisted"
    if filters.min_score is not None and score_for_pd_bps(listing.pd_bps) < filters.min_score:
        return f"filter: score {score_for_pd_bps(listing.pd_bps)} below {filters.min_score}"
    if filters.max_loans_per_day is not None and exposure.loans_today >= filters.max_loans_per_day:
        return f"filter: {exposure.loans_today} loans funded in the last day (max {filters.max_loans_per_day})"
    return None


def capacity(c: Commitment, listing: Listing, exposure: Exposure) -> int:
    """The most the commitment may fund of the listing now: the smallest of its unused funds, its
    budget, room under maxPerLoan (notes held from anywhere) and maxPerBorrower (this commitment's
    lending to the borrower), and the listing's unfunded remainder. Never negative."""
    return max(0, min(c.available, c.budget, c.max_per_loan - exposure.holding, c.max_per_borrower - exposure.lent,
                      listing.remaining))


def refusal(c: Commitment, listing: Listing, exposure: Exposure, filters: Filters, caller: str, now: int) -> str | None:
    """Why the commitment cannot fund the listing at all (None: it can fund up to `capacity`)."""
    why = (commitment_refusal(c, caller, now) or listing_refusal(listing, now) or rule_refusal(c, listing)
           or filter_refusal(filters, listing, exposure))
    if why:
        return why
    if capacity(c, listing, exposure) == 0:
        return amount_refusal(c, listing, exposure, 1)
    return None


def amount_refusal(c: Commitment, listing: Listing, exposure: Exposure, amount: int, min_ticket: int = 0) -> str | None:
    """The amount checks of fundFromCommitment then fundFor, in order, for `amount`."""
    cid, lid = c.id, listing.loan_id
    if amount > c.available:
        return f"InsufficientFunds({cid}, {amount}, {c.available})"
    if amount > c.budget:
        return f"BudgetExceeded({cid}, {amount}, {c.budget})"
    if exposure.holding + amount > c.max_per_loan:
        return f"LoanLimitExceeded({cid}, {lid}, {exposure.holding + amount}, {c.max_per_loan})"
    if exposure.lent + amount > c.max_per_borrower:
        return f"BorrowerLimitExceeded({cid}, {listing.borrower}, {exposure.lent + amount}, {c.max_per_borrower})"
    if amount > listing.remaining:
        return f"FundingExceedsRemaining({lid}, {amount}, {listing.remaining})"
    if amount < min_ticket and amount != listing.remaining:
        return f"BelowMinimumFunding({amount}, {min_ticket})"
    return None
