"""repay: late fees, then interest, then principal; schedule, prepayment, fee only on interest."""

from brownie import chain

from backend.loan_model import LoanState, period_interest_up
from scripts import policy
from tests.contracts import helpers
from tests.contracts.helpers import DAY, USDC, reverts

ACTIVE, REPAID, DEFAULTED = 2, 3, 4


def model_of(lens, loan_id) -> LoanState:
    loan = lens.loan(loan_id)
    return LoanState.started(
        principal=loan["outstanding"], apr_bps=loan["aprBps"], instalments=loan["instalments"],
        period=loan["period"], start_time=loan["startTime"], fee_bps=loan["feeBps"],
        late_fee_bps=loan["lateFeeBps"], grace_period=loan["gracePeriod"],
    )


def assert_matches(lens, loan_id, state: LoanState):
    loan = lens.loan(loan_id)
    assert loan["outstanding"] == state.outstanding
    assert loan["interestDue"] == state.interest_due
    assert loan["lateFeesDue"] == state.late_fees_due
    assert loan["instalmentsPaid"] == state.instalments_paid
    assert loan["paidTowardNext"] == state.paid_toward_next


def sleep_until(timestamp):
    chain.sleep(max(0, timestamp - chain.time()))


def test_paying_each_instalment_on_time_follows_the_schedule(lens, book, usdc, active_loan, borrower, lenders):
    state = model_of(lens, active_loan)
    assert lens.loan(active_loan)["instalment"] == state.instalment
    paid_total = 0
    for k in range(1, 13):
        sleep_until(state.due_date(k) - 3600)
        tx = book.repay(active_loan, state.instalment, {"from": borrower})
        state, parts = state.repaid(tx.timestamp, state.instalment)
        event = tx.events["Repayment"]
        assert (event["lateFees"], event["interest"], event["principal"], event["platformFee"]) == (
            parts["late_fees"], parts["interest"], parts["principal"], parts["platform_fee"])
        assert not lens.isLate(active_loan)
        paid_total += parts["paid"]
        assert_matches(lens, active_loan, state)
        if state.outstanding == 0:
            break
    assert lens.loan(active_loan)["status"] == REPAID
    assert k == 12  # repaid exactly with the 12th instalment (the last one may be smaller)
    # 12 payments of 88.77 USDC (30-day periods at 12% APR, r = 0.986%) repay 1,000 USDC.
    assert 1_065 * USDC < paid_total < 1_066 * USDC
    assert "LoanRepaid" in tx.events


