"""Auto-lend commitments: the rule is enforced by the contract, whoever calls it."""

import pytest
from brownie import chain, interface

from scripts.lifecycle import rule
from tests.contracts.helpers import DAY, USDC, reverts, terms

WETH = 10**18
ACTIVE = 2


@pytest.fixture
def lender(lenders, usdc, autolend):
    usdc.approve(autolend, 2**256 - 1, {"from": lenders[0]})
    return lenders[0]


@pytest.fixture
def commit(autolend, usdc, lender):
    """commit(deposit=..., **rule) -> commitment id of `lender`."""

    def make(deposit=5_000 * USDC, **fields):
        return autolend.createCommitment(usdc, rule(**fields), deposit, {"from": lender}).return_value

    return make


@pytest.fixture
def listing(book, usdc, weth, borrower, attest):
    """listing(grade=3, apr_bps=1_200, instalments=12, who=borrower, purpose=1, pd_bps=450) -> loan id;
    grades 5+ escrow 1 WETH."""

    def make(grade=3, apr_bps=1_200, instalments=12, who=None, principal=1_000 * USDC, purpose=1, pd_bps=450):
        who = who or borrower
        attestation, signature = attest(who, grade=grade, pd_bps=pd_bps)
        collateral = dict(collateral_token=weth, collateral_amount=WETH) if grade >= 5 else {}
        loan_terms = terms(usdc, principal=principal, apr_bps=apr_bps, instalments=instalments, purpose=purpose,
                           **collateral)
        return book.requestLoan(loan_terms, attestation, signature, {"from": who}).return_value

    return make


def snapshot(autolend, book, usdc, lender, commitment_id, loan_id):
    return (usdc.balanceOf(autolend), usdc.balanceOf(book), book.balanceOf(lender, loan_id),
            tuple(autolend.commitment(commitment_id)), tuple(book.loanRecord(loan_id)))


def test_create_deposits_and_stores_the_rule(autolend, usdc, book, lender, borrower, commit):
    before = usdc.balanceOf(lender)
    commitment_id = commit(deposit=5_000 * USDC, worst_grade=6, min_apr_bps=800, max_apr_bps=2_500,
                           max_term=400 * DAY, min_collateral_ratio_bps=5_000, max_per_loan=300 * USDC,
                           max_per_borrower=500 * USDC, budget=4_000 * USDC, reinvest=True,
                           purpose_mask=0b1010, max_pd_bps=1_500, operator=borrower)
    c = autolend.commitment(commitment_id)
    assert (c["purposeMask"], c["maxPdBps"], c["operator"]) == (0b1010, 1_500, borrower)
    assert autolend.commitmentCount() == interface.IAutoLend(autolend.address).commitmentCount() == commitment_id
    assert (c["lender"], c["token"], c["available"], c["budget"]) == (lender, usdc, 5_000 * USDC, 4_000 * USDC)
    assert (c["worstGrade"], c["minAprBps"], c["maxAprBps"], c["maxTerm"]) == (6, 800, 2_500, 400 * DAY)
    assert (c["minCollateralRatioBps"], c["maxPerLoan"], c["maxPerBorrower"], c["reinvest"]) == (
        5_000, 300 * USDC, 500 * USDC, True)
    assert usdc.balanceOf(lender) == before - 5_000 * USDC
    assert usdc.balanceOf(autolend) == 5_000 * USDC
    assert usdc.allowance(autolend, book) == 2**256 - 1


def test_anyone_funds_a_matching_loan_and_the_lender_gets_the_notes(
        autolend, book, usdc, lender, borrower, outsider, commit, listing):
    commitment_id = commit(budget=3_000 * USDC)
    loan_id = listing()
    tx = autolend.fundFromCommitment(commitment_id, loan_id, 250 * USDC, {"from": outsider})
    assert book.balanceOf(lender, loan_id) == 250 * USDC
    assert book.balanceOf(outsider, loan_id) == 0
    assert usdc.balanceOf(autolend) == 4_750 * USDC
    assert usdc.balanceOf(book) == 250 * USDC
    c = autolend.commitment(commitment_id)
    assert (c["available"], c["budget"]) == (4_750 * USDC, 2_750 * USDC)
    assert autolend.lentToBorrower(commitment_id, borrower) == 250 * USDC
    assert tx.events["FundedFromCommitment"]["amount"] == 250 * USDC
    assert tx.events["FundedFromCommitment"]["caller"] == outsider
    assert tx.events["Funded"]["lender"] == lender


