"""Typed views of the contracts' answers (plain integers: base units, WAD, bps, seconds)."""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("none", "listed", "active", "repaid", "defaulted", "cancelled", "expired", "closed")
WAD = 10**18
BPS = 10_000
ZERO_ADDRESS = "0x" + "00" * 20


@dataclass(frozen=True)
class Units:
    """How an ERC-20's base units read: 10**decimals base units are one `symbol`."""

    symbol: str
    decimals: int


@dataclass(frozen=True)
class AmountDue:
    late_fees: int
    interest: int
    to_be_current: int
    payoff: int
    next_due_date: int


@dataclass(frozen=True)
class LoanState:
    """ILoanLens.LoanState: one loan now (status as a name, e.g. "active")."""

    loan_id: int
    status: str
    due: AmountDue
    late: bool
    seconds_until_default: int
    collateral_token: str
    collateral_amount: int
    health_wad: int
    liquidation_price_wad: int
    price_usable: bool

    @classmethod
    def from_tuple(cls, raw) -> "LoanState":
        loan_id, status, due, late, until_default, token, amount, health, liquidation_price, usable = raw
        return cls(int(loan_id), STATUSES[int(status)], AmountDue(*(int(v) for v in due)), bool(late),
                   int(until_default), token, int(amount), int(health), int(liquidation_price), bool(usable))

    @property
    def secured(self) -> bool:
        return self.collateral_token != ZERO_ADDRESS and self.collateral_amount > 0


@dataclass(frozen=True)
class Quote:
    """IPriceOracle.tryQuote: USD WAD per whole token and the token's unit; unusable → zeros."""

    usable: bool
    price_wad: int
    unit: int


@dataclass(frozen=True)
class Position:
    """ICollateralVault.positions: the loan's collateral and its liquidation terms fixed at listing."""

    token: str
    amount: int
    loan_token: str
    min_collateral_ratio_bps: int
    liquidation_threshold_bps: int
    liquidation_bonus_bps: int
    close_factor_bps: int


@dataclass(frozen=True)
class Head:
    number: int
    timestamp: int
