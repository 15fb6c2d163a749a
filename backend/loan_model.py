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

    @classmethod
    def started(cls, principal, apr_bps, instalments, period, start_time, fee_bps=0, late_fee_bps=0, grace_period=0):
        return cls(
            start_time=start_time,
            period=period,
            instalments=instalments,
            apr_bps=apr_bps,
            fee_bps=fee_bps,
            late_fee_bps=late_fee_bps,
            grace_period=grace_period,
            instalment=instalment_up(principal, apr_bps, period, instalments),
            outstanding=principal,
            interest_due=period_interest_up(principal, apr_bps, period),
        )

    def satisfied_instalments(self) -> int:
        if self.outstanding == 0:
            return self.instalments
        return min(self.instalments_paid, self.instalments - 1)

    def accrued(self, now: int) -> tuple["LoanState", int]:
        """Charges brought up to `now`; returns the new state and the newly late instalments."""
        elapsed = now - self.start_time
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
