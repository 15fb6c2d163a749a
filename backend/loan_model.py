"""Plain-integer model of LoanBook's schedule and charges (contracts/LoanBook.sol).

The same rules in Python, so tests can predict every number the contract produces and the
backend and UI can show schedules without calling the chain. Amounts are token base units,
rates basis points, times seconds; divisions round the way the contract's do.
"""

from dataclasses import dataclass, replace

BPS = 10_000
RAY = 10**27
YEAR = 365 * 24 * 3600


def ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def period_interest_up(outstanding: int, apr_bps: int, period: int) -> int:
    """Interest for one period on `outstanding`, rounded up."""
    return ceil_div(outstanding * apr_bps * period, BPS * YEAR)


def ray_pow_down(base: int, exponent: int) -> int:
    """(base / RAY) ** exponent in RAY, every product rounded down (square-and-multiply)."""
    result = RAY
    while exponent:
        if exponent & 1:
            result = result * base // RAY
        exponent >>= 1
        if exponent:
            base = base * base // RAY
    return result


def instalment_up(principal: int, apr_bps: int, period: int, count: int) -> int:
    """The equal payment per period, rounded up, plus one unit (see InstalmentMath.instalmentUp)."""
    if apr_bps == 0:
        return ceil_div(principal, count)
    rate_ray = ceil_div(apr_bps * period * RAY, BPS * YEAR)
    growth_ray = ray_pow_down(RAY + rate_ray, count)
    return ceil_div(principal * rate_ray * growth_ray, (growth_ray - RAY) * RAY) + 1


@dataclass(frozen=True)
class LoanState:
    """The repayment state of an active loan, as LoanBook stores it."""

    start_time: int
    period: int
    instalments: int
    apr_bps: int
    fee_bps: int
    late_fee_bps: int
    grace_period: int
    instalment: int
    outstanding: int
    interest_due: int
    late_fees_due: int = 0
    periods_charged: int = 1
    instalments_paid: int = 0
    paid_toward_next: int = 0
    late_charged_through: int = 0
    default_after: int = 0

    @classmethod
    def started(cls, principal, apr_bps, instalments, period, start_time, fee_bps=0, late_fee_bps=0, grace_period=0,
                default_after=0, instalment=None):
        """A loan at its start (`instalment` given when known, e.g. from the LoanStarted event)."""
        return cls(
            start_time=start_time,
            period=period,
            instalments=instalments,
            apr_bps=apr_bps,
            fee_bps=fee_bps,
            late_fee_bps=late_fee_bps,
            grace_period=grace_period,
            instalment=instalment_up(principal, apr_bps, period, instalments) if instalment is None else instalment,
            outstanding=principal,
            interest_due=period_interest_up(principal, apr_bps, period),
            default_after=default_after,
        )

    def satisfied_instalments(self) -> int:
        if self.outstanding == 0:
            return self.instalments
        return min(self.instalments_paid, self.instalments - 1)

    def accrued(self, now: int) -> tuple["LoanState", int]:
        """Charges brought up to `now`; returns the new state and the newly late instalments."""
        elapsed = max(0, now - self.start_time)  # a view may run with a clock behind the start block
        state = self
        started = elapsed // self.period + 1
        if started > state.periods_charged:
            extra = (started - state.periods_charged) * period_interest_up(state.outstanding, self.apr_bps, self.period)
            state = replace(state, interest_due=state.interest_due + extra, periods_charged=started)
        if elapsed <= self.grace_period:
            return state, 0
        assessable = min((elapsed - self.grace_period) // self.period, self.instalments)
        dealt = max(self.satisfied_instalments(), state.late_charged_through)
        if assessable <= dealt:
            return state, 0
        newly_late = assessable - dealt
        fee = newly_late * ceil_div(self.instalment * self.late_fee_bps, BPS)
        return replace(state, late_fees_due=state.late_fees_due + fee, late_charged_through=assessable), newly_late

    def repaid(self, now: int, amount: int) -> tuple["LoanState", dict]:
        """Apply a payment of up to `amount` at `now`: late fees, then interest, then principal."""
        state, newly_late = self.accrued(now)
        late_fees = min(amount, state.late_fees_due)
        interest = min(amount - late_fees, state.interest_due)
        principal = min(amount - late_fees - interest, state.outstanding)
        progress = state.paid_toward_next + interest + principal
        platform_fee = interest * self.fee_bps // BPS
        paid = late_fees + interest + principal
        state = replace(
            state,
            late_fees_due=state.late_fees_due - late_fees,
            interest_due=state.interest_due - interest,
            outstanding=state.outstanding - principal,
            instalments_paid=state.instalments_paid + progress // state.instalment,
            paid_toward_next=progress % state.instalment,
        )
        parts = {
            "late_fees": late_fees,
            "interest": interest,
            "principal": principal,
            "platform_fee": platform_fee,
            "paid": paid,
            "to_holders": paid - platform_fee,
            "newly_late": newly_late,
        }
        return state, parts

    def payoff(self, now: int) -> int:
        state, _ = self.accrued(now)
        return state.late_fees_due + state.interest_due + state.outstanding

    def due_date(self, instalment_number: int) -> int:
        return self.start_time + instalment_number * self.period

    # -- states with no event (LoanMath.isLate / defaultEligibleAt / amountDue) ---------------------

    def first_unpaid_due_date(self) -> int:
        """Due date of the first instalment not yet satisfied."""
        return self.due_date(self.satisfied_instalments() + 1)

    def late_at(self) -> int:
        """The loan is late at any time strictly after this (LoanMath.isLate), until a payment moves it."""
        return self.first_unpaid_due_date() + self.grace_period

    def is_late(self, now: int) -> bool:
        return now > self.late_at()

    def default_eligible_at(self) -> int:
        """When `markDefault` becomes possible (LoanMath.defaultEligibleAt)."""
        return self.first_unpaid_due_date() + self.default_after

    def amount_due(self, now: int) -> dict:
        """ILoanBook.AmountDue at `now`: late_fees, interest, to_be_current, payoff, next_due_date."""
        paid_to_schedule = self.instalments_paid * self.instalment + self.paid_toward_next
        next_due = self.first_unpaid_due_date()
        state, _ = self.accrued(now)
        payoff = state.late_fees_due + state.interest_due + state.outstanding
        elapsed_periods = max(0, now - self.start_time) // self.period
        if elapsed_periods >= self.instalments:
            to_be_current = payoff  # at maturity only paying off brings the loan up to date
        else:
            behind = max(0, elapsed_periods * self.instalment - paid_to_schedule)
            to_be_current = min(state.late_fees_due + behind, payoff)
        return {"late_fees": state.late_fees_due, "interest": state.interest_due, "to_be_current": to_be_current,
                "payoff": payoff, "next_due_date": next_due}

    def schedule(self) -> list[dict]:
        """Each instalment's number and due date, and whether payments so far satisfy it."""
        satisfied = self.satisfied_instalments()
        return [{"number": k, "due_date": self.due_date(k), "paid": k <= satisfied}
                for k in range(1, self.instalments + 1)]

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, fields: dict) -> "LoanState":
        return cls(**{name: int(value) for name, value in fields.items() if name in cls.__dataclass_fields__})
