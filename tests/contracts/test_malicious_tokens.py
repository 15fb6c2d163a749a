"""Tokens that take a fee on transfer or re-enter the book: every call reverts and changes nothing."""

import pytest

from tests.contracts import helpers
from tests.contracts.helpers import USDC, reverts


@pytest.fixture
def hostile_loan(book, gov, borrower, lenders, attest):
    """list_hostile(token) -> loan id of a 1,000-unit listing in `token`, funded by nobody yet."""

    def make(token):
        book.setLoanToken(token, True, USDC, {"from": gov})
        book.setGradePolicy(token, 3, 30_000 * USDC, 1_800, 0, {"from": gov})
        for account in [borrower, *lenders]:
            token.mint(account, 100_000 * USDC, {"from": account})
            token.approve(book, 2**256 - 1, {"from": account})
        attestation, signature = attest(borrower)
        return book.requestLoan(helpers.terms(token), attestation, signature, {"from": borrower}).return_value

    return make


@pytest.fixture
def fee_token(FeeOnTransferToken, gov):
    return FeeOnTransferToken.deploy({"from": gov})


def test_fee_on_transfer_funding_reverts(lens, book, fee_token, hostile_loan, lenders):
    loan_id = hostile_loan(fee_token)
    fee_token.setFee(100, {"from": lenders[0]})
    before = fee_token.balanceOf(lenders[0])
    with reverts("TransferAmountMismatch", fee_token, 100 * USDC, 99 * USDC):
        book.fund(loan_id, 100 * USDC, {"from": lenders[0]})
    assert fee_token.balanceOf(lenders[0]) == before
    assert fee_token.balanceOf(book) == 0
    assert book.balanceOf(lenders[0], loan_id) == 0
    assert lens.loan(loan_id)["funded"] == 0


def test_fee_switched_on_later_blocks_repayment_without_effect(lens, book, fee_token, hostile_loan, lenders, borrower):
    loan_id = hostile_loan(fee_token)
    book.fund(loan_id, 1_000 * USDC, {"from": lenders[0]})
    fee_token.setFee(50, {"from": lenders[0]})
    loan_before = lens.loan(loan_id)
    balance_before = fee_token.balanceOf(borrower)
    with reverts("TransferAmountMismatch"):
        book.repay(loan_id, 100 * USDC, {"from": borrower})
    assert lens.loan(loan_id) == loan_before
    assert fee_token.balanceOf(borrower) == balance_before
    assert book.claimable(loan_id, lenders[0]) == 0


def test_reentry_from_funding_reverts(lens, book, reentrant_token, hostile_loan, lenders):
    loan_id = hostile_loan(reentrant_token)
    reentrant_token.arm(book, book.fund.encode_input(loan_id, 10 * USDC), {"from": lenders[0]})
    with reverts("ReentrancyGuardReentrantCall"):
        book.fund(loan_id, 100 * USDC, {"from": lenders[0]})
    assert lens.loan(loan_id)["funded"] == 0
    assert reentrant_token.balanceOf(book) == 0


def test_reentry_from_repay_and_claim_reverts(lens, book, reentrant_token, hostile_loan, lenders, borrower):
    loan_id = hostile_loan(reentrant_token)
    book.fund(loan_id, 1_000 * USDC, {"from": lenders[0]})
    book.repay(loan_id, 50 * USDC, {"from": borrower})
    claimable = book.claimable(loan_id, lenders[0])

    # A token callback during repay tries to move notes (to change who receives the repayment).
    reentrant_token.arm(
        book, book.safeTransferFrom.encode_input(lenders[0], lenders[1], loan_id, 1, b""), {"from": lenders[0]})
    loan_before = lens.loan(loan_id)
    with reverts("ReentrancyGuardReentrantCall"):
        book.repay(loan_id, 50 * USDC, {"from": borrower})
    assert lens.loan(loan_id) == loan_before

    # A token callback during claim tries to claim again.
    reentrant_token.arm(book, book.claim.encode_input(loan_id), {"from": lenders[0]})
    with reverts("ReentrancyGuardReentrantCall"):
        book.claim(loan_id, {"from": lenders[0]})
    assert book.claimable(loan_id, lenders[0]) == claimable
    reentrant_token.arm("0x" + "00" * 20, b"", {"from": lenders[0]})
    assert book.claim(loan_id, {"from": lenders[0]}).return_value == claimable
