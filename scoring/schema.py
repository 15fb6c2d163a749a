"""The canonical signal schema: one typed record shared by training, serving and CSV files.

Every dataset adapter, the model and the CLI speak these column names and nothing else.
A signal that is not known is missing (`None` in a record, NaN in a frame, an empty CSV cell);
it is never replaced by zero, because "no endorsements recorded" and "not asked" differ.

Units: money is US dollars as a float model feature (never a ledger amount), durations are
months or days as named, ratios are plain fractions (0.35 = 35 %), counts are whole numbers.

Bank cash-flow signals (`BANK_COLUMNS`) come only from a bank-account link: the backend's
open-banking provider reports whether a checking account was verified and, for a linked
account, its 90-day average balance, the savings balance and the overdrafts of the last 12
months. A borrower who has not linked one has `bank_account_verified` false and the three
figures missing (not zero: "no savings reported" is not "savings of $0").
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from enum import Enum
from typing import Any, Mapping


class Kind(str, Enum):
    """How a signal is typed and validated."""

    FLAG = "flag"  # bool: verified or not
    NUMBER = "number"  # real number within [low, high]
    COUNT = "count"  # whole number within [low, high]
    CATEGORY = "category"  # one of a closed list of strings


@dataclass(frozen=True)
class SignalSpec:
    """Type, valid range and meaning of one signal column."""

    name: str
    kind: Kind
    description: str
    low: float | None = None
    high: float | None = None
    categories: tuple[str, ...] = ()


EMPLOYMENT_STATUSES = ("full_time", "part_time", "self_employed", "employed", "not_employed", "retired", "other")

# Loan purposes, coarse enough that every source maps onto them (see scoring/adapters/*).
PURPOSES = (
    "debt_consolidation",
    "home_improvement",
    "business",
    "education",
    "vehicle",
    "medical",
    "household",
    "major_purchase",
    "life_event",
    "other",
)

SIGNALS: tuple[SignalSpec, ...] = (
    SignalSpec("identity_verified", Kind.FLAG, "government ID checked by a verification provider"),
    SignalSpec("phone_verified", Kind.FLAG, "phone number confirmed by a one-time code"),
    SignalSpec("email_verified", Kind.FLAG, "email address confirmed by a one-time code"),
    SignalSpec("income_verified", Kind.FLAG, "income documents reviewed by an operator"),
    SignalSpec("monthly_income", Kind.NUMBER, "gross monthly income, USD", 0.0, 10_000_000.0),
    SignalSpec("employment_status", Kind.CATEGORY, "current employment", categories=EMPLOYMENT_STATUSES),
    SignalSpec("employment_months", Kind.NUMBER, "months in current employment", 0.0, 1_200.0),
    SignalSpec("debt_to_income", Kind.NUMBER, "monthly debt payments / monthly income (ratio)", 0.0, 100.0),
    SignalSpec("homeowner", Kind.FLAG, "owns the home they live in"),
    SignalSpec("social_accounts", Kind.COUNT, "social accounts connected by OAuth", 0, 100),
    SignalSpec("social_account_age_months", Kind.NUMBER, "age of the oldest connected social account, months",
               0.0, 600.0),
    SignalSpec("endorsements", Kind.COUNT, "endorsements (recommendations) from other members", 0, 10_000),
    SignalSpec("wallet_age_days", Kind.NUMBER, "days since the wallet's first transaction", 0.0, 36_500.0),
    SignalSpec("wallet_tx_count", Kind.COUNT, "transactions sent by the wallet", 0, 100_000_000),
    SignalSpec("prior_loans_repaid", Kind.COUNT, "loans repaid in full on this platform", 0, 10_000),
    SignalSpec("prior_on_time_payments", Kind.COUNT, "instalments paid on time on this platform", 0, 1_000_000),
    SignalSpec("prior_late_payments", Kind.COUNT, "instalments paid after the grace period on this platform",
               0, 1_000_000),
    SignalSpec("prior_defaults", Kind.COUNT, "loans defaulted on this platform", 0, 10_000),
    SignalSpec("bank_account_verified", Kind.FLAG,
               "checking account verified through an open-banking link (false: none linked)"),
    SignalSpec("checking_balance", Kind.NUMBER,
               "average checking-account balance over the last 90 days, USD (negative when overdrawn)",
               -10_000_000.0, 100_000_000.0),
    SignalSpec("savings_balance", Kind.NUMBER, "savings-account balance, USD", 0.0, 100_000_000.0),
    SignalSpec("overdrafts_12m", Kind.COUNT, "overdrafts on the linked accounts in the last 12 months", 0, 10_000),
    SignalSpec("bureau_score", Kind.NUMBER, "credit bureau score (FICO-like scale), optional", 300.0, 900.0),
    SignalSpec("loan_amount", Kind.NUMBER, "requested principal, USD", 1.0, 100_000_000.0),
    SignalSpec("term_months", Kind.COUNT, "loan term, months", 1, 600),
    SignalSpec("purpose", Kind.CATEGORY, "loan purpose", categories=PURPOSES),
)

SPECS: dict[str, SignalSpec] = {spec.name: spec for spec in SIGNALS}
COLUMNS: tuple[str, ...] = tuple(spec.name for spec in SIGNALS)
FLAG_COLUMNS: tuple[str, ...] = tuple(s.name for s in SIGNALS if s.kind is Kind.FLAG)
NUMERIC_COLUMNS: tuple[str, ...] = tuple(s.name for s in SIGNALS if s.kind in (Kind.NUMBER, Kind.COUNT))
CATEGORY_COLUMNS: tuple[str, ...] = tuple(s.name for s in SIGNALS if s.kind is Kind.CATEGORY)
# The verifications a borrower can complete on the platform ("which one helps most" is asked of these).
VERIFICATION_COLUMNS: tuple[str, ...] = ("identity_verified", "phone_verified", "email_verified", "income_verified")
# What a bank-account link reports (scoring.explain asks what linking would do to the grade).
BANK_COLUMNS: tuple[str, ...] = ("bank_account_verified", "checking_balance", "savings_balance", "overdrafts_12m")


@dataclass(frozen=True)
class SignalRecord:
    """One borrower's signals at scoring time. `None` means missing."""

    identity_verified: bool | None = None
    phone_verified: bool | None = None
    email_verified: bool | None = None
    income_verified: bool | None = None
    monthly_income: float | None = None
    employment_status: str | None = None
    employment_months: float | None = None
    debt_to_income: float | None = None
    homeowner: bool | None = None
    social_accounts: int | None = None
    social_account_age_months: float | None = None
    endorsements: int | None = None
    wallet_age_days: float | None = None
    wallet_tx_count: int | None = None
    prior_loans_repaid: int | None = None
    prior_on_time_payments: int | None = None
    prior_late_payments: int | None = None
    prior_defaults: int | None = None
    bank_account_verified: bool | None = None
    checking_balance: float | None = None
    savings_balance: float | None = None
    overdrafts_12m: int | None = None
    bureau_score: float | None = None
    loan_amount: float | None = None
    term_months: int | None = None
    purpose: str | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "SignalRecord":
        """Build a record from typed values (use `scoring.validation` for raw text)."""
        unknown = sorted(set(values) - set(COLUMNS))
        if unknown:
            raise KeyError(f"unknown signal(s): {', '.join(unknown)}")
        return cls(**{name: None if is_missing(value) else value for name, value in values.items()})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def is_missing(value: Any) -> bool:
    """True for None and float NaN (pandas' marker for a missing cell)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


assert tuple(f.name for f in fields(SignalRecord)) == COLUMNS, "SignalRecord and SIGNALS must list the same columns"
