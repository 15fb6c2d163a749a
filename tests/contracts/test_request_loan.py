"""requestLoan: listing with a score attestation, under the grade policy and hard caps."""

import pytest
from brownie import chain

from scripts import policy
from tests.contracts import helpers
from tests.contracts.helpers import DAY, USDC, reverts

LISTED = 1


def test_listing_stores_terms_and_grade(lens, book, usdc, borrower, attest):
    attestation, signature = attest(borrower, grade=2, pd_bps=150)
    terms = helpers.terms(usdc, principal=5_000 * USDC, apr_bps=1_400, instalments=24, min_fill_bps=7_000)
    tx = book.requestLoan(terms, attestation, signature, {"from": borrower})
    loan_id = tx.return_value
    assert loan_id == 1 and book.loanCount() == 1
    loan = lens.loan(loan_id)
    assert loan["borrower"] == borrower
    assert loan["token"] == usdc
    assert loan["principal"] == 5_000 * USDC
    assert loan["status"] == LISTED
    assert loan["grade"] == 2
    assert loan["aprBps"] == 1_400 and loan["instalments"] == 24 and loan["period"] == 30 * DAY
    assert loan["feeBps"] == policy.PLATFORM_FEE_BPS and loan["lateFeeBps"] == 500
    assert loan["gracePeriod"] == 15 * DAY and loan["defaultAfter"] == 120 * DAY
    assert loan["pdBps"] == 150 and loan["lateInstalments"] == 0
    event = tx.events["LoanRequested"]
    assert event["loanId"] == loan_id and event["borrower"] == borrower and event["grade"] == 2
    assert event["pdBps"] == 150
    listing = book.listing(loan_id)
    assert (listing["purpose"], listing["pdBps"], listing["grade"]) == (terms[7], 150, 2)
    assert tx.events["ScoreSubmitted"]["borrower"] == borrower


def test_existing_score_is_reused_without_signature(lens, book, usdc, borrower, attest, registry):
    attestation, signature = attest(borrower, grade=4)
    registry.submit(attestation, signature)
    tx = book.requestLoan(helpers.terms(usdc), attestation, b"", {"from": borrower})
    assert lens.loan(tx.return_value)["grade"] == 4


def test_no_score_reverts(book, usdc, borrower, attest):
    attestation, _ = attest(borrower)
    with reverts("NoValidScore", borrower):
        book.requestLoan(helpers.terms(usdc), attestation, b"", {"from": borrower})


def test_someone_elses_attestation_does_not_grade_the_caller(book, usdc, borrower, outsider, attest):
    attestation, signature = attest(borrower, grade=1)
    with reverts("NoValidScore", outsider):
        book.requestLoan(helpers.terms(usdc), attestation, signature, {"from": outsider})


@pytest.mark.parametrize(
    "overrides,error",
    [
        ({"principal": 0}, ("ZeroAmount",)),
        ({"principal": 30_000 * USDC + 1}, ("PrincipalAboveLimit", 30_000 * USDC + 1, 30_000 * USDC)),
        ({"principal": 2**96}, ("PrincipalAboveLimit", 2**96, 30_000 * USDC)),
        ({"apr_bps": 1_801}, ("AprAboveLimit", 1_801, 1_800)),
        ({"instalments": 0}, ("InvalidInstalments", 0)),
        ({"instalments": 361}, ("InvalidInstalments", 361)),
        ({"period": DAY - 1}, ("InvalidPeriod", DAY - 1)),
        ({"period": 366 * DAY}, ("InvalidPeriod", 366 * DAY)),
        ({"instalments": 121, "period": 31 * DAY}, ("TermTooLong", 121 * 31 * DAY, 3650 * DAY)),
        ({"min_fill_bps": 0}, ("InvalidMinFill", 0)),
        ({"min_fill_bps": 10_001}, ("InvalidMinFill", 10_001)),
        ({"purpose": 32}, ("InvalidPurpose", 32)),  # codes 0..31 fit an auto-lend rule's 32-bit mask
    ],
)
def test_bad_terms_revert_and_list_nothing(book, usdc, borrower, attest, overrides, error):
    attestation, signature = attest(borrower)
    with reverts(*error):
        book.requestLoan(helpers.terms(usdc, **overrides), attestation, signature, {"from": borrower})
    assert book.loanCount() == 0


@pytest.mark.parametrize("offset", [0, -1, 60 * DAY + 3600])
def test_bad_deadline_reverts(book, usdc, borrower, attest, offset):
    attestation, signature = attest(borrower)
    deadline = chain.time() + offset
    with reverts("InvalidFundingDeadline"):
        book.requestLoan(helpers.terms(usdc, deadline=deadline), attestation, signature, {"from": borrower})


def test_token_not_allowed(book, MockERC20, borrower, attest, gov):
    other = MockERC20.deploy("Other", "OTH", 6, {"from": gov})
    attestation, signature = attest(borrower)
    with reverts("TokenNotAllowed", other):
        book.requestLoan(helpers.terms(other), attestation, signature, {"from": borrower})


def test_disabled_grade_reverts(book, usdc, borrower, attest, gov):
    book.setGradePolicy(usdc, 9, 0, 5_000, 0, {"from": gov})
    attestation, signature = attest(borrower, grade=9)
    with reverts("GradeNotAllowed", usdc, 9):
        book.requestLoan(helpers.terms(usdc), attestation, signature, {"from": borrower})


def test_paused_blocks_listing(book, usdc, borrower, attest, gov):
    book.setPaused(True, {"from": gov})
    attestation, signature = attest(borrower)
    with reverts("LendingPaused"):
        book.requestLoan(helpers.terms(usdc), attestation, signature, {"from": borrower})
