"""InstalmentMath against an exact rational computation and the Python model."""

from fractions import Fraction

import pytest
from brownie.test import given, strategy
from hypothesis import assume, settings

from backend import loan_model

DAY = 24 * 3600
YEAR = 365 * DAY


@pytest.fixture(scope="module")
def harness(InstalmentMathHarness, accounts):
    return InstalmentMathHarness.deploy({"from": accounts[0]})


def exact_instalment(principal, apr_bps, period, count) -> Fraction:
    """P = L r (1+r)^n / ((1+r)^n - 1) in exact rationals (independent of the contract's method)."""
    if apr_bps == 0:
        return Fraction(principal, count)
    rate = Fraction(apr_bps * period, 10_000 * YEAR)
    growth = (1 + rate) ** count
    return principal * rate * growth / (growth - 1)


@given(
    principal=strategy("uint256", min_value=1, max_value=10**30),
    apr_bps=strategy("uint256", max_value=10_000),
    period_days=strategy("uint256", min_value=1, max_value=365),
    count=strategy("uint256", min_value=1, max_value=360),
)
@settings(max_examples=150)
def test_instalment_is_exact_payment_rounded_up(harness, principal, apr_bps, period_days, count):
    period = period_days * DAY
    if count * period > 3650 * DAY:
        count = max(1, 3650 * DAY // period)
    on_chain = int(harness.instalmentUp(principal, apr_bps, period, count))
    exact = exact_instalment(principal, apr_bps, period, count)
    # At least one unit above the exact payment when interest is charged (it absorbs the per-period
    # rounding of interest, so n payments always repay the loan) ...
    assert on_chain >= exact + (1 if apr_bps else 0)
    # ... and above it by at most two base units plus 1e-18 relative fixed-point error.
    assert on_chain - exact <= 2 + exact / 10**18
    assert on_chain == loan_model.instalment_up(principal, apr_bps, period, count)


@pytest.mark.parametrize(
    "principal,apr_bps,period,count,expected",
    [
        # 1,000.00 at 12% APR, 12 periods of a twelfth of a year (r = 1%): 88.85 per period in
        # standard annuity tables (88.848788...), rounded up to the base unit, plus one unit.
        (1_000_000_000, 1_200, YEAR // 12, 12, 88_848_790),
        # Zero rate: principal split evenly, rounded up.
        (1_000_000_001, 0, 30 * DAY, 4, 250_000_001),
        # One instalment: principal plus one period's interest, plus one unit.
        (1_000_000_000, 3_650, YEAR, 1, 1_365_000_001),
    ],
)
def test_known_schedules(harness, principal, apr_bps, period, count, expected):
    assert harness.instalmentUp(principal, apr_bps, period, count) == expected


@given(
    outstanding=strategy("uint256", max_value=10**30),
    apr_bps=strategy("uint256", max_value=10_000),
    period=strategy("uint256", min_value=DAY, max_value=YEAR),
)
@settings(max_examples=100)
def test_period_interest_rounds_up(harness, outstanding, apr_bps, period):
    exact = Fraction(outstanding * apr_bps * period, 10_000 * YEAR)
    on_chain = int(harness.periodInterestUp(outstanding, apr_bps, period))
    assert exact <= on_chain < exact + 1


@given(base=strategy("uint256", min_value=10**27, max_value=2 * 10**27), exponent=strategy("uint256", max_value=360))
@settings(max_examples=100)
def test_ray_pow_never_exceeds_exact_power(harness, base, exponent):
    exact = Fraction(base, 10**27) ** exponent * 10**27
    assume(exact <= 10**5 * 10**27)  # loan terms bound (1 + r)^n by e^10
    on_chain = int(harness.rayPowDown(base, exponent))
    assert on_chain <= exact
    assert exact - on_chain <= 2 * exponent + exact / 10**24
