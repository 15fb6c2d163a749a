"""fund: many lenders, ERC-1155 notes, auto-start at the full principal."""

from brownie import chain

from tests.contracts.helpers import DAY, USDC, reverts

LISTED, ACTIVE = 1, 2


def test_funding_mints_notes_and_moves_tokens(lens, book, usdc, list_loan, lenders):
    loan_id = list_loan()
    lender = lenders[0]
    before = usdc.balanceOf(lender)
    tx = book.fund(loan_id, 250 * USDC, {"from": lender})
    assert book.balanceOf(lender, loan_id) == 250 * USDC
    assert usdc.balanceOf(lender) == before - 250 * USDC
    assert usdc.balanceOf(book) == 250 * USDC
    assert lens.loan(loan_id)["funded"] == 250 * USDC
    assert lens.loan(loan_id)["status"] == LISTED
    assert tx.events["Funded"]["totalFunded"] == 250 * USDC
    transfer = tx.events["TransferSingle"]
    assert (transfer["from"], transfer["to"], transfer["id"], transfer["value"]) == (
        "0x" + "00" * 20, lender, loan_id, 250 * USDC)


def test_full_funding_starts_loan_and_pays_borrower(lens, book, usdc, list_loan, lenders, borrower):
    loan_id = list_loan()
    before = usdc.balanceOf(borrower)
    book.fund(loan_id, 600 * USDC, {"from": lenders[0]})
    tx = book.fund(loan_id, 400 * USDC, {"from": lenders[1]})
    loan = lens.loan(loan_id)
    assert loan["status"] == ACTIVE
    assert loan["startTime"] == tx.timestamp
    assert loan["outstanding"] == 1_000 * USDC
    assert usdc.balanceOf(borrower) == before + 1_000 * USDC
    assert usdc.balanceOf(book) == 0
    assert tx.events["LoanStarted"]["principal"] == 1_000 * USDC


def test_same_lender_funds_twice(book, list_loan, lenders):
    loan_id = list_loan()
    book.fund(loan_id, 100 * USDC, {"from": lenders[0]})
    book.fund(loan_id, 50 * USDC, {"from": lenders[0]})
    assert book.balanceOf(lenders[0], loan_id) == 150 * USDC


def test_funding_past_principal_reverts(book, usdc, list_loan, lenders):
    loan_id = list_loan()
    book.fund(loan_id, 900 * USDC, {"from": lenders[0]})
    before = usdc.balanceOf(lenders[1])
    with reverts("FundingExceedsRemaining", loan_id, 100 * USDC + 1, 100 * USDC):
        book.fund(loan_id, 100 * USDC + 1, {"from": lenders[1]})
    with reverts("FundingExceedsRemaining", loan_id, 2**256 - 1, 100 * USDC):
        book.fund(loan_id, 2**256 - 1, {"from": lenders[1]})
    assert usdc.balanceOf(lenders[1]) == before
    assert book.balanceOf(lenders[1], loan_id) == 0


def test_zero_and_dust_amounts_revert(book, list_loan, lenders):
    loan_id = list_loan()
    with reverts("ZeroAmount"):
        book.fund(loan_id, 0, {"from": lenders[0]})
    with reverts("BelowMinimumFunding", USDC - 1, USDC):
        book.fund(loan_id, USDC - 1, {"from": lenders[0]})


def test_remainder_below_minimum_can_complete_the_loan(lens, book, list_loan, lenders):
    loan_id = list_loan()
    book.fund(loan_id, 1_000 * USDC - 10, {"from": lenders[0]})
    book.fund(loan_id, 10, {"from": lenders[1]})
    assert lens.loan(loan_id)["status"] == ACTIVE


def test_unknown_loan_reverts(book, lenders):
    with reverts("UnknownLoan", 42):
        book.fund(42, USDC, {"from": lenders[0]})


def test_funding_after_deadline_reverts(lens, book, list_loan, lenders):
    loan_id = list_loan()
    deadline = lens.loan(loan_id)["fundingDeadline"]
    chain.sleep(7 * DAY + 10)
    with reverts("FundingClosed", loan_id, deadline):
        book.fund(loan_id, 10 * USDC, {"from": lenders[0]})


def test_funding_cancelled_or_active_loan_reverts(book, list_loan, lenders, borrower, active_loan):
    cancelled = list_loan()
    book.cancel(cancelled, {"from": borrower})
    with reverts("LoanNotListed", cancelled, 5):
        book.fund(cancelled, 10 * USDC, {"from": lenders[0]})
    with reverts("LoanNotListed", active_loan, ACTIVE):
        book.fund(active_loan, 10 * USDC, {"from": lenders[0]})


def test_paused_blocks_funding(book, list_loan, lenders, gov):
    loan_id = list_loan()
    book.setPaused(True, {"from": gov})
    with reverts("LendingPaused"):
        book.fund(loan_id, 10 * USDC, {"from": lenders[0]})
    book.setPaused(False, {"from": gov})
    book.fund(loan_id, 10 * USDC, {"from": lenders[0]})
    assert book.balanceOf(lenders[0], loan_id) == 10 * USDC
