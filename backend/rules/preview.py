"""Backtest of an auto-lend rule on the platform's own history (the indexed `loans` table).

Replays every past listing in the rule's token in listing order (block, then id) through the same
rule check the bot uses (`backend.bots.autolend.matching.rule_refusal`) plus the off-chain filters,
and funds each match with what the rule would have allowed at listing: the smallest of maxPerLoan,
maxPerBorrower less what it already lent that borrower, the budget left (and the deposit left when
one is given, as it caps funding) and the loan's size (its funded amount for a loan that started,
which is all a lender could have bought). Listings still open are left out (no outcome yet).

Outcomes (one each): repaid; defaulted (defaulted, or closed by liquidation); late (active and past
its late time); active (current); refunded (expired or cancelled: the funds came back, no return).

Return, exact integers in base units (late and defaulted loans counted as losses, as the portfolio
does): with share = amount / the loan's funded amount,
    earned = share of (interest + late fees repaid - platform fees), rounded down;
    losses = share of the principal still outstanding on late and defaulted loans, and of what was
             written off on closed ones, rounded up;
    return_bps = (earned - losses) * 10_000 // lent (floored: never flatters the rule).
The backtest ignores what the rule's expiry, the minimum ticket and competing lenders would have
changed, and assumes the rule had been in place for the whole history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.bots.autolend.matching import Commitment, Exposure, Filters, Listing, filter_refusal, rule_refusal
from backend.db.models import Loan

OUTCOMES = ("repaid", "defaulted", "late", "active", "refunded")


@dataclass
class Backtest:
    considered: int = 0
    funded: int = 0
    lent: int = 0
    earned: int = 0
    losses: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    refusals: dict[str, int] = field(default_factory=dict)  # contract error / filter name -> listings
    loans: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return_bps = None if self.lent == 0 else (self.earned - self.losses) * 10_000 // self.lent
        return {"considered": self.considered, "funded": self.funded, "lent": str(self.lent),
                "earned": str(self.earned), "losses": str(self.losses), "net": str(self.earned - self.losses),
                "return_bps": return_bps, "outcomes": self.outcomes, "refusals": self.refusals, "loans": self.loans}


def outcome(loan: Loan, now: int) -> str:
    if loan.status == "repaid":
        return "repaid"
    if loan.status in ("defaulted", "closed"):
        return "defaulted"
    if loan.status in ("expired", "cancelled"):
        return "refunded"
    return "late" if loan.late_at is not None and now > loan.late_at else "active"


def listing_of(loan: Loan) -> Listing:
    """The loan's fixed terms as the bot's matching sees a listing (status "listed": at listing time)."""
    return Listing(loan.loan_id, loan.token, loan.borrower, "listed", loan.grade, loan.apr_bps, loan.term,
                   loan.min_collateral_ratio_bps or 0, loan.purpose, loan.pd_bps, int(loan.principal), 0,
                   loan.funding_deadline)


def gains(loan: Loan, amount: int, result: str) -> tuple[int, int]:
    """(earned, loss) of holding `amount` notes of the loan (see the module doc for the rounding)."""
    supply = int(loan.funded)
    if result == "refunded" or supply == 0:
        return 0, 0
    earned = (int(loan.interest_repaid) + int(loan.late_fees_repaid) - int(loan.platform_fees)) * amount // supply
    at_risk = int(loan.written_off) if loan.status == "closed" else int(loan.outstanding)
    loss = -(-at_risk * amount // supply) if result in ("late", "defaulted") else 0
    return earned, loss


def backtest(db: Session, chain_id: int, commitment: Commitment, filters: Filters, now: int,
             deposit: int | None = None) -> Backtest:
    """Replay the history for `commitment` (a rule not on chain yet: id 0, lender the caller or zero)."""
    report = Backtest()
    budget = commitment.budget if deposit is None else min(commitment.budget, deposit)
    lent_to: dict[str, int] = {}
    query = select(Loan).where(Loan.chain_id == chain_id, Loan.token == commitment.token, Loan.status != "listed",
                               Loan.listed_at <= now).order_by(Loan.listed_block, Loan.loan_id)
    for loan in db.scalars(query):
        report.considered += 1
        listing = listing_of(loan)
        lent = lent_to.get(loan.borrower, 0)
        why = rule_refusal(commitment, listing) or filter_refusal(filters, listing, Exposure(0, lent))
        size = int(loan.principal) if loan.status in ("expired", "cancelled") else int(loan.funded)
        amount = min(commitment.max_per_loan, commitment.max_per_borrower - lent, budget, size)
        if why or amount <= 0:
            key = (why or "limits reached").split("(")[0]
            report.refusals[key] = report.refusals.get(key, 0) + 1
            continue
        result = outcome(loan, now)
        earned, loss = gains(loan, amount, result)
        lent_to[loan.borrower] = lent + amount
        budget -= amount
        report.funded += 1
        report.lent += amount if result != "refunded" else 0
        report.earned += earned
        report.losses += loss
        report.outcomes[result] += 1
        report.loans.append({"loan_id": loan.loan_id, "amount": str(amount), "outcome": result,
                             "earned": str(earned), "loss": str(loss)})
    return report
