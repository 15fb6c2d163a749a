"""Collateral: escrow at listing, top-up, withdrawal within the required ratio, release."""

import pytest
from brownie import chain

from tests.contracts.helpers import USDC, reverts, terms

WETH = 10**18
LISTED, ACTIVE, REPAID, CANCELLED = 1, 2, 3, 5


@pytest.fixture
def secured_loan(book, vault, usdc, weth, borrower, attest):
    """secured_loan(grade, collateral) -> id of a 1,000 USDC listing escrowing `collateral` wei of WETH."""

    def make(grade=5, collateral=WETH, principal=1_000 * USDC):
        attestation, signature = attest(borrower, grade=grade)
        loan_terms = terms(usdc, principal=principal, apr_bps=2_000, collateral_token=weth,
                           collateral_amount=collateral)
        return book.requestLoan(loan_terms, attestation, signature, {"from": borrower}).return_value

    return make


def test_listing_escrows_collateral_and_fixes_its_liquidation_terms(book, lens, vault, usdc, weth, borrower, attest):
    before = weth.balanceOf(borrower)
    attestation, signature = attest(borrower, grade=5)
    tx = book.requestLoan(terms(usdc, apr_bps=2_000, collateral_token=weth, collateral_amount=WETH // 2),
                          attestation, signature, {"from": borrower})
    loan_id = tx.return_value
    assert weth.balanceOf(vault) == WETH // 2
    assert weth.balanceOf(borrower) == before - WETH // 2
    # The loan's token and required ratio (grade C+: 50%), and WETH's threshold and bonus and the close
    # factor in force (scripts/policy.py), copied for the loan's life.
    assert tuple(vault.positions(loan_id)) == (weth.address, WETH // 2, usdc.address, 5_000, 8_000, 500, 5_000)
    event = tx.events["CollateralLocked"]
    assert (event["loanId"], event["token"], event["amount"], event["liquidationThresholdBps"],
            event["liquidationBonusBps"], event["closeFactorBps"]) == (loan_id, weth, WETH // 2, 8_000, 500, 5_000)
    assert lens.loan(loan_id)["minCollateralRatioBps"] == 5_000


def test_listing_below_required_ratio_reverts(book, vault, weth, borrower, secured_loan):
    # Grade C+ requires 50% of 1,000 USDC = $500; 0.1 WETH at $3,000 is worth $300.
    with reverts("InsufficientCollateral", 1, 300 * 10**18, 500 * 10**18):
        secured_loan(collateral=WETH // 10)
    assert book.loanCount() == 0 and weth.balanceOf(vault) == 0


def test_unsecured_grades_may_list_without_collateral(book, lens, vault, list_loan):
    loan_id = list_loan(grade=3)
    assert lens.loan(loan_id)["minCollateralRatioBps"] == 0
    assert tuple(vault.positions(loan_id)) == ("0x" + "00" * 20, 0, "0x" + "00" * 20, 0, 0, 0, 0)


def test_collateral_token_must_be_allowed(book, vault, usdc, borrower, attest, MockERC20, gov):
    other = MockERC20.deploy("Other", "OTH", 18, {"from": gov})
    attestation, signature = attest(borrower, grade=5)
    with reverts("CollateralNotAllowed", other):
        book.requestLoan(terms(usdc, collateral_token=other, collateral_amount=WETH), attestation, signature,
                         {"from": borrower})


def test_top_up_by_anyone(vault, weth, secured_loan, outsider):
    loan_id = secured_loan()
    weth.mint(outsider, WETH, {"from": outsider})
    weth.approve(vault, WETH, {"from": outsider})
    tx = vault.topUp(loan_id, WETH, {"from": outsider})
    assert vault.positions(loan_id)[1] == 2 * WETH
    assert tx.events["CollateralAdded"]["total"] == 2 * WETH


def test_withdraw_keeps_required_ratio(vault, weth, book, lens, lenders, borrower, secured_loan, outsider):
    loan_id = secured_loan(collateral=WETH)  # $3,000 against a required $500
    book.fund(loan_id, 1_000 * USDC, {"from": lenders[0]})
    with reverts("NotBorrower", loan_id, outsider):
        vault.withdraw(loan_id, 1, {"from": outsider})
    before = weth.balanceOf(borrower)
    vault.withdraw(loan_id, WETH // 2, {"from": borrower})
    assert weth.balanceOf(borrower) == before + WETH // 2
    with reverts("WithdrawalExceedsCollateral", loan_id, WETH, WETH // 2):
        vault.withdraw(loan_id, WETH, {"from": borrower})
    debt = lens.amountDue(loan_id)["payoff"]
    with reverts("InsufficientCollateral"):
        vault.withdraw(loan_id, WETH // 2 - WETH // 10, {"from": borrower})  # would leave $300 < 50% of debt
    assert vault.positions(loan_id)[1] == WETH // 2
    assert debt > 1_000 * USDC


def test_collateral_cannot_be_withdrawn_while_listed(vault, weth, book, borrower, secured_loan):
    """Regression: a borrower could take back collateral lenders were funding against (down to the ratio
    of the principal) before the loan started. Cancellation and expiry still return all of it."""
    loan_id = secured_loan(collateral=WETH)  # $3,000 against a required $500
    before = weth.balanceOf(borrower), weth.balanceOf(vault)
    with reverts("WrongLoanStatus", loan_id, LISTED):
        vault.withdraw(loan_id, WETH // 2, {"from": borrower})
    assert (weth.balanceOf(borrower), weth.balanceOf(vault)) == before
    assert vault.positions(loan_id)[1] == WETH


def test_release_after_repayment_and_cancellation(vault, weth, book, lenders, borrower, secured_loan, outsider):
    repaid, cancelled = secured_loan(), secured_loan()
    with reverts("WrongLoanStatus", repaid, LISTED):
        vault.release(repaid, {"from": outsider})
    book.fund(repaid, 1_000 * USDC, {"from": lenders[0]})
    book.repay(repaid, 2_000 * USDC, {"from": borrower})
    book.cancel(cancelled, {"from": borrower})
    before = weth.balanceOf(borrower)
    assert vault.release(repaid, {"from": outsider}).return_value == WETH
    assert vault.release(cancelled, {"from": outsider}).return_value == WETH
    assert weth.balanceOf(borrower) == before + 2 * WETH
    assert weth.balanceOf(vault) == 0
    with reverts("NoCollateral", repaid):
        vault.release(repaid, {"from": outsider})


def test_health_view(vault, book, lens, lenders, secured_loan):
    loan_id = secured_loan(collateral=WETH)
    book.fund(loan_id, 1_000 * USDC, {"from": lenders[0]})
    health, liquidation_price, until_default = vault.health(loan_id)
    debt_wad = lens.amountDue(loan_id)["payoff"] * 10**12  # USDC at $1
    # $3,000 of WETH / (debt x 50% required ratio x 80% threshold)
    assert health == 3_000 * 10**18 * 10**8 * 10**18 // (debt_wad * 5_000 * 8_000)
    assert liquidation_price == -(-debt_wad * 5_000 * 8_000 // 10**8)  # price where health = 1
    loan = lens.loan(loan_id)
    eligible_at = loan["startTime"] + loan["period"] + loan["defaultAfter"]
    assert abs(until_default - (eligible_at - chain.time())) <= 5


def test_book_and_vault_only_accept_each_other(book, vault, outsider):
    with reverts("NotCollateralVault", outsider):
        book.applyLiquidation(1, 1, outsider, {"from": outsider})
    with reverts("NotCollateralVault", outsider):
        book.writeOff(1, {"from": outsider})
    with reverts("NotLoanBook", outsider):
        vault.lock(1, outsider, outsider, 1, outsider, 1, 0, {"from": outsider})


def test_vault_is_set_once(book, vault, gov):
    with reverts("CollateralVaultAlreadySet", vault):
        book.setCollateralVault(gov, {"from": gov})
