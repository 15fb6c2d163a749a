"""Note transfers are fair to the last base unit: no holder ever claims more than its exact share.

Income waits in the accumulator's rounding remainder until the next distribution folds it into
`perNote`; that remainder was earned by whoever held the notes when it was paid. A transfer must
therefore carry the notes' share of it, or a buyer collects income earned before it bought, at the
seller's expense (found in review: with an 18-decimal token, 600,000 wei against a share of 30,000).
"""

from fractions import Fraction

import pytest
from brownie.test import given
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from scripts import policy
from tests.contracts.helpers import reverts

ACC_SCALE = 10**15  # LoanNotes.ACC_SCALE
ACTIVE = 2


@pytest.fixture(scope="module")
def dai(MockERC20, book, registry, gov, fee_recipient, borrower, lenders, outsider):
    """An 18-decimal loan token, where the accumulator's remainder is largest in base units."""
    dai = MockERC20.deploy("Mock Dai", "mDAI", 18, {"from": gov})
    policy.configure(book, registry, dai, gov, fee_recipient)
    for account in [borrower, *lenders, outsider]:
        dai.mint(account, 10**9 * 10**18, {"from": account})
        dai.approve(book, 2**256 - 1, {"from": account})
    return dai


class Ghost:
    """Each holder's exact share of the income distributed while it held notes, in Fractions."""

    def __init__(self, book, loan_id, holders):
        self.book, self.loan_id, self.holders = book, loan_id, list(holders)
        self.supply = sum(book.balanceOf(h, loan_id) for h in self.holders)  # every holder is tracked
        self.share = {h: Fraction(0) for h in self.holders}
        self.claimed = {h: 0 for h in self.holders}
        self.ever_held = {h: book.balanceOf(h, loan_id) for h in self.holders}

    def transferred(self, sender, receiver, value):
        self.book.safeTransferFrom(sender, receiver, self.loan_id, value, b"", {"from": sender})
        self.ever_held[receiver] += value

    def notes(self, holder) -> int:
        return self.book.balanceOf(holder, self.loan_id)

    def repaid(self, tx):
        event = tx.events["Repayment"]
        net = event["lateFees"] + event["interest"] + event["principal"] - event["platformFee"]
        for holder in self.holders:
            self.share[holder] += Fraction(net * self.notes(holder), self.supply)

    def check(self):
        for holder in self.holders:
            got = self.claimed[holder] + self.book.claimable(self.loan_id, holder)
            exact = self.share[holder]
            assert got <= exact + 1, f"{holder} gets {got}, more than its exact share {float(exact)} + 1"
            assert got > exact - 1 - Fraction(self.ever_held[holder], ACC_SCALE), (
                f"{holder} gets {got}, short of its exact share {float(exact)} by more than the carried dust")


def fund_loan(book, token, list_loan, lenders, unit):
    loan_id = list_loan(token=token, principal=1_000 * unit)
    for lender, amount in zip(lenders, [333 * unit + 7, 400 * unit - 7, 267 * unit]):
        book.fund(loan_id, amount, {"from": lender})
    return loan_id


def test_a_buyer_cannot_collect_income_earned_before_it_bought(lens, book, dai, list_loan, borrower, lenders, outsider):
    """The review's case: 1,000e18 notes, a payment that stays in the remainder, a sale of 600e18."""
    loan_id = list_loan(token=dai, principal=1_000 * 10**18)
    book.fund(loan_id, 1_000 * 10**18, {"from": lenders[0]})
    ghost = Ghost(book, loan_id, [lenders[0], outsider])
    ghost.repaid(book.repay(loan_id, 1_111_110, {"from": borrower}))  # 999,999 wei after the 10% fee
    ghost.transferred(lenders[0], outsider, 600 * 10**18)
    ghost.repaid(book.repay(loan_id, 55_556, {"from": borrower}))  # 50,000 wei after the fee
    assert book.claimable(loan_id, outsider) <= 30_000 + 1  # was 600,000
    ghost.check()


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("repay"), st.integers(min_value=1, max_value=10**6)),
        st.tuples(st.just("transfer"), st.integers(0, 3), st.integers(0, 3), st.integers(1, 10_000)),
        st.tuples(st.just("claim"), st.integers(0, 3)),
    ),
    min_size=1,
    max_size=12,
)


@pytest.mark.parametrize("decimals", [6, 18])
@given(operations=OPERATIONS, repay_scale=st.integers(min_value=0, max_value=12))
# Each example runs on a reverted chain (brownie's `given`), so function-scoped fixtures are safe.
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_holder_gets_its_exact_share_within_one_unit(
    lens, book, usdc, dai, list_loan, borrower, lenders, outsider, decimals, operations, repay_scale
):
    """Random repayments (tiny to large), transfers and claims: after each step every holder's
    claimed + claimable is within one base unit above, and the carried dust below, its share."""
    token = usdc if decimals == 6 else dai
    loan_id = fund_loan(book, token, list_loan, lenders[:3], 10**decimals)
    holders = [*lenders[:3], outsider]
    ghost = Ghost(book, loan_id, holders)
    for operation in operations:
        if operation[0] == "repay":
            if lens.loan(loan_id)["status"] != ACTIVE:
                continue
            amount = operation[1] * 10**repay_scale  # the book caps it at the payoff
            ghost.repaid(book.repay(loan_id, amount, {"from": borrower}))
        elif operation[0] == "transfer":
            sender, receiver = holders[operation[1]], holders[operation[2]]
            value = ghost.notes(sender) * operation[3] // 10_000
            if value == 0 or sender == receiver:
                continue
            ghost.transferred(sender, receiver, value)
        else:
            holder = holders[operation[1]]
            if book.claimable(loan_id, holder) == 0:
                with reverts("NothingToClaim", loan_id, holder):
                    book.claim(loan_id, {"from": holder})
                continue
            ghost.claimed[holder] += book.claim(loan_id, {"from": holder}).return_value
        ghost.check()
    assert sum(book.claimable(loan_id, h) for h in holders) <= token.balanceOf(book)
