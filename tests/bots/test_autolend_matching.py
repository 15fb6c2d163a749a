"""The auto-lend bot's pure parts: matching mirrors every check of fundFromCommitment/fundFor (with
the contract's error names), the off-chain filters narrow it, and the fair split's properties."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings, strategies as st

from backend.bots.autolend.matching import (Commitment, Exposure, Filters, Listing, amount_refusal, capacity,
                                            refusal, rule_refusal)
from backend.bots.autolend.split import fair_split, water_fill

TOKEN, OTHER = "0x" + "11" * 20, "0x" + "22" * 20
LENDER, BORROWER, BOT = "0x" + "aa" * 20, "0x" + "bb" * 20, "0x" + "cc" * 20
ZERO = "0x" + "00" * 20
NOW = 1_900_000_000
USDC = 10**6

COMMITMENT = Commitment(id=1, lender=LENDER, token=TOKEN, expiry=NOW + 86_400, worst_grade=5, reinvest=False,
                        min_collateral_ratio_bps=5_000, max_pd_bps=2_000, min_apr_bps=1_000, max_apr_bps=3_000,
                        max_term=360 * 86_400, purpose_mask=0b10, available=500 * USDC, budget=400 * USDC,
                        max_per_loan=100 * USDC, max_per_borrower=150 * USDC, operator=ZERO)
LISTING = Listing(loan_id=7, token=TOKEN, borrower=BORROWER, status="listed", grade=5, apr_bps=2_000,
                  term=360 * 86_400, min_collateral_ratio_bps=5_000, purpose=1, pd_bps=1_500, principal=1_000 * USDC,
                  funded=0, funding_deadline=NOW + 3_600)
FRESH = Exposure(holding=0, lent=0)


@pytest.mark.parametrize("change, error", [
    ({"token": OTHER}, "TokenMismatch(1, 7, "),
    ({"borrower": LENDER}, "OwnLoan(1, 7)"),
    ({"grade": 6}, "GradeOutsideRule(1, 7, 6)"),
    ({"apr_bps": 999}, "AprOutsideRule(1, 7, 999)"),
    ({"apr_bps": 3_001}, "AprOutsideRule(1, 7, 3001)"),
    ({"term": 360 * 86_400 + 1}, "TermOutsideRule(1, 7, 31104001)"),
    ({"min_collateral_ratio_bps": 4_999}, "CollateralOutsideRule(1, 7, 4999)"),
    ({"purpose": 0}, "PurposeOutsideRule(1, 7, 0)"),
    ({"purpose": 40}, "PurposeOutsideRule(1, 7, 40)"),
    ({"pd_bps": 2_001}, "PdOutsideRule(1, 7, 2001)"),
    ({"status": "none"}, "UnknownLoan(7)"),
])
def test_each_rule_check_refuses_with_the_contract_error(change, error):
    assert rule_refusal(COMMITMENT, LISTING) is None
    assert rule_refusal(COMMITMENT, replace(LISTING, **change)).startswith(error)


@pytest.mark.parametrize("commitment, listing, now, error", [
    (replace(COMMITMENT, lender=ZERO), LISTING, NOW, "UnknownCommitment(1)"),
    (replace(COMMITMENT, operator=OTHER), LISTING, NOW, f"NotOperator(1, {BOT})"),
    (COMMITMENT, LISTING, NOW + 86_401, "CommitmentExpired(1, "),
    (COMMITMENT, replace(LISTING, status="active"), NOW, "LoanNotListed(7, 2)"),
    (COMMITMENT, LISTING, NOW + 3_601, "FundingClosed(7, "),
    (COMMITMENT, replace(LISTING, funded=1_000 * USDC), NOW, "FundingExceedsRemaining(7, 1, 0)"),
])
def test_commitment_caller_and_listing_checks(commitment, listing, now, error):
    assert refusal(commitment, listing, FRESH, Filters(), BOT, now).startswith(error)


def test_the_named_operator_and_the_lender_may_fund():
    assert refusal(replace(COMMITMENT, operator=BOT), LISTING, FRESH, Filters(), BOT, NOW) is None
    assert refusal(replace(COMMITMENT, operator=OTHER), LISTING, FRESH, Filters(), LENDER, NOW) is None


@pytest.mark.parametrize("filters, exposure, error", [
    (Filters(paused=True), FRESH, "filter: paused"),
    (Filters(blocked=frozenset({BORROWER.lower()})), FRESH, "filter: borrower"),
    (Filters(min_score=50), FRESH, "filter: score 43 below 50"),  # PD 15% scores 43
    (Filters(max_loans_per_day=2), Exposure(0, 0, loans_today=2), "filter: 2 loans funded"),
])
def test_off_chain_filters_only_narrow(filters, exposure, error):
    assert refusal(COMMITMENT, LISTING, exposure, filters, BOT, NOW).startswith(error)
    assert refusal(COMMITMENT, LISTING, FRESH, Filters(min_score=43, max_loans_per_day=3), BOT, NOW) is None


@pytest.mark.parametrize("exposure, commitment, listing, expected", [
    (FRESH, COMMITMENT, LISTING, 100 * USDC),  # maxPerLoan
    (Exposure(holding=70 * USDC, lent=0), COMMITMENT, LISTING, 30 * USDC),  # notes held from anywhere count
    (Exposure(holding=0, lent=120 * USDC), COMMITMENT, LISTING, 30 * USDC),  # maxPerBorrower
    (FRESH, replace(COMMITMENT, available=20 * USDC), LISTING, 20 * USDC),
    (FRESH, replace(COMMITMENT, budget=10 * USDC), LISTING, 10 * USDC),
    (FRESH, COMMITMENT, replace(LISTING, funded=995 * USDC), 5 * USDC),  # the unfunded remainder
    (Exposure(holding=100 * USDC, lent=0), COMMITMENT, LISTING, 0),
])
def test_capacity_is_the_tightest_limit(exposure, commitment, listing, expected):
    assert capacity(commitment, listing, exposure) == expected


def test_a_full_commitment_is_refused_with_the_limit_it_hits():
    full = Exposure(holding=100 * USDC, lent=0)
    assert refusal(COMMITMENT, LISTING, full, Filters(), BOT, NOW).startswith("LoanLimitExceeded(1, 7, 100000001")


amounts = st.integers(min_value=0, max_value=10**12)


@settings(max_examples=300, deadline=None)
@given(available=amounts, budget=amounts, max_per_loan=amounts, max_per_borrower=amounts, holding=amounts,
       lent=amounts, principal=st.integers(1, 10**12), funded_bps=st.integers(0, 10_000))
def test_capacity_passes_every_amount_check_and_one_more_unit_fails(available, budget, max_per_loan, max_per_borrower,
                                                                   holding, lent, principal, funded_bps):
    commitment = replace(COMMITMENT, available=available, budget=budget, max_per_loan=max_per_loan,
                         max_per_borrower=max_per_borrower)
    listing = replace(LISTING, principal=principal, funded=principal * funded_bps // 10_000)
    exposure = Exposure(holding, lent)
    most = capacity(commitment, listing, exposure)
    if most > 0:
        assert amount_refusal(commitment, listing, exposure, most) is None
    assert amount_refusal(commitment, listing, exposure, most + 1) is not None


def test_fair_split_equal_shares_capped_and_redistributed():
    assert fair_split(300, {1: 500, 2: 500, 3: 500}) == {1: 100, 2: 100, 3: 100}
    assert fair_split(300, {1: 50, 2: 500, 3: 500}) == {1: 50, 2: 125, 3: 125}  # 1's unused share re-shared
    assert fair_split(100, {3: 100, 1: 100, 2: 100}) == {1: 34, 2: 33, 3: 33}  # odd unit to the lowest id
    assert fair_split(1_000, {1: 100, 2: 200}) == {1: 100, 2: 200}  # all full: the listing stays partly unfunded


def test_fair_split_drops_shares_below_the_minimum_ticket():
    assert fair_split(30, {1: 100, 2: 100, 3: 100, 4: 5}, min_ticket=10) == {1: 10, 2: 10, 3: 10}
    assert fair_split(5, {1: 100, 2: 100}, min_ticket=10) == {1: 5}  # one ticket completing the listing is fine
    assert fair_split(50, {1: 5}, min_ticket=10) == {}


@settings(max_examples=300, deadline=None)
@given(remaining=st.integers(0, 10**9), caps=st.dictionaries(st.integers(1, 50), st.integers(0, 10**9), max_size=8),
       min_ticket=st.integers(0, 10**6))
def test_fair_split_properties(remaining, caps, min_ticket):
    shares = fair_split(remaining, caps, min_ticket)
    assert sum(shares.values()) <= remaining
    for key, share in shares.items():
        assert 0 < share <= caps[key]
        assert share >= min_ticket or (len(shares) == 1 and share == remaining)
    assert shares == fair_split(remaining, dict(reversed(list(caps.items()))), min_ticket)  # order-independent
    if min_ticket == 0:
        assert sum(shares.values()) == min(remaining, sum(caps.values()))
        unconstrained = [shares.get(k, 0) for k in caps if shares.get(k, 0) < caps[k]]
        if unconstrained:  # nobody below its cap gets less than anyone else, up to one unit
            assert max(shares.values(), default=0) <= min(unconstrained) + 1


def test_water_fill_is_exact_with_no_caps_binding():
    assert water_fill(10, {1: 10, 2: 10, 3: 10}) == {1: 4, 2: 3, 3: 3}
