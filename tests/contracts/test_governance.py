"""Governance: only governance configures, always within the hard caps; two-step hand-over."""

import pytest

from tests.contracts.helpers import DAY, reverts

ZERO = "0x" + "00" * 20


@pytest.mark.parametrize(
    "call,args",
    [
        ("setLoanToken", lambda usdc: (usdc, True, 1)),
        ("setGradePolicy", lambda usdc: (usdc, 1, 10, 100, 0)),
        ("setCollateralVault", lambda usdc: (usdc,)),
        ("setLatePolicy", lambda usdc: (DAY, 100, 30 * DAY)),
        ("setFee", lambda usdc: (100, usdc)),
        ("setPaused", lambda usdc: (True,)),
        ("withdrawFees", lambda usdc: ([1],)),
        ("proposeGovernance", lambda usdc: (usdc,)),
    ],
)
def test_only_governance(book, usdc, outsider, call, args):
    with reverts("NotGovernance", outsider):
        getattr(book, call)(*args(usdc), {"from": outsider})


@pytest.mark.parametrize(
    "call,args,error",
    [
        ("setFee", (2_501, "fee"), ("AboveHardCap",)),
        ("setLatePolicy", (31 * DAY, 100, 60 * DAY), ("AboveHardCap",)),
        ("setLatePolicy", (DAY, 1_001, 60 * DAY), ("AboveHardCap",)),
        ("setLatePolicy", (DAY, 100, 366 * DAY), ("AboveHardCap",)),
        ("setLatePolicy", (10 * DAY, 100, 10 * DAY), ("AboveHardCap",)),
        ("setGradePolicy", ("usdc", 0, 10, 100, 0), ("InvalidGrade", 0)),
        ("setGradePolicy", ("usdc", 10, 10, 100, 0), ("InvalidGrade", 10)),
        ("setGradePolicy", ("usdc", 1, 10, 10_001, 0), ("AboveHardCap",)),
        ("setGradePolicy", ("usdc", 1, 10, 100, 50_001), ("AboveHardCap",)),
        ("setGradePolicy", ("usdc", 1, 2**96, 100, 0), ("SafeCastOverflowedUintDowncast", 96, 2**96)),
        ("setLoanToken", (ZERO, True, 1), ("ZeroAddress",)),
        ("setFee", (100, ZERO), ("ZeroAddress",)),
    ],
)
def test_hard_caps_and_bad_values(book, usdc, gov, fee_recipient, call, args, error):
    values = [usdc if a == "usdc" else fee_recipient if a == "fee" else a for a in args]
    with reverts(*error):
        getattr(book, call)(*values, {"from": gov})


def test_policy_changes_apply_to_new_listings_only(lens, book, usdc, list_loan, gov):
    old = list_loan()
    book.setLatePolicy(2 * DAY, 200, 40 * DAY, {"from": gov})
    book.setFee(500, gov, {"from": gov})
    new = list_loan()
    assert (lens.loan(old)["gracePeriod"], lens.loan(old)["lateFeeBps"], lens.loan(old)["feeBps"]) == (
        15 * DAY, 500, 1_000)
    assert (lens.loan(new)["gracePeriod"], lens.loan(new)["lateFeeBps"], lens.loan(new)["feeBps"]) == (
        2 * DAY, 200, 500)
    assert lens.loan(new)["defaultAfter"] == 40 * DAY


def test_fees_go_to_recipient(lens, book, usdc, active_loan, borrower, gov, fee_recipient):
    tx = book.repay(active_loan, 50 * 10**6, {"from": borrower})
    fee = tx.events["Repayment"]["platformFee"]
    assert fee > 0 and lens.loan(active_loan)["platformFeesDue"] == fee
    before = usdc.balanceOf(fee_recipient)
    assert book.withdrawFees([active_loan, active_loan], {"from": gov}).return_value == fee
    assert usdc.balanceOf(fee_recipient) == before + fee
    assert lens.loan(active_loan)["platformFeesDue"] == 0


def test_two_step_governance_transfer(book, gov, outsider, accounts):
    book.proposeGovernance(outsider, {"from": gov})
    assert book.governance() == gov
    with reverts("NotPendingGovernance", accounts[8]):
        book.acceptGovernance({"from": accounts[8]})
    tx = book.acceptGovernance({"from": outsider})
    assert book.governance() == outsider and book.pendingGovernance() == ZERO
    assert tx.events["GovernanceTransferred"]["current"] == outsider
    with reverts("NotGovernance", gov):
        book.setPaused(True, {"from": gov})


# ---------------------------------------------------------------- collateral vault and price oracle


def test_only_governance_configures_the_vault_and_the_oracle(vault, oracle, weth, eth_feed, outsider):
    calls = [lambda: vault.setCollateral(weth, True, 8_000, 500, {"from": outsider}),
             lambda: vault.setCloseFactor(5_000, {"from": outsider}),
             lambda: vault.proposeGovernance(outsider, {"from": outsider}),
             lambda: oracle.setFeed(weth, eth_feed, DAY, 1, 2, {"from": outsider}),
             lambda: oracle.proposeGovernance(outsider, {"from": outsider})]
    for call in calls:
        with reverts("NotGovernance", outsider):
            call()


@pytest.mark.parametrize("threshold_bps,bonus_bps", [(0, 500), (9_501, 0), (8_000, 2_001), (9_500, 527)])
def test_collateral_terms_within_hard_caps(vault, weth, gov, threshold_bps, bonus_bps):
    with reverts("InvalidCollateralSetting", weth, threshold_bps, bonus_bps):
        vault.setCollateral(weth, True, threshold_bps, bonus_bps, {"from": gov})
    assert tuple(vault.collaterals(weth)) == (True, 8_000, 500)


def test_collateral_terms_at_the_hard_caps(vault, weth, gov):
    # 95% x (1 + 5.26%) stays below 100%; 20% of bonus with an 83% threshold too.
    for threshold_bps, bonus_bps in [(9_500, 526), (8_300, 2_000)]:
        tx = vault.setCollateral(weth, True, threshold_bps, bonus_bps, {"from": gov})
        assert tuple(vault.collaterals(weth)) == (True, threshold_bps, bonus_bps)
        event = tx.events["CollateralSet"]
        assert (event["token"], event["allowed"], event["liquidationThresholdBps"], event["liquidationBonusBps"]) == (
            weth, True, threshold_bps, bonus_bps)


@pytest.mark.parametrize("close_factor_bps", [999, 10_001])
def test_close_factor_within_hard_caps(vault, gov, close_factor_bps):
    with reverts("InvalidCloseFactor", close_factor_bps):
        vault.setCloseFactor(close_factor_bps, {"from": gov})
    assert vault.closeFactorBps() == 5_000
    for edge in (1_000, 10_000):
        assert vault.setCloseFactor(edge, {"from": gov}).events["CloseFactorSet"]["closeFactorBps"] == edge
        assert vault.closeFactorBps() == edge
