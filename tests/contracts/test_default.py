"""markDefault: only once the first unpaid instalment is defaultAfter overdue; recoveries still flow."""

from brownie import chain

from scripts import policy
from tests.contracts.helpers import DAY, USDC, reverts, terms

ACTIVE, REPAID, DEFAULTED = 2, 3, 4


def test_default_only_after_default_after(lens, book, registry, active_loan, borrower, outsider):
    loan = lens.loan(active_loan)
    eligible_at = loan["startTime"] + loan["period"] + loan["defaultAfter"]
    chain.sleep(eligible_at - chain.time() - 3600)
    with reverts("NotDefaultable", active_loan, ACTIVE, eligible_at):
        book.markDefault(active_loan, {"from": outsider})
    chain.sleep(7200)
    tx = book.markDefault(active_loan, {"from": outsider})  # anyone may
    assert lens.loan(active_loan)["status"] == DEFAULTED
    assert tx.events["LoanDefaulted"]["outstanding"] == 1_000 * USDC
    history = registry.historyOf(borrower)
    assert history["defaults"] == 1
    assert history["lateInstalments"] == 4  # instalments 1-4 went past grace by day 150
    assert history["onTimeInstalments"] == 0
    with reverts("NotDefaultable", active_loan, DEFAULTED, eligible_at):
        book.markDefault(active_loan, {"from": outsider})


def test_payments_push_the_default_date(lens, book, active_loan, borrower, outsider):
    loan = lens.loan(active_loan)
    book.repay(active_loan, 3 * loan["instalment"], {"from": borrower})  # covers instalments 1-3
    eligible_at = loan["startTime"] + 4 * loan["period"] + loan["defaultAfter"]
    chain.sleep(eligible_at - chain.time() - 3600)
    with reverts("NotDefaultable", active_loan, ACTIVE, eligible_at):
        book.markDefault(active_loan, {"from": outsider})


def test_on_time_instalments_counted_at_default(lens, book, registry, active_loan, borrower, outsider):
    loan = lens.loan(active_loan)
    book.repay(active_loan, 3 * loan["instalment"], {"from": borrower})  # instalments 1-3 on time
    chain.sleep(loan["startTime"] + 4 * loan["period"] + loan["defaultAfter"] + 60 - chain.time())
    book.markDefault(active_loan, {"from": outsider})
    history = registry.historyOf(borrower)
    assert (history["defaults"], history["onTimeInstalments"]) == (1, 3)
    # A recovery repays it but adds no on-time instalments: they were counted at the default.
    book.repay(active_loan, lens.amountDue(active_loan)["payoff"], {"from": borrower})
    history = registry.historyOf(borrower)
    assert (history["loansRepaid"], history["defaults"], history["onTimeInstalments"]) == (1, 1, 3)


def test_recovery_after_default_reaches_holders(lens, book, active_loan, borrower, lenders, outsider):
    chain.sleep(200 * DAY)
    book.markDefault(active_loan, {"from": outsider})
    payoff = lens.amountDue(active_loan)["payoff"]
    assert payoff > 1_000 * USDC
    book.repay(active_loan, payoff, {"from": borrower})
    assert lens.loan(active_loan)["status"] == REPAID
    assert book.claimable(active_loan, lenders[0]) > 400 * USDC


def test_listed_or_unknown_loan_cannot_default(book, list_loan, outsider):
    listed = list_loan()
    with reverts("NotDefaultable"):
        book.markDefault(listed, {"from": outsider})
    with reverts("UnknownLoan", 8):
        book.markDefault(8, {"from": outsider})


def test_write_off_records_instalments_that_went_late_since_the_last_accrual(
    LoanBook, registry, usdc, gov, fee_recipient, borrower, lenders, outsider, attest
):
    """The vault writes a loan off after a liquidation in the same block, so nothing is new then;
    but the book must not depend on that: a write-off charges and records what went late."""
    book = LoanBook.deploy(gov, registry, fee_recipient, {"from": gov})
    policy.configure(book, registry, usdc, gov, fee_recipient)
    book.setCollateralVault(outsider, {"from": gov})  # stands in for the vault, the only caller
    attestation, signature = attest(borrower)
    loan_id = book.requestLoan(terms(usdc), attestation, signature, {"from": borrower}).return_value
    usdc.approve(book, 2**256 - 1, {"from": lenders[0]})
    book.fund(loan_id, 1_000 * USDC, {"from": lenders[0]})
    chain.sleep(160 * DAY)
    book.markDefault(loan_id, {"from": outsider})
    assert registry.historyOf(borrower)["lateInstalments"] == 4
    chain.sleep(60 * DAY)
    tx = book.writeOff(loan_id, {"from": outsider})
    assert tx.events["LateFeesCharged"]["instalments"] == 2
    assert registry.historyOf(borrower)["lateInstalments"] == 6
    assert book.loanRecord(loan_id)["lateInstalments"] == 6
