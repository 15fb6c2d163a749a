"""liquidate: only unhealthy or defaulted loans; health against the loan's own required ratio;
close factor; bonus; proceeds to holders; surplus to the borrower; write-off when a defaulted
loan's collateral is gone; paused on unusable prices."""

import pytest
from brownie import chain

from tests.contracts.helpers import DAY, USDC, reverts, terms

WETH = 10**18
PRICE = 10**8  # feed units: 8 decimals
ACTIVE, DEFAULTED, CLOSED = 2, 4, 7


@pytest.fixture
def secured(book, usdc, weth, borrower, lenders, attest):
    """secured(grade, collateral) -> an active 1,000 USDC loan (20% APR unless given) escrowing `collateral` WETH."""

    def make(grade, collateral, apr_bps=2_000):
        attestation, signature = attest(borrower, grade=grade)
        loan_terms = terms(usdc, principal=1_000 * USDC, apr_bps=apr_bps, collateral_token=weth,
                           collateral_amount=collateral)
        loan_id = book.requestLoan(loan_terms, attestation, signature, {"from": borrower}).return_value
        book.fund(loan_id, 600 * USDC, {"from": lenders[0]})
        book.fund(loan_id, 400 * USDC, {"from": lenders[1]})
        return loan_id

    return make


@pytest.fixture
def loan_id(secured):
    """Grade E (150% collateral required) secured by 0.5 WETH ($1,500): liquidatable once the
    collateral is worth less than 150% x 80% = 120% of the ~$1,016 debt, below ~$2,439 per WETH."""
    return secured(9, WETH // 2)


def test_healthy_loan_cannot_be_liquidated(vault, loan_id, liquidator):
    health = vault.health(loan_id)[0]
    assert health > 10**18
    with reverts("Healthy", loan_id, health):
        vault.liquidate(loan_id, 100 * USDC, {"from": liquidator})


def test_partial_liquidation_pays_holders_and_restores_health(vault, book, lens, usdc, weth, eth_feed, loan_id,
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
    assert lens.loan(loan_id)["status"] == ACTIVE


def test_repayment_above_close_factor_reverts(vault, book, eth_feed, loan_id, liquidator):
    eth_feed.setAnswer(2_000 * PRICE)
    debt = book.collateralState(loan_id)["debt"]
    max_repay = -(-debt * 5_000 // 10_000)
    with reverts("RepayAboveMaximum", loan_id, max_repay + 1, max_repay):
        vault.liquidate(loan_id, max_repay + 1, {"from": liquidator})


def test_defaulted_loan_is_fully_liquidated_and_surplus_returned(vault, book, lens, usdc, weth, eth_feed, usd_feed,
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
    assert lens.loan(loan_id)["status"] == CLOSED
    assert tx.events["LoanClosed"]["debtWrittenOff"] == 0
    assert vault.release(loan_id, {"from": outsider}).return_value == WETH // 2 - seized
    assert weth.balanceOf(borrower) == borrower_weth + WETH // 2 - seized  # surplus back
    assert weth.balanceOf(vault) == 0


def test_defaulted_loan_collateral_gone_debt_written_off(vault, book, lens, registry, weth, eth_feed, usd_feed, loan_id,
                                                        liquidator, borrower, outsider):
    chain.sleep(160 * DAY)
    book.markDefault(loan_id, {"from": outsider})
    eth_feed.setAnswer(500 * PRICE)  # 0.5 WETH is now worth $250
    usd_feed.setAnswer(PRICE)
    debt = book.collateralState(loan_id)["debt"]
    tx = vault.liquidate(loan_id, 500 * USDC, {"from": liquidator})
    assert tx.return_value == WETH // 2
    covered = -(-250 * 100 * USDC // 105)  # $250 of collateral covers $238.10 with the bonus, rounded up
    assert tx.events["Liquidated"]["repaid"] == covered
    assert lens.loan(loan_id)["status"] == CLOSED
    assert tx.events["LoanClosed"]["debtWrittenOff"] == debt - covered  # what the collateral did not cover
    assert registry.historyOf(borrower)[2] == 1  # one default, recorded by markDefault, not twice
    assert weth.balanceOf(vault) == 0


def test_active_loan_whose_collateral_runs_out_stays_owed(vault, book, lens, weth, eth_feed, loan_id, liquidator):
    eth_feed.setAnswer(500 * PRICE)  # 0.5 WETH is now worth $250
    tx = vault.liquidate(loan_id, 500 * USDC, {"from": liquidator})
    assert tx.return_value == WETH // 2
    assert "LoanClosed" not in tx.events
    loan = lens.loan(loan_id)
    assert loan["status"] == ACTIVE
    assert loan["outstanding"] == tx.events["Repayment"]["outstanding"] > 700 * USDC
    assert weth.balanceOf(vault) == 0
    with reverts("NoCollateral", loan_id):
        vault.liquidate(loan_id, USDC, {"from": liquidator})


def test_partly_secured_loan_starts_healthy_and_turns_liquidatable_below_its_threshold(
        vault, book, weth, eth_feed, secured, liquidator):
    # Grade C+ requires collateral worth 50% of the principal: exactly that, plus one wei.
    loan_id = secured(5, WETH // 6 + 1)
    health, liquidation_price, _ = vault.health(loan_id)
    debt_wad = book.collateralState(loan_id)["debt"] * 10**12
    collateral_wad = (WETH // 6 + 1) * 3_000
    assert health == collateral_wad * 10**8 * 10**18 // (debt_wad * 5_000 * 8_000)
    assert health > 10**18
    with reverts("Healthy", loan_id, health):
        vault.liquidate(loan_id, 100 * USDC, {"from": liquidator})
    # The price at which the collateral is worth 50% x 80% of the debt.
    assert liquidation_price == -(-debt_wad * 5_000 * 8_000 * WETH // (10**8 * (WETH // 6 + 1)))
    eth_feed.setAnswer(liquidation_price // 10**10 + 1)
    with reverts("Healthy"):
        vault.liquidate(loan_id, 100 * USDC, {"from": liquidator})
    eth_feed.setAnswer(liquidation_price // 10**10 - 1)
    assert vault.liquidate(loan_id, 100 * USDC, {"from": liquidator}).return_value > 0


def test_voluntary_collateral_of_an_unsecured_grade_is_claimed_only_on_default(
        vault, book, eth_feed, usd_feed, secured, liquidator, outsider):
    loan_id = secured(3, WETH // 10, apr_bps=1_500)  # grade B+ needs no collateral; $300 offered anyway
    eth_feed.setAnswer(PRICE)  # even at $1 per WETH
    health, liquidation_price, _ = vault.health(loan_id)
    assert (health, liquidation_price) == (2**256 - 1, 0)
    with reverts("Healthy", loan_id, 2**256 - 1):
        vault.liquidate(loan_id, 100 * USDC, {"from": liquidator})
    chain.sleep(160 * DAY)
    book.markDefault(loan_id, {"from": outsider})
    eth_feed.setAnswer(3_000 * PRICE)
    usd_feed.setAnswer(PRICE)
    assert vault.liquidate(loan_id, 100 * USDC, {"from": liquidator}).return_value == 100 * 105 * WETH // (100 * 3_000)


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


def test_only_active_or_defaulted_secured_loans(vault, book, usdc, weth, borrower, attest, list_loan, lenders,
                                                liquidator):
    attestation, signature = attest(borrower, grade=9)
    listed = book.requestLoan(terms(usdc, principal=1_000 * USDC, collateral_token=weth, collateral_amount=WETH),
                              attestation, signature, {"from": borrower}).return_value
    before = usdc.balanceOf(liquidator), weth.balanceOf(liquidator), tuple(vault.positions(listed))
    with reverts("NotRepayable", listed, 1):  # the book refuses the payment, and nothing moves
        vault.liquidate(listed, USDC, {"from": liquidator})
    assert (usdc.balanceOf(liquidator), weth.balanceOf(liquidator), tuple(vault.positions(listed))) == before
    with reverts("ZeroAmount"):
        vault.liquidate(listed, 0, {"from": liquidator})
    unsecured = list_loan()
    book.fund(unsecured, 1_000 * USDC, {"from": lenders[0]})  # an active unsecured grade B+ loan
    with reverts("NoCollateral", unsecured):
        vault.liquidate(unsecured, USDC, {"from": liquidator})


# Liquidation terms are fixed at listing: governance changes apply to new listings only (regressions:
# each of the first three tests failed while the vault read the current terms).


def test_raising_the_threshold_does_not_make_an_open_loan_liquidatable(vault, weth, eth_feed, gov, loan_id,
                                                                       liquidator):
    eth_feed.setAnswer(2_700 * PRICE)  # 0.5 WETH = $1,350: above 150% x 80% of the debt, below 150% x 95%
    health = vault.health(loan_id)[0]
    vault.setCollateral(weth, True, 9_500, 500, {"from": gov})
    assert vault.health(loan_id)[0] == health > 10**18
    assert tuple(vault.positions(loan_id))[4:] == (8_000, 500, 5_000)
    with reverts("Healthy", loan_id, health):
        vault.liquidate(loan_id, 100 * USDC, {"from": liquidator})
    assert vault.positions(loan_id)[1] == WETH // 2


def test_raising_the_bonus_does_not_change_what_an_open_loan_gives_up(vault, book, weth, eth_feed, gov, loan_id,
                                                                      liquidator):
    vault.setCollateral(weth, True, 8_000, 2_000, {"from": gov})
    eth_feed.setAnswer(2_400 * PRICE)
    weth_before = weth.balanceOf(liquidator)
    tx = vault.liquidate(loan_id, 400 * USDC, {"from": liquidator})
    seized = 400 * 105 * WETH // (100 * 2_400)  # the 5% bonus in force at listing, not 20%
    assert tx.return_value == tx.events["Liquidated"]["seized"] == seized
    assert weth.balanceOf(liquidator) == weth_before + seized
    assert vault.positions(loan_id)[1] == WETH // 2 - seized


@pytest.mark.parametrize("close_factor_bps", [2_000, 10_000])
def test_changing_the_close_factor_does_not_change_an_open_loans_maximum_repayment(
        vault, book, usdc, eth_feed, gov, loan_id, liquidator, close_factor_bps):
    vault.setCloseFactor(close_factor_bps, {"from": gov})
    eth_feed.setAnswer(2_000 * PRICE)
    debt = book.collateralState(loan_id)["debt"]
    max_repay = -(-debt * 5_000 // 10_000)  # the 50% in force at listing
    before = usdc.balanceOf(liquidator), vault.positions(loan_id)
    with reverts("RepayAboveMaximum", loan_id, max_repay + 1, max_repay):
        vault.liquidate(loan_id, max_repay + 1, {"from": liquidator})
    assert (usdc.balanceOf(liquidator), vault.positions(loan_id)) == before
    assert vault.liquidate(loan_id, max_repay, {"from": liquidator}).events["Liquidated"]["repaid"] == max_repay


def test_a_listing_after_a_change_uses_the_new_terms(vault, book, weth, eth_feed, gov, loan_id, secured, liquidator,
                                                     borrower):
    vault.setCollateral(weth, True, 9_000, 1_000, {"from": gov})
    vault.setCloseFactor(2_000, {"from": gov})
    new_id = secured(9, WETH // 2)
    assert tuple(vault.positions(loan_id))[4:] == (8_000, 500, 5_000)
    assert tuple(vault.positions(new_id))[4:] == (9_000, 1_000, 2_000)
    eth_feed.setAnswer(2_700 * PRICE)  # healthy under 80% (the old loan), not under 90% (the new one)
    debt_wad = book.collateralState(new_id)["debt"] * 10**12
    health = 1_350 * 10**18 * 10**8 * 10**18 // (debt_wad * 15_000 * 9_000)
    assert vault.health(new_id)[0] == health < 10**18
    assert vault.health(loan_id)[0] > 10**18
    debt = book.collateralState(new_id)["debt"]
    max_repay = -(-debt * 2_000 // 10_000)
    with reverts("RepayAboveMaximum", new_id, max_repay + 1, max_repay):
        vault.liquidate(new_id, max_repay + 1, {"from": liquidator})
    tx = vault.liquidate(new_id, max_repay, {"from": liquidator})
    assert tx.return_value == max_repay * 10**12 * 110 // 100 * WETH // (2_700 * 10**18)  # the 10% bonus
