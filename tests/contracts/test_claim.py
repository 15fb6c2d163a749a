"""claim / claimMany: pro-rata income through the per-note accumulator, correct across transfers."""

from tests.contracts.helpers import USDC, reverts

FUNDING = [400, 300, 300]  # the active_loan fixture's lenders, in USDC


def test_holders_claim_pro_rata(book, usdc, active_loan, borrower, lenders):
    tx = book.repay(active_loan, 100 * USDC, {"from": borrower})
    to_holders = 100 * USDC - tx.events["Repayment"]["platformFee"]
    for lender, share in zip(lenders, FUNDING):
        expected = to_holders * share // 1_000
        assert book.claimable(active_loan, lender) == expected
        before = usdc.balanceOf(lender)
        claim = book.claim(active_loan, {"from": lender})
        assert claim.return_value == expected
        assert usdc.balanceOf(lender) == before + expected
        assert claim.events["Claimed"]["amount"] == expected


def test_claiming_twice_reverts(book, active_loan, borrower, lenders):
    book.repay(active_loan, 50 * USDC, {"from": borrower})
    book.claim(active_loan, {"from": lenders[0]})
    with reverts("NothingToClaim", active_loan, lenders[0]):
        book.claim(active_loan, {"from": lenders[0]})


def test_non_holder_and_unknown_loan_have_nothing(book, active_loan, borrower, outsider):
    book.repay(active_loan, 50 * USDC, {"from": borrower})
    with reverts("NothingToClaim", active_loan, outsider):
        book.claim(active_loan, {"from": outsider})
    with reverts("NothingToClaim", 77, outsider):
        book.claim(77, {"from": outsider})


def test_income_before_a_transfer_stays_with_the_seller(book, active_loan, borrower, lenders, outsider):
    seller = lenders[0]
    book.repay(active_loan, 100 * USDC, {"from": borrower})
    earned_before = book.claimable(active_loan, seller)
    book.safeTransferFrom(seller, outsider, active_loan, 400 * USDC, b"", {"from": seller})
    assert book.claimable(active_loan, seller) == earned_before
    assert book.claimable(active_loan, outsider) == 0
    tx = book.repay(active_loan, 100 * USDC, {"from": borrower})
    to_holders = 100 * USDC - tx.events["Repayment"]["platformFee"]
    assert book.claimable(active_loan, seller) == earned_before
    assert book.claimable(active_loan, outsider) == to_holders * 400 // 1_000


def test_claims_never_exceed_what_was_distributed(lens, book, usdc, active_loan, borrower, lenders):
    distributed = 0
    for amount in [1, 7, 333_333, 10 * USDC + 1, 3]:  # odd amounts leave rounding dust
        tx = book.repay(active_loan, amount, {"from": borrower})
        distributed += amount - tx.events["Repayment"]["platformFee"]
    claimed = sum(book.claimable(active_loan, lender) for lender in lenders[:3])
    assert distributed - 3 <= claimed <= distributed
    for lender in lenders[:3]:
        if book.claimable(active_loan, lender):
            book.claim(active_loan, {"from": lender})
    assert usdc.balanceOf(book) >= distributed - claimed + lens.loan(active_loan)["platformFeesDue"]


def test_claim_many_pays_each_loan(book, usdc, list_loan, lenders, borrower):
    first, second = list_loan(), list_loan()
    for loan_id in (first, second):
        book.fund(loan_id, 1_000 * USDC, {"from": lenders[0]})
        book.repay(loan_id, 20 * USDC, {"from": borrower})
    expected = book.claimable(first, lenders[0]) + book.claimable(second, lenders[0])
    before = usdc.balanceOf(lenders[0])
    tx = book.claimMany([first, second, 999], {"from": lenders[0]})
    assert tx.return_value == expected
    assert usdc.balanceOf(lenders[0]) == before + expected
    assert len(tx.events["Claimed"]) == 2
    with reverts("NothingToClaim", 0, lenders[0]):
        book.claimMany([first, second], {"from": lenders[0]})


def test_claim_works_while_paused(book, active_loan, borrower, lenders, gov):
    book.repay(active_loan, 10 * USDC, {"from": borrower})
    book.setPaused(True, {"from": gov})
    assert book.claim(active_loan, {"from": lenders[1]}).return_value > 0
