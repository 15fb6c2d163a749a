"""liquidate: only unhealthy or defaulted loans; close factor; bonus; proceeds to holders;
surplus to the borrower; write-off when the collateral is gone; paused on unusable prices."""

import pytest
from brownie import chain

from tests.contracts.helpers import DAY, USDC, reverts, terms

WETH = 10**18
PRICE = 10**8  # feed units: 8 decimals
ACTIVE, DEFAULTED, CLOSED = 2, 4, 7


@pytest.fixture
def loan_id(book, vault, usdc, weth, borrower, lenders, attest):
    """An active 1,000 USDC grade C+ loan (50% collateral required) secured by 0.5 WETH ($1,500)."""
    attestation, signature = attest(borrower, grade=5)
    loan_terms = terms(usdc, principal=1_000 * USDC, apr_bps=2_000, collateral_token=weth,
                       collateral_amount=WETH // 2)
    loan_id = book.requestLoan(loan_terms, attestation, signature, {"from": borrower}).return_value
    book.fund(loan_id, 600 * USDC, {"from": lenders[0]})
    book.fund(loan_id, 400 * USDC, {"from": lenders[1]})
    return loan_id


@pytest.fixture
def liquidator(accounts, usdc, book):
    who = accounts[10]
    usdc.mint(who, 100_000 * USDC, {"from": who})
    usdc.approve(book, 2**256 - 1, {"from": who})
    return who


def test_healthy_loan_cannot_be_liquidated(vault, loan_id, liquidator):
    health = vault.health(loan_id)[0]
    assert health > 10**18
    with reverts("Healthy", loan_id, health):
        vault.liquidate(loan_id, 100 * USDC, {"from": liquidator})


def test_partial_liquidation_pays_holders_and_restores_health(vault, book, usdc, weth, eth_feed, loan_id,
                                                              liquidator, lenders):
    eth_feed.setAnswer(2_400 * PRICE)  # collateral now $1,200: x 80% threshold < ~$1,016 of debt
    health_before = vault.health(loan_id)[0]
    assert health_before < 10**18
    usdc_before, weth_before = usdc.balanceOf(liquidator), weth.balanceOf(liquidator)
    claimable_before = book.claimable(loan_id, lenders[0])
    tx = vault.liquidate(loan_id, 400 * USDC, {"from": liquidator})
    seized = 400 * 105 * WETH // (100 * 2_400)  # $400 plus a 5% bonus at $2,400
    assert tx.return_value == seized
    assert usdc.balanceOf(liquidator) == usdc_before - 400 * USDC
    assert weth.balanceOf(liquidator) == weth_before + seized
    assert vault.positions(loan_id)[1] == WETH // 2 - seized
    event = tx.events["Liquidated"]
    assert (event["repaid"], event["seized"], event["healthWad"]) == (400 * USDC, seized, health_before)
    repayment = tx.events["Repayment"]
    to_holders = 400 * USDC - repayment["platformFee"]
    assert book.claimable(loan_id, lenders[0]) - claimable_before == to_holders * 600 // 1_000
    assert vault.health(loan_id)[0] >= 10**18  # half the debt at most, and the loan is healthy again
    assert book.loan(loan_id)["status"] == ACTIVE


def test_repayment_above_close_factor_reverts(vault, book, eth_feed, loan_id, liquidator):
    eth_feed.setAnswer(2_000 * PRICE)
    debt = book.collateralState(loan_id)["debt"]
    max_repay = -(-debt * 5_000 // 10_000)
    with reverts("RepayAboveMaximum", loan_id, max_repay + 1, max_repay):
        vault.liquidate(loan_id, max_repay + 1, {"from": liquidator})


def test_defaulted_loan_is_fully_liquidated_and_surplus_returned(vault, book, usdc, weth, eth_feed, usd_feed,
                                                                 loan_id, liquidator, borrower, outsider):
    chain.sleep(160 * DAY)
    book.markDefault(loan_id, {"from": outsider})
    eth_feed.setAnswer(3_000 * PRICE)  # fresh rounds after the time jump; still healthy
    usd_feed.setAnswer(PRICE)
    debt = book.collateralState(loan_id)["debt"]
    borrower_weth = weth.balanceOf(borrower)
    tx = vault.liquidate(loan_id, debt, {"from": liquidator})
    seized = debt * 105 * 10**12 // (100 * 3_000)
    assert tx.return_value == seized
    assert book.loan(loan_id)["status"] == CLOSED
    assert tx.events["LoanClosed"]["debtWrittenOff"] == 0
    assert vault.release(loan_id, {"from": outsider}).return_value == WETH // 2 - seized
    assert weth.balanceOf(borrower) == borrower_weth + WETH // 2 - seized  # surplus back
    assert weth.balanceOf(vault) == 0


def test_collateral_gone_debt_written_off(vault, book, registry, weth, eth_feed, loan_id, liquidator, borrower):
    eth_feed.setAnswer(500 * PRICE)  # 0.5 WETH is now worth $250
    tx = vault.liquidate(loan_id, 500 * USDC, {"from": liquidator})
    assert tx.return_value == WETH // 2
    covered = -(-250 * 100 * USDC // 105)  # $250 of collateral covers $238.10 with the bonus, rounded up
    assert tx.events["Liquidated"]["repaid"] == covered
    assert book.loan(loan_id)["status"] == CLOSED
    # What the liquidation did not cover (all interest was paid first) is written off.
    assert tx.events["LoanClosed"]["debtWrittenOff"] == tx.events["Repayment"]["outstanding"] > 700 * USDC
    assert registry.historyOf(borrower)[2] == 1  # the loss is recorded as a default
    assert weth.balanceOf(vault) == 0


def test_unusable_price_pauses_liquidation_but_not_repayment(vault, book, eth_feed, loan_id, liquidator, borrower):
    eth_feed.setAnswer(0)
    with reverts("InvalidAnswer"):
        vault.liquidate(loan_id, 100 * USDC, {"from": liquidator})
    eth_feed.setAnswer(1_000 * PRICE)
    chain.sleep(2 * DAY)
    with reverts("StalePrice"):
        vault.liquidate(loan_id, 100 * USDC, {"from": liquidator})
    assert book.repay(loan_id, 50 * USDC, {"from": borrower}).return_value == 50 * USDC


def test_liquidation_before_top_up_is_limited_by_close_factor(vault, book, weth, eth_feed, loan_id, liquidator,
                                                               borrower):
    eth_feed.setAnswer(2_000 * PRICE)  # underwater: each liquidation now lowers health further
    max_repay = -(-book.collateralState(loan_id)["debt"] // 2)
    vault.liquidate(loan_id, max_repay, {"from": liquidator})  # lands before the borrower's top-up
    vault.topUp(loan_id, WETH, {"from": borrower})
    assert vault.health(loan_id)[0] > 10**18
    with reverts("Healthy"):
        vault.liquidate(loan_id, USDC, {"from": liquidator})
    assert vault.positions(loan_id)[1] > WETH  # the borrower kept most of the collateral


def test_only_active_or_defaulted_secured_loans(vault, book, list_loan, lenders, liquidator):
    listed = list_loan()
    with reverts("WrongLoanStatus", listed, 1):
        vault.liquidate(listed, USDC, {"from": liquidator})
    with reverts("ZeroAmount"):
        vault.liquidate(listed, 0, {"from": liquidator})
    book.fund(listed, 1_000 * USDC, {"from": lenders[0]})  # unsecured grade B+ loan
    with reverts("NoCollateral", listed):
        vault.liquidate(listed, USDC, {"from": liquidator})
