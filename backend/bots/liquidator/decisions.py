"""What the liquidator does about one loan: pure functions of the lens state, the indexed loan row
and prices, mirroring the contracts' own rules so that a decided action does not revert.

- A listing past its funding deadline: `start` when funded to its minimum fill (principal x
  minFillBps, rounded up, as LoanBook._minimumFill) within START_WINDOW, else `expire`.
- An active loan whose first unpaid instalment is `defaultAfter` overdue (lens
  secondsUntilDefault = 0): `markDefault` (first: a defaulted loan's whole debt can then be
  liquidated, and the loan stops accruing as an active one).
- A secured active loan with health < 1, or a defaulted one with collateral: `liquidate` the most
  the vault accepts (the close factor of the debt, or all of it once defaulted); never while a
  price is unusable (`paused`).
- A finished loan (repaid, closed, cancelled, expired) still holding collateral: `release`.
All amounts are integers: loan-token base units, USD WAD, bps.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.sdk.types import BPS, WAD, LoanState, Position, Quote

START_WINDOW = 7 * 86_400  # LoanBook.START_WINDOW
FINISHED = ("repaid", "closed", "cancelled", "expired")


@dataclass(frozen=True)
class Listing:
    """The indexed facts a listing chore needs (backend.db.models.Loan)."""

    loan_id: int
    funding_deadline: int
    principal: int
    funded: int
    min_fill_bps: int


@dataclass(frozen=True)
class Decision:
    kind: str  # start | expire | mark_default | liquidate | release | paused
    loan_id: int
    repay: int = 0
    reason: str = ""


def mul_div_up(a: int, b: int, d: int) -> int:
    return -(-a * b // d)


def listing_chore(listing: Listing, now: int) -> Decision | None:
    if now <= listing.funding_deadline:
        return None
    required = mul_div_up(listing.principal, listing.min_fill_bps, BPS)
    if listing.funded >= required and now <= listing.funding_deadline + START_WINDOW:
        return Decision("start", listing.loan_id, reason=f"funded {listing.funded} >= minimum fill {required}")
    return Decision("expire", listing.loan_id, reason=f"funded {listing.funded}, minimum fill {required}")


def needs_liquidation(state: LoanState) -> bool:
    if not state.secured or state.status not in ("active", "defaulted"):
        return False
    return state.status == "defaulted" or state.health_wad < WAD


def decide(state: LoanState, listing: Listing | None, now: int) -> Decision | None:
    """The one action due on this loan now, if any (a listing needs its indexed `listing` row)."""
    if state.status == "listed":
        return listing_chore(listing, now) if listing is not None else None
    if state.status == "active" and state.seconds_until_default == 0:
        return Decision("mark_default", state.loan_id, reason="first unpaid instalment past defaultAfter")
    if needs_liquidation(state):
        if not state.price_usable:
            return Decision("paused", state.loan_id, reason="price unusable: liquidations paused")
        why = "defaulted" if state.status == "defaulted" else f"health {state.health_wad / WAD:.4f} < 1"
        return Decision("liquidate", state.loan_id, reason=why)
    if state.status in FINISHED and state.collateral_amount > 0:
        return Decision("release", state.loan_id, reason=f"{state.status} loan holds {state.collateral_amount}")
    return None


def repay_amount(state: LoanState, position: Position, loan_quote: Quote, collateral_quote: Quote) -> tuple[int, int]:
    """(amount to request, amount it will cost). The request is the most the vault accepts: the
    close factor of the debt while active (rounded down, under the vault's rounded-up maximum), all
    of it once defaulted. When the collateral cannot cover that plus the bonus, the vault seizes
    all of it for the repayment it covers (rounded up): that is the cost, and no dust is left."""
    debt = state.due.payoff
    limit = debt if state.status == "defaulted" else debt * position.close_factor_bps // BPS
    collateral_wad = position.amount * collateral_quote.price_wad // collateral_quote.unit
    covered = mul_div_up(collateral_wad * BPS, loan_quote.unit,
                         (BPS + position.liquidation_bonus_bps) * loan_quote.price_wad)
    return limit, min(limit, covered)


def profit_shortfall(seized: int, repay: int, gas: int, fee_per_gas: int, loan_quote: Quote,
                     collateral_quote: Quote, native_price_wad: int, min_profit_bps: int) -> str | None:
    """None when the collateral seized is worth the repayment plus gas plus the minimum profit (all
    in USD WAD, costs rounded up, proceeds down); else why the liquidation would lose money."""
    proceeds = seized * collateral_quote.price_wad // collateral_quote.unit
    cost = mul_div_up(repay, loan_quote.price_wad, loan_quote.unit)
    gas_cost = mul_div_up(gas * fee_per_gas, native_price_wad, WAD)
    wanted = mul_div_up(cost, min_profit_bps, BPS)
    profit = proceeds - cost - gas_cost
    if profit >= wanted:
        return None
    return (f"unprofitable: collateral worth {proceeds} for {cost} repaid and {gas_cost} gas (USD WAD), "
            f"profit {profit} < {wanted}")
