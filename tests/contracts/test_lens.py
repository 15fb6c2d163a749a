"""LoanLens: many loans in one eth_call, answering exactly what the book and the vault answer."""

from brownie import chain

from tests.contracts.helpers import DAY, USDC, terms

WETH = 10**18
NONE, LISTED, ACTIVE, DEFAULTED = 0, 1, 2, 4
MAX_UINT = 2**256 - 1


def list_secured(book, usdc, weth, borrower, attest, collateral=WETH):
    attestation, signature = attest(borrower, grade=5)
    loan_terms = terms(usdc, apr_bps=2_000, collateral_token=weth, collateral_amount=collateral)
    return book.requestLoan(loan_terms, attestation, signature, {"from": borrower}).return_value


def fund_fully(book, loan_id, lenders):
    book.fund(loan_id, 600 * USDC, {"from": lenders[0]})
    book.fund(loan_id, 400 * USDC, {"from": lenders[1]})


def test_states_match_the_book_and_the_vault(lens, book, vault, usdc, weth, borrower, lenders, attest, list_loan,
                                             eth_feed, usd_feed, outsider):
    listed = list_loan()
    unsecured = list_loan()
    fund_fully(book, unsecured, lenders)
    secured = list_secured(book, usdc, weth, borrower, attest)
    fund_fully(book, secured, lenders)
    late = list_secured(book, usdc, weth, borrower, attest, collateral=WETH // 2)
    fund_fully(book, late, lenders)
    book.repay(secured, 100 * USDC, {"from": borrower})
    chain.sleep(50 * DAY)
    eth_feed.setAnswer(2_000 * 10**8, {"from": outsider})  # fresh, lower price: health moves
    usd_feed.setAnswer(10**8, {"from": outsider})
    ids = [listed, unsecured, secured, late, 99]

    states = lens.loanStates(ids)

    assert [s["loanId"] for s in states] == ids
    assert [s["status"] for s in states] == [LISTED, ACTIVE, ACTIVE, ACTIVE, NONE]
    for loan_id, state in zip(ids, states):
        assert state["due"] == lens.amountDue(loan_id)
        assert state["late"] == lens.isLate(loan_id)
        assert state["priceUsable"]
    for loan_id, state in zip([secured, late], states[2:4]):
        health, liquidation_price, seconds_to_default = vault.health(loan_id)
        assert (state["healthWad"], state["liquidationPriceWad"], state["secondsUntilDefault"]) == (
            health, liquidation_price, seconds_to_default)
        assert state["due"]["payoff"] == book.collateralState(loan_id)["debt"]
        assert state["collateralToken"] == weth
    assert states[3]["collateralAmount"] == WETH // 2 and states[3]["late"]
    assert not states[2]["late"]  # 100 USDC prepaid is more than the first instalment
    assert states[0]["healthWad"] == states[1]["healthWad"] == MAX_UINT  # no collateral
    assert states[0]["due"]["payoff"] == 0 and states[1]["due"]["payoff"] > 1_000 * USDC


def test_an_unusable_price_pauses_only_secured_loans_and_never_reverts(lens, book, usdc, weth, borrower, lenders,
                                                                      attest, list_loan, eth_feed, outsider):
    unsecured = list_loan()
    fund_fully(book, unsecured, lenders)
    secured = list_secured(book, usdc, weth, borrower, attest)
    fund_fully(book, secured, lenders)
    eth_feed.setRound(99, 0, chain.time(), chain.time(), 99, {"from": outsider})  # a zero answer

    unsecured_state, secured_state = lens.loanStates([unsecured, secured])

    assert unsecured_state["priceUsable"] and unsecured_state["healthWad"] == MAX_UINT
    assert not secured_state["priceUsable"]
    assert secured_state["healthWad"] == secured_state["liquidationPriceWad"] == 0
    assert secured_state["due"]["payoff"] > 0  # the schedule does not need prices


def test_claimables_and_the_flattened_loan(lens, book, active_loan, borrower, lenders):
    book.repay(active_loan, 200 * USDC, {"from": borrower})
    amounts = lens.claimables([active_loan, active_loan + 1], lenders[0])
    assert list(amounts) == [book.claimable(active_loan, lenders[0]), 0]
    record = book.loanRecord(active_loan)
    loan = lens.loan(active_loan)
    funding, loan_terms, schedule, borrower_address, pd_bps, late = record
    assert (loan["token"], loan["funded"]) == tuple(funding)
    assert (loan["principal"], loan["status"], loan["aprBps"], loan["instalments"]) == (
        loan_terms[0], loan_terms[2], loan_terms[5], loan_terms[6])
    assert (loan["outstanding"], loan["interestDue"], loan["startTime"]) == tuple(schedule[:3])
    assert (loan["borrower"], loan["pdBps"], loan["lateInstalments"]) == (borrower_address, pd_bps, late)
    assert loan["borrower"] == borrower
