"""start, cancel, expiry and refund of listings that did not (fully) fund."""

from brownie import chain

from tests.contracts.helpers import DAY, USDC, reverts

LISTED, ACTIVE, CANCELLED, EXPIRED = 1, 2, 5, 6


def test_borrower_starts_at_minimum_fill_with_schedule_on_funded_amount(book, usdc, list_loan, lenders, borrower):
    loan_id = list_loan()  # 1,000 USDC, 70% minimum fill
    book.fund(loan_id, 699 * USDC, {"from": lenders[0]})
    with reverts("MinimumFillNotReached", loan_id, 699 * USDC, 700 * USDC):
        book.start(loan_id, {"from": borrower})
    book.fund(loan_id, 1 * USDC, {"from": lenders[1]})
    before = usdc.balanceOf(borrower)
    book.start(loan_id, {"from": borrower})
    loan = book.loan(loan_id)
    assert loan["status"] == ACTIVE and loan["outstanding"] == 700 * USDC
    assert usdc.balanceOf(borrower) == before + 700 * USDC


def test_only_borrower_starts_before_deadline_anyone_after(book, list_loan, lenders, outsider):
    loan_id = list_loan()
    book.fund(loan_id, 800 * USDC, {"from": lenders[0]})
    with reverts("NotBorrower", loan_id, outsider):
        book.start(loan_id, {"from": outsider})
    chain.sleep(7 * DAY + 10)
    book.start(loan_id, {"from": outsider})
    assert book.loan(loan_id)["status"] == ACTIVE


def test_cancel_then_refund(book, usdc, list_loan, lenders, borrower, outsider):
    loan_id = list_loan()
    book.fund(loan_id, 300 * USDC, {"from": lenders[0]})
    with reverts("NotBorrower", loan_id, outsider):
        book.cancel(loan_id, {"from": outsider})
    with reverts("NotRefundable", loan_id, LISTED):
        book.refund(loan_id, {"from": lenders[0]})
    tx = book.cancel(loan_id, {"from": borrower})
    assert "LoanCancelled" in tx.events
    before = usdc.balanceOf(lenders[0])
    tx = book.refund(loan_id, {"from": lenders[0]})
    assert tx.return_value == 300 * USDC
    assert usdc.balanceOf(lenders[0]) == before + 300 * USDC
    assert book.balanceOf(lenders[0], loan_id) == 0
    assert book.loan(loan_id)["funded"] == 0
    with reverts("NothingToRefund", loan_id, lenders[0]):
        book.refund(loan_id, {"from": lenders[0]})
    with reverts("LoanNotListed", loan_id, CANCELLED):
        book.start(loan_id, {"from": borrower})


def test_underfunded_listing_expires_at_deadline(book, usdc, list_loan, lenders):
    loan_id = list_loan()
    book.fund(loan_id, 200 * USDC, {"from": lenders[0]})
    book.fund(loan_id, 100 * USDC, {"from": lenders[1]})
    chain.sleep(7 * DAY + 10)
    tx = book.refund(loan_id, {"from": lenders[0]})
    assert "LoanExpired" in tx.events and tx.return_value == 200 * USDC
    assert book.loan(loan_id)["status"] == EXPIRED
    assert book.refund(loan_id, {"from": lenders[1]}).return_value == 100 * USDC
    assert usdc.balanceOf(book) == 0


def test_refunds_work_while_paused(book, list_loan, lenders, borrower, gov):
    loan_id = list_loan()
    book.fund(loan_id, 300 * USDC, {"from": lenders[0]})
    book.cancel(loan_id, {"from": borrower})
    book.setPaused(True, {"from": gov})
    assert book.refund(loan_id, {"from": lenders[0]}).return_value == 300 * USDC


def test_unknown_loan(book, borrower):
    with reverts("UnknownLoan", 5):
        book.cancel(5, {"from": borrower})
    with reverts("UnknownLoan", 5):
        book.refund(5, {"from": borrower})
    with reverts("UnknownLoan", 5):
        book.start(5, {"from": borrower})


def test_listing_not_started_within_start_window_expires(book, usdc, list_loan, lenders):
    loan_id = list_loan()
    book.fund(loan_id, 800 * USDC, {"from": lenders[0]})  # above the 70% minimum fill
    chain.sleep(7 * DAY + 10)
    with reverts("NotRefundable", loan_id, LISTED):  # startable: anyone may still start it
        book.refund(loan_id, {"from": lenders[0]})
    chain.sleep(book.START_WINDOW())
    with reverts("LoanNotListed", loan_id, EXPIRED):  # expired even before a refund records it
        book.start(loan_id, {"from": lenders[0]})
    tx = book.refund(loan_id, {"from": lenders[0]})
    assert "LoanExpired" in tx.events and tx.return_value == 800 * USDC
    with reverts("LoanNotListed", loan_id, EXPIRED):
        book.start(loan_id, {"from": lenders[0]})