def test_funding_that_completes_the_loan_starts_it(autolend, book, lens, usdc, borrower, lender, commit, listing):
    commitment_id = commit()
    loan_id = listing(principal=600 * USDC)
    before = usdc.balanceOf(borrower)
    autolend.fundFromCommitment(commitment_id, loan_id, 600 * USDC, {"from": lender})
    assert lens.loan(loan_id)["status"] == ACTIVE
    assert usdc.balanceOf(borrower) == before + 600 * USDC
    assert book.balanceOf(lender, loan_id) == 600 * USDC


RULE_BREAKS = [
    # (rule fields, loan fields, amount in USDC, error name)
    (dict(worst_grade=4), dict(grade=5), 100, "GradeOutsideRule"),
    (dict(min_apr_bps=1_500), dict(apr_bps=1_200), 100, "AprOutsideRule"),
    (dict(max_apr_bps=1_000), dict(apr_bps=1_200), 100, "AprOutsideRule"),
    (dict(max_term=300 * DAY), dict(instalments=12), 100, "TermOutsideRule"),
    (dict(min_collateral_ratio_bps=7_500), dict(grade=5), 100, "CollateralOutsideRule"),
    (dict(min_collateral_ratio_bps=1), dict(grade=3), 100, "CollateralOutsideRule"),
    (dict(purpose_mask=0b101), dict(purpose=1), 100, "PurposeOutsideRule"),
    (dict(purpose_mask=2**31 - 1), dict(purpose=31), 100, "PurposeOutsideRule"),
    (dict(max_pd_bps=449), dict(pd_bps=450), 100, "PdOutsideRule"),
    (dict(max_per_loan=99 * USDC), dict(), 100, "LoanLimitExceeded"),
    (dict(max_per_borrower=99 * USDC), dict(), 100, "BorrowerLimitExceeded"),
    (dict(budget=99 * USDC), dict(), 100, "BudgetExceeded"),
    (dict(), dict(), 5_001, "InsufficientFunds"),
]


@pytest.mark.parametrize("rule_fields,loan_fields,amount,error", RULE_BREAKS)
def test_a_loan_outside_the_rule_is_refused_and_nothing_moves(
        autolend, book, usdc, lender, outsider, commit, listing, rule_fields, loan_fields, amount, error):
    commitment_id = commit(**rule_fields)
    loan_id = listing(**loan_fields)
    before = snapshot(autolend, book, usdc, lender, commitment_id, loan_id)
    with reverts(error):
        autolend.fundFromCommitment(commitment_id, loan_id, amount * USDC, {"from": outsider})
    assert snapshot(autolend, book, usdc, lender, commitment_id, loan_id) == before


def test_limits_hold_at_their_exact_edges(autolend, book, lender, commit, listing):
    commitment_id = commit(min_apr_bps=1_200, max_apr_bps=1_200, max_term=360 * DAY, worst_grade=3,
                           max_per_loan=100 * USDC, max_per_borrower=100 * USDC, budget=100 * USDC,
                           purpose_mask=1 << 31, max_pd_bps=450)
    loan_id = listing(grade=3, apr_bps=1_200, instalments=12, purpose=31, pd_bps=450)
    autolend.fundFromCommitment(commitment_id, loan_id, 100 * USDC, {"from": lender})
    assert book.balanceOf(lender, loan_id) == 100 * USDC
    assert autolend.commitment(commitment_id)["budget"] == 0


def test_per_loan_limit_counts_notes_the_lender_bought_by_hand(autolend, book, lender, commit, listing):
    commitment_id = commit(max_per_loan=300 * USDC)
    loan_id = listing()
    book.fund(loan_id, 250 * USDC, {"from": lender})
    with reverts("LoanLimitExceeded", commitment_id, loan_id, 350 * USDC, 300 * USDC):
        autolend.fundFromCommitment(commitment_id, loan_id, 100 * USDC, {"from": lender})
    autolend.fundFromCommitment(commitment_id, loan_id, 50 * USDC, {"from": lender})
    assert book.balanceOf(lender, loan_id) == 300 * USDC


