"""start, cancel, expiry and refund of listings that did not (fully) fund."""

from brownie import chain

from tests.contracts.helpers import DAY, USDC, reverts, terms

LISTED, ACTIVE, CANCELLED, EXPIRED = 1, 2, 5, 6


def test_borrower_starts_at_minimum_fill_with_schedule_on_funded_amount(lens, book, usdc, list_loan, lenders, borrower):
    loan_id = list_loan()  # 1,000 USDC, 70% minimum fill
    book.fund(loan_id, 699 * USDC, {"from": lenders[0]})
    with reverts("MinimumFillNotReached", loan_id, 699 * USDC, 700 * USDC):
        book.start(loan_id, {"from": borrower})
    book.fund(loan_id, 1 * USDC, {"from": lenders[1]})
    before = usdc.balanceOf(borrower)
    book.start(loan_id, {"from": borrower})
    loan = lens.loan(loan_id)
    assert loan["status"] == ACTIVE and loan["outstanding"] == 700 * USDC
    assert usdc.balanceOf(borrower) == before + 700 * USDC


def test_only_borrower_starts_before_deadline_anyone_after(lens, book, list_loan, lenders, outsider):
    loan_id = list_loan()
    book.fund(loan_id, 800 * USDC, {"from": lenders[0]})
    with reverts("NotBorrower", loan_id, outsider):
        book.start(loan_id, {"from": outsider})
    chain.sleep(7 * DAY + 10)
    book.start(loan_id, {"from": outsider})
    assert lens.loan(loan_id)["status"] == ACTIVE


def test_cancel_then_refund(lens, book, usdc, list_loan, lenders, borrower, outsider):
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
    assert lens.loan(loan_id)["funded"] == 0
    with reverts("NothingToRefund", loan_id, lenders[0]):
        book.refund(loan_id, {"from": lenders[0]})
    with reverts("LoanNotListed", loan_id, CANCELLED):
        book.start(loan_id, {"from": borrower})


def test_underfunded_listing_expires_at_deadline(lens, book, usdc, list_loan, lenders):
    loan_id = list_loan()
    book.fund(loan_id, 200 * USDC, {"from": lenders[0]})
    book.fund(loan_id, 100 * USDC, {"from": lenders[1]})
    chain.sleep(7 * DAY + 10)
    tx = book.refund(loan_id, {"from": lenders[0]})
    assert "LoanExpired" in tx.events and tx.return_value == 200 * USDC
    assert lens.loan(loan_id)["status"] == EXPIRED
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


def test_anyone_expires_an_unfunded_listing_past_its_deadline(lens, book, list_loan, lenders, outsider):
    """Regression: an unfunded listing past its deadline read Listed for ever (LoanExpired was only
    emitted inside `refund`, which needs notes)."""
    loan_id = list_loan()
    deadline = lens.loan(loan_id)["fundingDeadline"]
    with reverts("NotExpired", loan_id, deadline):
        book.expire(loan_id, {"from": outsider})
    chain.sleep(deadline - chain.time() + 10)
    tx = book.expire(loan_id, {"from": outsider})
    assert tx.events["LoanExpired"]["loanId"] == loan_id
    assert lens.loan(loan_id)["status"] == EXPIRED
    with reverts("LoanNotListed", loan_id, EXPIRED):
        book.expire(loan_id, {"from": outsider})
    with reverts("UnknownLoan", 99):
        book.expire(99, {"from": outsider})


def test_a_listing_at_minimum_fill_expires_only_after_the_start_window(lens, book, list_loan, lenders, outsider):
    loan_id = list_loan()
    book.fund(loan_id, 700 * USDC, {"from": lenders[0]})
    deadline = lens.loan(loan_id)["fundingDeadline"]
    chain.sleep(deadline - chain.time() + 10)
    with reverts("NotExpired", loan_id, deadline):
        book.expire(loan_id, {"from": outsider})  # it can still be started
    chain.sleep(7 * DAY)
    book.expire(loan_id, {"from": outsider})
    assert lens.loan(loan_id)["status"] == EXPIRED
    assert book.refund(loan_id, {"from": lenders[0]}).return_value == 700 * USDC


def test_expiry_returns_the_collateral(lens, book, vault, usdc, weth, borrower, attest, outsider):
    attestation, signature = attest(borrower, grade=5)
    loan_terms = terms(usdc, apr_bps=2_000, collateral_token=weth, collateral_amount=10**18)
    loan_id = book.requestLoan(loan_terms, attestation, signature, {"from": borrower}).return_value
    before = weth.balanceOf(borrower)
    chain.sleep(lens.loan(loan_id)["fundingDeadline"] - chain.time() + 10)
    tx = book.expire(loan_id, {"from": outsider})
    assert tx.events["CollateralReleased"]["amount"] == 10**18
    assert weth.balanceOf(borrower) == before + 10**18
    assert weth.balanceOf(vault) == 0 and vault.positions(loan_id)[1] == 0