def test_payment_pays_interest_before_principal_and_only_interest_is_charged_a_fee(lens, book, active_loan, borrower):
    loan = lens.loan(active_loan)
    interest = loan["interestDue"]
    tx = book.repay(active_loan, interest // 2, {"from": borrower})
    assert tx.events["Repayment"]["interest"] == interest // 2
    assert tx.events["Repayment"]["principal"] == 0
    assert tx.events["Repayment"]["platformFee"] == interest // 2 * policy.PLATFORM_FEE_BPS // 10_000
    tx = book.repay(active_loan, 100 * USDC, {"from": borrower})
    assert tx.events["Repayment"]["interest"] == interest - interest // 2
    assert tx.events["Repayment"]["principal"] == 100 * USDC - (interest - interest // 2)


def test_prepayment_reduces_future_interest(lens, book, active_loan, borrower):
    state = model_of(lens, active_loan)
    tx = book.repay(active_loan, 500 * USDC, {"from": borrower})
    state, _ = state.repaid(tx.timestamp, 500 * USDC)
    reduced = state.outstanding
    assert reduced < 510 * USDC
    sleep_until(state.due_date(1) + 60)
    tx = book.repay(active_loan, 1, {"from": borrower})
    state, parts = state.repaid(tx.timestamp, 1)
    assert_matches(lens, active_loan, state)
    # The second period's interest was charged on the reduced principal only (1 unit since paid).
    assert lens.loan(active_loan)["interestDue"] == period_interest_up(reduced, 1_200, 30 * DAY) - 1
    assert not lens.isLate(active_loan)  # 500 USDC prepaid covers several instalments


def test_early_payoff_and_overpayment_capped(lens, book, usdc, active_loan, borrower, outsider):
    usdc.mint(outsider, 2_000 * USDC, {"from": outsider})
    usdc.approve(book, 2**256 - 1, {"from": outsider})
    payoff = lens.amountDue(active_loan)["payoff"]
    before = usdc.balanceOf(outsider)
    tx = book.repay(active_loan, 2_000 * USDC, {"from": outsider})  # anyone may repay
    assert tx.return_value == payoff
    assert usdc.balanceOf(outsider) == before - payoff
    assert lens.loan(active_loan)["status"] == REPAID
    with reverts("NotRepayable", active_loan, REPAID):
        book.repay(active_loan, USDC, {"from": borrower})


def test_repaid_loan_is_recorded_in_history(book, registry, active_loan, borrower):
    book.repay(active_loan, 2_000 * USDC, {"from": borrower})
    history = registry.historyOf(borrower)
    assert history["loansRepaid"] == 1
    assert history["onTimeInstalments"] == 12  # paid off early: all 12 satisfied, none late


def test_on_time_count_excludes_late_instalments(lens, book, registry, active_loan, borrower):
    state = model_of(lens, active_loan)
    sleep_until(state.due_date(2) + 15 * DAY + 60)  # instalments 1 and 2 past grace, unpaid
    chain.mine()
    book.repay(active_loan, lens.amountDue(active_loan)["payoff"], {"from": borrower})
    history = registry.historyOf(borrower)
    assert (history["loansRepaid"], history["lateInstalments"], history["onTimeInstalments"]) == (1, 2, 10)
    assert lens.loan(active_loan)["lateInstalments"] == 2


def test_late_fee_after_grace_period(lens, book, registry, active_loan, borrower):
    state = model_of(lens, active_loan)
    sleep_until(state.due_date(1) + 15 * DAY - 600)
    assert not lens.isLate(active_loan)
    sleep_until(state.due_date(1) + 15 * DAY + 60)
    chain.mine()
    assert lens.isLate(active_loan)
    due = lens.amountDue(active_loan)
    fee = state.instalment * 500 // 10_000 + (1 if state.instalment * 500 % 10_000 else 0)
    assert due["lateFees"] == fee
    tx = book.repay(active_loan, due["toBeCurrent"], {"from": borrower})
    assert tx.events["Repayment"]["lateFees"] == fee
    assert tx.events["LateFeesCharged"]["instalments"] == 1
    assert registry.historyOf(borrower)[1] == 1
    assert not lens.isLate(active_loan)
    state, _ = state.repaid(tx.timestamp, due["toBeCurrent"])
    assert_matches(lens, active_loan, state)


def test_zero_unknown_and_unstarted_repayments_revert(book, list_loan, borrower):
    listed = list_loan()
    with reverts("ZeroAmount"):
        book.repay(listed, 0, {"from": borrower})
    with reverts("UnknownLoan", 99):
        book.repay(99, USDC, {"from": borrower})
    with reverts("NotRepayable", listed, 1):
        book.repay(listed, USDC, {"from": borrower})


def test_repayment_works_while_paused(book, active_loan, borrower, gov):
    book.setPaused(True, {"from": gov})
    tx = book.repay(active_loan, 10 * USDC, {"from": borrower})
    assert tx.return_value == 10 * USDC


def test_amount_due_after_maturity_with_late_fees_is_the_payoff(lens, book, active_loan, borrower):
    loan = lens.loan(active_loan)
    sleep_until(loan["startTime"] + 13 * loan["period"])  # past maturity, nothing paid: 12 late fees
    chain.mine()
    due = lens.amountDue(active_loan)
    assert due["lateFees"] > 0
    assert due["toBeCurrent"] == due["payoff"] == due["lateFees"] + due["interest"] + 1_000 * USDC