def test_per_borrower_limit_spans_the_borrowers_loans(autolend, accounts, lender, borrower, commit, listing):
    commitment_id = commit(max_per_borrower=150 * USDC)
    first, second, other = listing(), listing(), listing(who=accounts[8])
    autolend.fundFromCommitment(commitment_id, first, 100 * USDC, {"from": lender})
    with reverts("BorrowerLimitExceeded", commitment_id, borrower, 200 * USDC, 150 * USDC):
        autolend.fundFromCommitment(commitment_id, second, 100 * USDC, {"from": lender})
    autolend.fundFromCommitment(commitment_id, other, 100 * USDC, {"from": lender})
    assert autolend.lentToBorrower(commitment_id, accounts[8]) == 100 * USDC


@pytest.mark.parametrize("purpose", [0, 7, 31])
def test_purpose_mask_accepts_exactly_its_codes(autolend, book, lender, commit, listing, purpose):
    commitment_id = commit(purpose_mask=1 << purpose)
    accepted, other = listing(purpose=purpose), listing(purpose=(purpose + 1) % 32)
    autolend.fundFromCommitment(commitment_id, accepted, 100 * USDC, {"from": lender})
    assert book.balanceOf(lender, accepted) == 100 * USDC
    with reverts("PurposeOutsideRule", commitment_id, other, (purpose + 1) % 32):
        autolend.fundFromCommitment(commitment_id, other, 100 * USDC, {"from": lender})


def test_an_operator_binds_who_may_fund(autolend, book, usdc, lender, lenders, outsider, commit, listing):
    """A rule naming an operator binds every caller: only that bot (or the lender) may fund from it."""
    bot = lenders[1]
    commitment_id = commit(operator=bot)
    loan_id = listing()
    before = snapshot(autolend, book, usdc, lender, commitment_id, loan_id)
    with reverts("NotOperator", commitment_id, outsider):
        autolend.fundFromCommitment(commitment_id, loan_id, 100 * USDC, {"from": outsider})
    assert snapshot(autolend, book, usdc, lender, commitment_id, loan_id) == before
    autolend.fundFromCommitment(commitment_id, loan_id, 100 * USDC, {"from": bot})
    autolend.fundFromCommitment(commitment_id, loan_id, 50 * USDC, {"from": lender})
    assert book.balanceOf(lender, loan_id) == 150 * USDC
    assert book.balanceOf(bot, loan_id) == 0
    autolend.setRule(commitment_id, rule(), {"from": lender})  # back to anyone
    autolend.fundFromCommitment(commitment_id, loan_id, 50 * USDC, {"from": outsider})
    assert book.balanceOf(lender, loan_id) == 200 * USDC


def test_expired_commitment_funds_nothing(autolend, lender, commit, listing):
    commitment_id = commit(expiry=chain.time() + DAY)
    loan_id = listing()
    chain.sleep(DAY + 60)
    with reverts("CommitmentExpired"):
        autolend.fundFromCommitment(commitment_id, loan_id, 100 * USDC, {"from": lender})


def test_the_lenders_own_loan_is_refused(autolend, usdc, book, lender, attest, commit):
    commitment_id = commit()
    attestation, signature = attest(lender, grade=3)
    loan_id = book.requestLoan(terms(usdc), attestation, signature, {"from": lender}).return_value
    with reverts("OwnLoan", commitment_id, loan_id):
        autolend.fundFromCommitment(commitment_id, loan_id, 100 * USDC, {"from": lender})


def test_other_token_unknown_loan_and_unknown_commitment(autolend, book, lender, commit, listing, MockERC20, gov):
    other = MockERC20.deploy("Other", "OTH", 6, {"from": gov})
    other.mint(lender, 1_000 * USDC, {"from": lender})
    other.approve(autolend, 2**256 - 1, {"from": lender})
    other_id = autolend.createCommitment(other, rule(), 1_000 * USDC, {"from": lender}).return_value
    loan_id = listing()
    with reverts("TokenMismatch"):
        autolend.fundFromCommitment(other_id, loan_id, 100 * USDC, {"from": lender})
    commitment_id = commit()
    with reverts("UnknownLoan", 99):
        autolend.fundFromCommitment(commitment_id, 99, 100 * USDC, {"from": lender})
    with reverts("UnknownCommitment", 42):
        autolend.fundFromCommitment(42, loan_id, 100 * USDC, {"from": lender})
    with reverts("ZeroAmount"):
        autolend.fundFromCommitment(commitment_id, loan_id, 0, {"from": lender})


def test_book_rules_still_apply(autolend, book, gov, lender, commit, listing):
    commitment_id = commit()
    loan_id = listing()
    with reverts("BelowMinimumFunding"):
        autolend.fundFromCommitment(commitment_id, loan_id, USDC // 2, {"from": lender})
    book.setPaused(True, {"from": gov})
    with reverts("LendingPaused"):
        autolend.fundFromCommitment(commitment_id, loan_id, 100 * USDC, {"from": lender})


def test_only_the_lender_manages_the_commitment(autolend, usdc, lender, outsider, commit):
    commitment_id = commit()
    usdc.mint(outsider, 100 * USDC, {"from": outsider})
    usdc.approve(autolend, 2**256 - 1, {"from": outsider})
    for call in (lambda: autolend.withdraw(commitment_id, USDC, {"from": outsider}),
                 lambda: autolend.deposit(commitment_id, USDC, {"from": outsider}),
                 lambda: autolend.setRule(commitment_id, rule(), {"from": outsider}),
                 lambda: autolend.close(commitment_id, {"from": outsider})):
        with reverts("NotLender", commitment_id, outsider):
            call()
    assert autolend.commitment(commitment_id)["available"] == 5_000 * USDC
    assert usdc.balanceOf(autolend) == 5_000 * USDC


def test_lender_withdraws_deposits_changes_and_closes(autolend, usdc, lender, outsider, commit, listing):
    commitment_id = commit(deposit=1_000 * USDC)
    start = usdc.balanceOf(lender)
    with reverts("InsufficientFunds", commitment_id, 1_001 * USDC, 1_000 * USDC):
        autolend.withdraw(commitment_id, 1_001 * USDC, {"from": lender})
    autolend.withdraw(commitment_id, 400 * USDC, {"from": lender})
    autolend.deposit(commitment_id, 100 * USDC, {"from": lender})
    assert autolend.commitment(commitment_id)["available"] == 700 * USDC
    autolend.setRule(commitment_id, rule(worst_grade=1), {"from": lender})
    loan_id = listing(grade=3)
    with reverts("GradeOutsideRule"):
        autolend.fundFromCommitment(commitment_id, loan_id, 100 * USDC, {"from": outsider})
    tx = autolend.close(commitment_id, {"from": lender})
    assert tx.return_value == 700 * USDC
    assert usdc.balanceOf(lender) == start + 400 * USDC - 100 * USDC + 700 * USDC
    assert usdc.balanceOf(autolend) == 0
    with reverts("UnknownCommitment", commitment_id):
        autolend.fundFromCommitment(commitment_id, loan_id, 100 * USDC, {"from": outsider})


@pytest.mark.parametrize("field,value,error_value", [
    ("worst_grade", 0, 0), ("worst_grade", 10, 10), ("max_apr_bps", 10_001, 10_001),
    ("min_collateral_ratio_bps", 50_001, 50_001), ("max_term", 2**32, 2**32), ("budget", 2**96, 2**96),
    ("max_per_loan", 2**96, 2**96), ("max_per_borrower", 2**96, 2**96), ("expiry", 1, 1),
    ("purpose_mask", 0, 0), ("purpose_mask", 2**32, 2**32), ("max_pd_bps", 10_001, 10_001),
])
def test_invalid_rules_are_refused(autolend, usdc, lender, field, value, error_value):
    name = "".join(word.capitalize() if i else word for i, word in enumerate(field.split("_")))
    with reverts("InvalidRule", name.encode().ljust(32, b"\0"), error_value):
        autolend.createCommitment(usdc, rule(**{field: value}), 0, {"from": lender})
    assert autolend.commitmentCount() == 0


def test_min_apr_above_max_is_refused(autolend, usdc, lender):
    with reverts("InvalidRule"):
        autolend.createCommitment(usdc, rule(min_apr_bps=2_000, max_apr_bps=1_000), 0, {"from": lender})


@pytest.fixture
def repaid_once(autolend, book, lens, usdc, borrower, lender, outsider, commit, listing):
    """A commitment (reinvest on) that funded all of an active loan, after the first instalment."""
    commitment_id = commit(reinvest=True)
    loan_id = listing()
    autolend.fundFromCommitment(commitment_id, loan_id, 1_000 * USDC, {"from": outsider})
    loan = lens.loan(loan_id)
    book.repay(loan_id, loan["instalment"], {"from": borrower})
    return commitment_id, loan_id


def test_reinvest_moves_the_lenders_income_into_the_commitment(autolend, book, usdc, lender, outsider, repaid_once):
    commitment_id, loan_id = repaid_once
    book.setApprovalForAll(autolend, True, {"from": lender})
    income = book.claimable(loan_id, lender)
    assert income > 0
    tx = autolend.reinvest(commitment_id, [loan_id], {"from": outsider})
    assert tx.return_value == income
    assert autolend.commitment(commitment_id)["available"] == 4_000 * USDC + income
    assert usdc.balanceOf(autolend) == 4_000 * USDC + income
    assert book.claimable(loan_id, lender) == 0
    assert tx.events["Claimed"]["holder"] == lender


def test_reinvest_needs_the_lenders_approval_and_the_rule(autolend, book, lender, outsider, repaid_once, commit):
    commitment_id, loan_id = repaid_once
    with reverts("ERC1155MissingApprovalForAll", autolend, lender):
        autolend.reinvest(commitment_id, [loan_id], {"from": outsider})
    book.setApprovalForAll(autolend, True, {"from": lender})
    plain = commit(reinvest=False)
    with reverts("ReinvestOff", plain):
        autolend.reinvest(plain, [loan_id], {"from": outsider})


def reinvest_state(autolend, book, usdc, lender, commitment_id, loan_id):
    return (tuple(autolend.commitment(commitment_id)), usdc.balanceOf(autolend), usdc.balanceOf(lender),
            book.claimable(loan_id, lender))


def test_reinvest_refuses_an_expired_commitment(autolend, book, usdc, lender, outsider, repaid_once):
    """Regression: income kept being swept into a commitment past its expiry, when the lender
    expects it to have stopped."""
    commitment_id, loan_id = repaid_once
    book.setApprovalForAll(autolend, True, {"from": lender})
    expiry = autolend.commitment(commitment_id)["expiry"]
    chain.sleep(expiry - chain.time() + 60)
    chain.mine()
    before = reinvest_state(autolend, book, usdc, lender, commitment_id, loan_id)
    assert before[3] > 0
    with reverts("CommitmentExpired", commitment_id, expiry):
        autolend.reinvest(commitment_id, [loan_id], {"from": outsider})
    assert reinvest_state(autolend, book, usdc, lender, commitment_id, loan_id) == before


def test_reinvest_refuses_a_closed_commitment(autolend, book, usdc, lender, outsider, repaid_once):
    commitment_id, loan_id = repaid_once
    book.setApprovalForAll(autolend, True, {"from": lender})
    autolend.close(commitment_id, {"from": lender})
    before = reinvest_state(autolend, book, usdc, lender, commitment_id, loan_id)
    with reverts("UnknownCommitment", commitment_id):
        autolend.reinvest(commitment_id, [loan_id], {"from": outsider})
    assert reinvest_state(autolend, book, usdc, lender, commitment_id, loan_id) == before


def test_claim_for_pays_only_the_holder_or_its_operator(book, usdc, lender, outsider, repaid_once):
    _, loan_id = repaid_once
    with reverts("ERC1155MissingApprovalForAll", outsider, lender):
        book.claimFor(lender, [loan_id], {"from": outsider})
    income = book.claimable(loan_id, lender)
    before = usdc.balanceOf(lender)
    assert book.claimFor(lender, [loan_id], {"from": lender}).return_value == income
    assert usdc.balanceOf(lender) == before + income


def test_fund_for_mints_to_the_named_lender(book, usdc, lenders, outsider, listing):
    loan_id = listing()
    payer, lender = lenders[1], lenders[2]
    before = usdc.balanceOf(payer)
    book.fundFor(loan_id, 100 * USDC, lender, {"from": payer})
    assert book.balanceOf(lender, loan_id) == 100 * USDC and book.balanceOf(payer, loan_id) == 0
    assert usdc.balanceOf(payer) == before - 100 * USDC
    with reverts("ZeroAddress"):
        book.fundFor(loan_id, 100 * USDC, "0x" + "00" * 20, {"from": payer})
