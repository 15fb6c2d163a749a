"""Attacks on the platform: every one fails with a named error and moves nothing, or is shown harmless.

Already covered elsewhere, so not repeated here:
- fee-on-transfer tokens on fund and repay: test_malicious_tokens.py (test_fee_on_transfer_funding_reverts,
  test_fee_switched_on_later_blocks_repayment_without_effect);
- re-entry from fund, repay and claim: test_malicious_tokens.py (test_reentry_from_funding_reverts,
  test_reentry_from_repay_and_claim_reverts);
- attestation replay, cross-chain and cross-contract reuse, rotation at the registry: test_score_registry.py;
  someone else's attestation through requestLoan: test_request_loan.py
  (test_someone_elses_attestation_does_not_grade_the_caller);
- stale, future, zero, negative and incomplete feed answers: test_price_oracle.py; liquidation paused by an
  unusable price while repayment works: test_liquidation.py (test_unusable_price_pauses_liquidation_but_not_repayment);
- liquidation landing before a top-up: test_liquidation.py (test_liquidation_before_top_up_is_limited_by_close_factor);
- dust below the minimum ticket, and the completing remainder below it: test_fund.py
  (test_zero_and_dust_amounts_revert, test_remainder_below_minimum_can_complete_the_loan); through a
  commitment: test_autolend.py (test_book_rules_still_apply).

Sections below: 1 re-entrant token on liquidation and collateral moves; 2 re-entrant token against
AutoLend; 3 oracle manipulation (spot pool in one transaction; feed update between two transactions of
one block); 4 stale price; 5 dust griefing; 6 a thousand lenders on one loan; 7 attestation replay;
8 findings (a bug this suite found, fixed; kept as a regression test).
"""

import math
from fractions import Fraction

import pytest
from brownie import chain, web3
from eth_abi import encode
from eth_utils import to_checksum_address

from scripts import policy
from scripts.lifecycle import rule
from tests.contracts import helpers
from tests.contracts.helpers import DAY, USDC, reverts, terms

WETH = 10**18
REE = 10**6  # the re-entrant token has 6 decimals
WAD = 10**18
BPS = 10_000
PRICE = 10**8  # mock feeds: 8 decimals
ZERO = "0x" + "00" * 20
ACTIVE = 2
ACC_SCALE = 10**15  # LoanNotes' per-note accumulator scale
INT256_MAX = 2**255 - 1
ETH_BOUNDS_18 = (WAD, 1_000_000 * WAD)  # scripts/policy.py's ETH / USD bounds, in an 18-decimal feed's units
REE_BOUNDS = (PRICE // 100, 100 * PRICE)  # the re-entrant token's feed accepts $0.01 .. $100


# ====================================================================== shared fixtures and helpers


@pytest.fixture
def ree(reentrant_token):
    """The re-entrant token (conftest), named short: it appears in almost every line below."""
    return reentrant_token


@pytest.fixture
def ree_feed(MockAggregator, gov):
    return MockAggregator.deploy(8, "REE / USD", PRICE, {"from": gov})


@pytest.fixture
def crowd(CrowdFunder, gov):
    return CrowdFunder.deploy({"from": gov})


def equip(token, spender, *holders, amount=100_000 * REE):
    for holder in holders:
        token.mint(holder, amount, {"from": holder})
        token.approve(spender, 2**256 - 1, {"from": holder})


def disarm(token, sender):
    token.arm(ZERO, b"", {"from": sender})


def balances(tokens, holders):
    return [token.balanceOf(holder) for token in tokens for holder in holders]


def loan_state(book, vault, loan_id, holders):
    return (tuple(book.loanRecord(loan_id)), tuple(vault.positions(loan_id)),
            [book.claimable(loan_id, holder) for holder in holders])


def secured_listing(book, attest, borrower, token, collateral_token, collateral, grade=9):
    """Id of a 1,000-unit, 18% APR listing by `borrower` escrowing `collateral` of `collateral_token`
    (grade E by default: collateral worth 150% of the debt required, liquidatable below 120%)."""
    attestation, signature = attest(borrower, grade=grade)
    loan_terms = terms(token, principal=1_000 * USDC, apr_bps=1_800, collateral_token=collateral_token,
                       collateral_amount=collateral)
    return book.requestLoan(loan_terms, attestation, signature, {"from": borrower}).return_value


def mul_div_down(x, y, d):
    return x * y // d


def mul_div_up(x, y, d):
    return -(-x * y // d)


def custom_error(signature, *args):
    """Revert data (0x-hex) of custom error `signature` (e.g. "Healthy(uint256,uint256)") with `args`."""
    types = signature[signature.index("(") + 1:-1].split(",")
    return "0x" + (bytes(web3.keccak(text=signature)[:4]) + encode(types, list(args))).hex()


# ====================================================================== 1. re-entrant token on liquidation


@pytest.fixture
def ree_loan(book, vault, oracle, gov, ree, ree_feed, weth, eth_feed, borrower, lenders, liquidator, attest):
    """A 1,000 REE loan (REE is the loan token) secured by 0.5 WETH, unhealthy at $2,400 per ETH."""
    book.setLoanToken(ree, True, REE, {"from": gov})
    book.setGradePolicy(ree, 9, 2_000 * REE, 5_000, 15_000, {"from": gov})
    oracle.setFeed(ree, ree_feed, DAY, *REE_BOUNDS, {"from": gov})
    equip(ree, book, lenders[0], liquidator)
    loan_id = secured_listing(book, attest, borrower, ree, weth, WETH // 2)
    book.fund(loan_id, 1_000 * REE, {"from": lenders[0]})
    eth_feed.setAnswer(2_400 * PRICE)
    return loan_id


def _loan_token_reentry(name, book, vault, loan_id, lender):
    return {
        "book.repay": (book, book.repay.encode_input(loan_id, REE)),
        "book.claim": (book, book.claim.encode_input(loan_id)),
        "book.safeTransferFrom": (book, book.safeTransferFrom.encode_input(lender, vault, loan_id, 1, b"")),
        "vault.liquidate": (vault, vault.liquidate.encode_input(loan_id, REE)),
        "vault.withdraw": (vault, vault.withdraw.encode_input(loan_id, 1)),
        "vault.topUp": (vault, vault.topUp.encode_input(loan_id, 1)),
    }[name]


@pytest.mark.parametrize("reentry", ["book.repay", "book.claim", "book.safeTransferFrom", "vault.liquidate",
                                     "vault.withdraw", "vault.topUp"])
def test_loan_token_reentering_while_the_book_pulls_the_liquidation_payment_reverts(
        book, vault, ree, weth, ree_loan, liquidator, borrower, lenders, reentry):
    holders = [book, vault, liquidator, borrower, lenders[0]]
    ree.arm(*_loan_token_reentry(reentry, book, vault, ree_loan, lenders[0]), {"from": liquidator})
    before = balances([ree, weth], holders), loan_state(book, vault, ree_loan, [lenders[0]])
    with reverts("ReentrancyGuardReentrantCall"):
        vault.liquidate(ree_loan, 400 * REE, {"from": liquidator})
    assert (balances([ree, weth], holders), loan_state(book, vault, ree_loan, [lenders[0]])) == before
    disarm(ree, liquidator)  # the same liquidation goes through once the token stops re-entering
    assert vault.liquidate(ree_loan, 400 * REE, {"from": liquidator}).events["Liquidated"]["repaid"] == 400 * REE


@pytest.fixture
def ree_collateral_loan(book, vault, oracle, gov, ree, ree_feed, usdc, borrower, lenders, attest):
    """A 1,000 USDC loan secured by 2,000 REE ($1 each; REE allowed as collateral by governance)."""
    vault.setCollateral(ree, True, 8_000, 500, {"from": gov})
    oracle.setFeed(ree, ree_feed, DAY, *REE_BOUNDS, {"from": gov})
    equip(ree, vault, borrower)
    loan_id = secured_listing(book, attest, borrower, usdc, ree, 2_000 * REE)
    book.fund(loan_id, 1_000 * USDC, {"from": lenders[0]})
    return loan_id


COLLATERAL_MOVES = {
    # operation -> (collateral left in the vault once it succeeds)
    "liquidate": 2_000 * REE - 700 * REE,  # $400 + 5% bonus at $0.60 = 700 REE seized
    "withdraw": 1_900 * REE,
    "topUp": 2_100 * REE,
}


def _move_collateral(op, vault, loan_id, borrower, liquidator):
    if op == "liquidate":
        return vault.liquidate(loan_id, 400 * USDC, {"from": liquidator})
    if op == "withdraw":
        return vault.withdraw(loan_id, 100 * REE, {"from": borrower})
    return vault.topUp(loan_id, 100 * REE, {"from": borrower})


@pytest.mark.parametrize("op", list(COLLATERAL_MOVES))
@pytest.mark.parametrize("reentry", ["liquidate", "withdraw", "topUp", "release"])
def test_collateral_token_reentering_the_vault_reverts(
        book, vault, ree, ree_feed, usdc, ree_collateral_loan, borrower, liquidator, lenders, op, reentry):
    loan_id = ree_collateral_loan
    if op == "liquidate":
        ree_feed.setAnswer(60 * PRICE // 100)  # $1,200 < 150% x 80% of ~$1,015 of debt
    args = (loan_id,) if reentry == "release" else (loan_id, 1)
    ree.arm(vault, getattr(vault, reentry).encode_input(*args), {"from": liquidator})
    holders = [book, vault, liquidator, borrower, lenders[0]]
    before = balances([ree, usdc], holders), loan_state(book, vault, loan_id, [lenders[0]])
    with reverts("ReentrancyGuardReentrantCall"):
        _move_collateral(op, vault, loan_id, borrower, liquidator)
    assert (balances([ree, usdc], holders), loan_state(book, vault, loan_id, [lenders[0]])) == before
    disarm(ree, liquidator)
    _move_collateral(op, vault, loan_id, borrower, liquidator)
    assert vault.positions(loan_id)[1] == COLLATERAL_MOVES[op]


@pytest.mark.parametrize("entry", ["applyLiquidation", "writeOff"])
def test_collateral_token_cannot_settle_the_loan_in_the_book_during_a_liquidation(
        book, vault, ree, ree_feed, usdc, ree_collateral_loan, borrower, liquidator, lenders, entry):
    """While the vault sends the seized collateral the book is unlocked, but only the vault may settle."""
    loan_id = ree_collateral_loan
    ree_feed.setAnswer(60 * PRICE // 100)
    args = (loan_id, USDC, liquidator) if entry == "applyLiquidation" else (loan_id,)
    ree.arm(book, getattr(book, entry).encode_input(*args), {"from": liquidator})
    before = balances([ree, usdc], [book, vault, liquidator, borrower]), loan_state(book, vault, loan_id, lenders[:1])
    with reverts("NotCollateralVault", ree):
        vault.liquidate(loan_id, 400 * USDC, {"from": liquidator})
    assert (balances([ree, usdc], [book, vault, liquidator, borrower]),
            loan_state(book, vault, loan_id, lenders[:1])) == before


# ====================================================================== 2. re-entrant token against AutoLend


@pytest.fixture
def ree_commitment(book, autolend, gov, ree, borrower, lenders, attest):
    """(commitment id, loan id): lenders[0]'s 5,000 REE commitment and a matching 1,000 REE listing."""
    book.setLoanToken(ree, True, REE, {"from": gov})
    book.setGradePolicy(ree, 3, 30_000 * REE, 1_800, 0, {"from": gov})
    equip(ree, autolend, lenders[0])
    equip(ree, book, borrower)
    commitment_id = autolend.createCommitment(ree, rule(reinvest=True), 5_000 * REE,
                                              {"from": lenders[0]}).return_value
    attestation, signature = attest(borrower)
    loan_id = book.requestLoan(terms(ree), attestation, signature, {"from": borrower}).return_value
    return commitment_id, loan_id


def _autolend_op(op, autolend, ree, commitment_id, loan_id, lender, outsider):
    if op == "createCommitment":
        return autolend.createCommitment(ree, rule(), 1_000 * REE, {"from": lender})
    if op == "withdraw":
        return autolend.withdraw(commitment_id, 1_000 * REE, {"from": lender})
    if op == "close":
        return autolend.close(commitment_id, {"from": lender})
    return autolend.fundFromCommitment(commitment_id, loan_id, 1_000 * REE, {"from": outsider})


def _autolend_reentry(name, autolend, book, commitment_id, loan_id):
    return {
        "autolend.withdraw": (autolend, autolend.withdraw.encode_input(commitment_id, REE)),
        "autolend.close": (autolend, autolend.close.encode_input(commitment_id)),
        "autolend.fundFromCommitment": (
            autolend, autolend.fundFromCommitment.encode_input(commitment_id, loan_id, REE)),
        "book.fund": (book, book.fund.encode_input(loan_id, REE)),
    }[name]


def autolend_state(autolend, book, ree, commitment_id, loan_id, lender, borrower):
    return (balances([ree], [autolend, book, lender, borrower]), tuple(autolend.commitment(commitment_id)),
            autolend.commitmentCount(), tuple(book.loanRecord(loan_id)), book.balanceOf(lender, loan_id),
            autolend.lentToBorrower(commitment_id, borrower))


AUTOLEND_CASES = [
    (op, reentry)
    for op in ["createCommitment", "withdraw", "close", "fundFromCommitment"]
    for reentry in ["autolend.withdraw", "autolend.close", "autolend.fundFromCommitment"]
] + [("fundFromCommitment", "book.fund")]


@pytest.mark.parametrize("op,reentry", AUTOLEND_CASES)
def test_reentrant_token_against_autolend_reverts_and_moves_nothing(
        autolend, book, ree, ree_commitment, lenders, borrower, outsider, op, reentry):
    commitment_id, loan_id = ree_commitment
    ree.arm(*_autolend_reentry(reentry, autolend, book, commitment_id, loan_id), {"from": outsider})
    before = autolend_state(autolend, book, ree, commitment_id, loan_id, lenders[0], borrower)
    with reverts("ReentrancyGuardReentrantCall"):
        _autolend_op(op, autolend, ree, commitment_id, loan_id, lenders[0], outsider)
    assert autolend_state(autolend, book, ree, commitment_id, loan_id, lenders[0], borrower) == before


def test_reentrant_token_during_reinvest_reverts_and_moves_nothing(
        autolend, book, lens, ree, ree_commitment, lenders, borrower, outsider):
    commitment_id, loan_id = ree_commitment
    autolend.fundFromCommitment(commitment_id, loan_id, 1_000 * REE, {"from": outsider})
    book.repay(loan_id, lens.loan(loan_id)["instalment"], {"from": borrower})
    book.setApprovalForAll(autolend, True, {"from": lenders[0]})
    income = book.claimable(loan_id, lenders[0])
    ree.arm(autolend, autolend.withdraw.encode_input(commitment_id, income), {"from": outsider})
    before = autolend_state(autolend, book, ree, commitment_id, loan_id, lenders[0], borrower)
    with reverts("ReentrancyGuardReentrantCall"):
        autolend.reinvest(commitment_id, [loan_id], {"from": outsider})
    assert autolend_state(autolend, book, ree, commitment_id, loan_id, lenders[0], borrower) == before
    assert book.claimable(loan_id, lenders[0]) == income


# ====================================================================== 3a. spot-price manipulation in one transaction


@pytest.fixture
def pool(SpotPool, weth, usdc, gov):
    """A WETH/USDC constant-product pool at the feed's price: 100 WETH and 300,000 USDC."""
    pool = SpotPool.deploy(weth, usdc, {"from": gov})
    weth.mint(pool, 100 * WETH, {"from": gov})
    usdc.mint(pool, 300_000 * USDC, {"from": gov})
    return pool


@pytest.fixture
def manipulator(SpotManipulator, accounts, weth, usdc, book, vault):
    """An attacker contract (owner accounts[11]) holding 1,000,000 USDC and 1,000 WETH, approved everywhere."""
    owner = accounts[11]
    attacker = SpotManipulator.deploy({"from": owner})
    usdc.mint(attacker, 1_000_000 * USDC, {"from": owner})
    weth.mint(attacker, 1_000 * WETH, {"from": owner})
    attacker.execute(weth, weth.approve.encode_input(vault, 2**256 - 1), {"from": owner})
    attacker.execute(usdc, usdc.approve.encode_input(book, 2**256 - 1), {"from": owner})
    return attacker


def test_spot_pump_in_the_same_transaction_does_not_free_collateral(
        book, vault, usdc, weth, registry, signer, pool, manipulator, lenders):
    """The attacker contract borrows against 0.5 WETH, pumps the pool's WETH price 10x, then withdraws."""
    owner = manipulator.owner()
    attestation, signature = helpers.attestation(registry, signer, manipulator.address, grade=5)
    listing = terms(usdc, principal=1_000 * USDC, apr_bps=1_800, collateral_token=weth, collateral_amount=WETH // 2)
    manipulator.execute(book, book.requestLoan.encode_input(listing, attestation, signature), {"from": owner})
    loan_id = book.loanCount()
    book.fund(loan_id, 1_000 * USDC, {"from": lenders[0]})
    debt = book.collateralState(loan_id)["debt"]
    required = mul_div_up(WAD, debt * 5_000, USDC * BPS)
    before = weth.balanceOf(vault), loan_state(book, vault, loan_id, [lenders[0]]), vault.health(loan_id)[:2]

    manipulator.skewAndCall(pool, usdc, 660_000 * USDC, vault, vault.withdraw.encode_input(loan_id, 4 * WETH // 10),
                            {"from": owner})

    assert manipulator.spotDuring() >= 10 * manipulator.spotBefore()  # 0.1 WETH left would be "worth" $3,000+
    assert not manipulator.lastCallSucceeded()
    # Valued at the feed's $3,000: 0.1 WETH = $300 < 50% of the debt.
    assert manipulator.lastCallResult() == custom_error(
        "InsufficientCollateral(uint256,uint256,uint256)", loan_id, 300 * WAD, required)
    assert (weth.balanceOf(vault), loan_state(book, vault, loan_id, [lenders[0]]), vault.health(loan_id)[:2]) == before


def test_spot_crash_in_the_same_transaction_does_not_make_a_loan_liquidatable(
        book, vault, usdc, weth, borrower, lenders, attest, pool, manipulator):
    """The attacker dumps WETH into the pool (spot / 10), then liquidates a healthy loan at that price."""
    loan_id = secured_listing(book, attest, borrower, usdc, weth, WETH // 2)
    book.fund(loan_id, 1_000 * USDC, {"from": lenders[0]})
    health = vault.health(loan_id)[0]
    max_repay = mul_div_up(book.collateralState(loan_id)["debt"], 5_000, BPS)
    holders = [vault, book, borrower, lenders[0]]
    before = balances([weth, usdc], holders), loan_state(book, vault, loan_id, [lenders[0]])

    manipulator.skewAndCall(pool, weth, 220 * WETH, vault, vault.liquidate.encode_input(loan_id, max_repay),
                            {"from": manipulator.owner()})

    assert 10 * manipulator.spotDuring() <= manipulator.spotBefore()
    assert not manipulator.lastCallSucceeded()
    assert manipulator.lastCallResult() == custom_error("Healthy(uint256,uint256)", loan_id, health)
    assert (balances([weth, usdc], holders), loan_state(book, vault, loan_id, [lenders[0]])) == before
    assert vault.health(loan_id)[0] == health  # the pool is still skewed; the valuation is not


# ====================================================================== 3b. feed update inside one block


def mine_one_block(sends):
    """Send every transaction of `sends` (callables) with mining stopped, then mine them in one block."""
    web3.provider.make_request("miner_stop", [])
    try:
        txs = [send() for send in sends]
        web3.provider.make_request("evm_mine", [])
    finally:
        web3.provider.make_request("miner_start", [])
    for tx in txs:
        tx.wait(1)
    return txs


def _tx(sender, gwei, nonce=None):
    """Transaction options for a pending transaction; a higher gas price is mined first."""
    options = {"from": sender, "required_confs": 0, "gas_limit": 1_000_000, "gas_price": f"{gwei} gwei"}
    if nonce is not None:
        options["nonce"] = nonce
    return options


def vault_health(collateral, price_wad, debt, ratio_bps=15_000):
    """The vault's health for WETH collateral (threshold 80%) against a USDC debt at $1 and the loan's
    required ratio: collateral value / (debt value x ratio x threshold)."""
    collateral_wad = mul_div_down(collateral, price_wad, WETH)
    return mul_div_down(collateral_wad, BPS * BPS * WAD, mul_div_up(debt, WAD, USDC) * ratio_bps * 8_000)


def seized_for(repay, price_wad):
    value_wad = mul_div_down(mul_div_down(repay, WAD, USDC), BPS + 500, BPS)
    return mul_div_down(value_wad, WETH, price_wad)


def test_feed_update_between_a_withdrawal_and_a_liquidation_in_one_block(
        book, vault, usdc, weth, eth_feed, gov, borrower, lenders, liquidator, attest):
    """One block, in this order (gas prices fix it): the borrower withdraws half of 2 WETH, then tries one wei
    past the required ratio; the feed moves $3,000 -> $1,200; a liquidator repays the close factor, then tries
    again. Each transaction is judged by the round current at its own position in the block."""
    loan_id = secured_listing(book, attest, borrower, usdc, weth, 2 * WETH)
    book.fund(loan_id, 1_000 * USDC, {"from": lenders[0]})
    debt = book.collateralState(loan_id)["debt"]  # constant for the first period
    required = mul_div_up(WAD, debt * 15_000, USDC * BPS)
    least_left = -(-required // 3_000)  # fewest wei worth the required value at $3,000
    too_much = WETH - least_left + 1
    max_repay = mul_div_up(debt, 5_000, BPS)
    nonce = borrower.nonce
    weth_before = weth.balanceOf(borrower), weth.balanceOf(liquidator)

    withdraw, withdraw_more, update, liquidate, liquidate_again = mine_one_block([
        lambda: vault.withdraw(loan_id, WETH, _tx(borrower, 9, nonce)),
        lambda: vault.withdraw(loan_id, too_much, _tx(borrower, 9, nonce + 1)),
        lambda: eth_feed.setAnswer(1_200 * PRICE, _tx(gov, 8)),
        lambda: vault.liquidate(loan_id, max_repay, _tx(liquidator, 7, liquidator.nonce)),
        lambda: vault.liquidate(loan_id, USDC, _tx(liquidator, 7, liquidator.nonce + 1)),
    ])

    block = {tx.block_number for tx in (withdraw, withdraw_more, update, liquidate, liquidate_again)}
    assert len(block) == 1
    assert [tx.txindex for tx in (withdraw, withdraw_more, update, liquidate, liquidate_again)] == [0, 1, 2, 3, 4]
    assert [tx.status for tx in (withdraw, withdraw_more, update, liquidate, liquidate_again)] == [1, 0, 1, 1, 0]
    # The withdrawals used the old round ($3,000): half is allowed, one wei past the ratio is not.
    assert withdraw_more.revert_msg == f"InsufficientCollateral: {loan_id}, {(least_left - 1) * 3_000}, {required}"
    # The liquidation used the new round ($1,200), at which the 1 WETH left is unhealthy.
    seized = seized_for(max_repay, 1_200 * WAD)
    event = liquidate.events["Liquidated"]
    assert (event["repaid"], event["seized"]) == (max_repay, seized)
    assert event["healthWad"] == vault_health(WETH, 1_200 * WAD, debt) < WAD
    # Half the debt restored health, so the second liquidation in the same block was refused.
    health_after = vault_health(WETH - seized, 1_200 * WAD, debt - max_repay)
    assert liquidate_again.revert_msg == f"Healthy: {loan_id}, {health_after}"
    assert (weth.balanceOf(borrower), weth.balanceOf(liquidator)) == (
        weth_before[0] + WETH, weth_before[1] + seized)
    assert vault.positions(loan_id)[1] == WETH - seized


# ====================================================================== 4. stale price


@pytest.mark.parametrize("stale", ["collateral feed", "loan-token feed"])
def test_price_from_hours_ago_blocks_liquidation_and_withdrawal_not_repay_or_top_up(
        book, vault, usdc, weth, eth_feed, usd_feed, borrower, lenders, liquidator, attest, stale):
    loan_id = secured_listing(book, attest, borrower, usdc, weth, WETH // 2)
    book.fund(loan_id, 1_000 * USDC, {"from": lenders[0]})
    hours_ago = chain.time() - DAY - 3 * 3600  # the feeds' maximum age is one day
    feed, token = (eth_feed, weth) if stale == "collateral feed" else (usd_feed, usdc)
    answer = 2_000 * PRICE if feed == eth_feed else PRICE  # $2,000 per ETH would make the loan liquidatable
    feed.setRound(9, answer, hours_ago, hours_ago, 9)
    holders = [vault, book, borrower, liquidator]
    before = balances([weth, usdc], holders), loan_state(book, vault, loan_id, [lenders[0]])
    with reverts("StalePrice", token, hours_ago, DAY):
        vault.liquidate(loan_id, 100 * USDC, {"from": liquidator})
    with reverts("StalePrice", token, hours_ago, DAY):
        vault.withdraw(loan_id, 1, {"from": borrower})
    assert (balances([weth, usdc], holders), loan_state(book, vault, loan_id, [lenders[0]])) == before

    assert book.repay(loan_id, 100 * USDC, {"from": borrower}).return_value == 100 * USDC
    vault.topUp(loan_id, WETH // 10, {"from": borrower})
    assert vault.positions(loan_id)[1] == WETH // 2 + WETH // 10
    assert weth.balanceOf(vault) == WETH // 2 + WETH // 10


# ====================================================================== 5. dust griefing


def test_griefer_cannot_fund_part_of_a_remainder_below_the_minimum(
        book, lens, usdc, list_loan, lenders, outsider, crowd):
    loan_id = list_loan()
    book.fund(loan_id, 1_000 * USDC - 10, {"from": lenders[0]})
    usdc.mint(crowd, USDC, {"from": outsider})
    with reverts("BelowMinimumFunding", 5, USDC):
        book.fund(loan_id, 5, {"from": lenders[1]})
    with reverts("BelowMinimumFunding", 9, USDC):  # through a contract funding for someone else
        crowd.fundMany(book, usdc, loan_id, [outsider], [9], {"from": outsider})
    assert lens.loan(loan_id)["funded"] == 1_000 * USDC - 10
    crowd.fundMany(book, usdc, loan_id, [outsider], [10], {"from": outsider})  # exactly the remainder completes it
    assert lens.loan(loan_id)["status"] == ACTIVE
    assert book.balanceOf(outsider, loan_id) == 10


def beneficiaries(count, tag):
    """`count` distinct code-less addresses, deterministic per `tag`."""
    return [to_checksum_address(f"0x{tag:08x}{i:032x}") for i in range(count)]


def test_minimum_fundings_by_griefers_do_not_change_repay_or_claim_gas(
        book, lens, usdc, list_loan, lenders, borrower, outsider, crowd):
    plain, griefed = list_loan(), list_loan()
    for lender, amount in zip(lenders, [400, 300, 200, 100]):
        book.fund(plain, amount * USDC, {"from": lender})
    for lender, amount in zip(lenders, [400, 300, 200]):
        book.fund(griefed, amount * USDC, {"from": lender})
    usdc.mint(crowd, 100 * USDC, {"from": outsider})
    crowd.fundMany(book, usdc, griefed, beneficiaries(100, 0x6e1ef), [USDC] * 100, {"from": outsider})
    assert lens.loan(griefed)["status"] == lens.loan(plain)["status"] == ACTIVE

    instalment = lens.loan(plain)["instalment"]
    assert lens.loan(griefed)["instalment"] == instalment
    for loan_id in (plain, griefed):
        book.repay(loan_id, instalment, {"from": borrower})
    repay_gas = [book.repay(loan_id, instalment, {"from": borrower}).gas_used for loan_id in (plain, griefed)]
    claims = [book.claim(loan_id, {"from": lenders[0]}) for loan_id in (plain, griefed)]
    assert claims[0].return_value == claims[1].return_value > 0  # same 40% share of the same payments
    assert abs(repay_gas[0] - repay_gas[1]) <= 100
    assert abs(claims[0].gas_used - claims[1].gas_used) <= 100


@pytest.fixture
def bot_commitment(autolend, usdc, lenders):
    usdc.approve(autolend, 2**256 - 1, {"from": lenders[0]})
    return autolend.createCommitment(usdc, rule(), 5_000 * USDC, {"from": lenders[0]}).return_value


def commitment_state(autolend, book, usdc, commitment_id, loan_id, lender, borrower):
    return (tuple(autolend.commitment(commitment_id)), usdc.balanceOf(autolend), book.balanceOf(lender, loan_id),
            autolend.lentToBorrower(commitment_id, borrower))


def test_griefer_front_running_a_commitment_funding_cannot_block_it(
        autolend, book, lens, usdc, list_loan, bot_commitment, lenders, borrower, outsider):
    loan_id = list_loan()
    usdc.mint(outsider, USDC, {"from": outsider})
    usdc.approve(book, 2**256 - 1, {"from": outsider})
    book.fund(loan_id, USDC, {"from": outsider})  # the cheapest front-run: one minimum ticket
    before = commitment_state(autolend, book, usdc, bot_commitment, loan_id, lenders[0], borrower)
    with reverts("FundingExceedsRemaining", loan_id, 1_000 * USDC, 999 * USDC):
        autolend.fundFromCommitment(bot_commitment, loan_id, 1_000 * USDC, {"from": lenders[1]})
    assert commitment_state(autolend, book, usdc, bot_commitment, loan_id, lenders[0], borrower) == before
    autolend.fundFromCommitment(bot_commitment, loan_id, 999 * USDC, {"from": lenders[1]})  # the bot's retry
    assert lens.loan(loan_id)["status"] == ACTIVE
    assert book.balanceOf(lenders[0], loan_id) == 999 * USDC
    assert autolend.commitment(bot_commitment)["available"] == 4_001 * USDC


def test_griefer_filling_the_loan_first_leaves_the_commitment_untouched(
        autolend, book, usdc, list_loan, bot_commitment, lenders, borrower):
    loan_id = list_loan()
    book.fund(loan_id, 1_000 * USDC, {"from": lenders[2]})
    before = commitment_state(autolend, book, usdc, bot_commitment, loan_id, lenders[0], borrower)
    with reverts("LoanNotListed", loan_id, ACTIVE):
        autolend.fundFromCommitment(bot_commitment, loan_id, 500 * USDC, {"from": lenders[1]})
    assert commitment_state(autolend, book, usdc, bot_commitment, loan_id, lenders[0], borrower) == before


# ====================================================================== 6. a thousand lenders on one loan

LENDER_COUNT = 1_000
CROWD_AMOUNTS = [USDC + (i * 7_654_321) % (12 * USDC) for i in range(LENDER_COUNT)]  # 1 to 13 USDC, all distinct
SAMPLE_POSITIONS = [0, 249, 500, 750, 999]  # where real accounts sit among the lenders, to claim


@pytest.fixture
def crowd_loans(book, usdc, list_loan, lenders, borrower, crowd, accounts):
    """(crowd loan, four-lender loan, holders): the same principal funded by 1,000 lenders and by 4."""
    holders = beneficiaries(LENDER_COUNT, 0xc40d)
    for position, account in zip(SAMPLE_POSITIONS, accounts[12:17]):
        holders[position] = account.address
    principal = sum(CROWD_AMOUNTS)
    crowd_loan, four_loan = list_loan(principal=principal), list_loan(principal=principal)
    usdc.mint(crowd, principal, {"from": borrower})
    for start in range(0, LENDER_COUNT, 250):
        crowd.fundMany(book, usdc, crowd_loan, holders[start:start + 250], CROWD_AMOUNTS[start:start + 250],
                       {"from": borrower})
    quarter = principal // 4
    for lender, amount in zip(lenders, [quarter, quarter, quarter, principal - 3 * quarter]):
        book.fund(four_loan, amount, {"from": lender})
    return crowd_loan, four_loan, holders


def test_thousand_lenders_repay_gas_and_exact_pro_rata_claims(book, lens, usdc, borrower, crowd, crowd_loans, accounts):
    crowd_loan, four_loan, holders = crowd_loans
    assert list(book.balanceOfBatch(holders, [crowd_loan] * LENDER_COUNT)) == CROWD_AMOUNTS
    instalment = lens.loan(crowd_loan)["instalment"]
    payments = []
    for loan_id in (crowd_loan, four_loan):
        payments.append(book.repay(loan_id, instalment, {"from": borrower}))
    second = [book.repay(loan_id, instalment, {"from": borrower}) for loan_id in (crowd_loan, four_loan)]
    assert abs(second[0].gas_used - second[1].gas_used) <= 300  # nothing loops over lenders
    odd = book.repay(crowd_loan, 123_456_789, {"from": borrower})  # a partial payment with odd rounding
    distributed = sum(_to_holders(tx) for tx in (payments[0], second[0], odd))

    principal = sum(CROWD_AMOUNTS)
    claimable = list(crowd.claimables(book, crowd_loan, holders))
    # The accumulator, exactly: the income per note of all payments is floor(distributed * 1e15 / supply),
    # whatever the number of payments (each one carries its remainder to the next).
    per_note = distributed * ACC_SCALE // principal
    assert claimable == [notes * per_note // ACC_SCALE for notes in CROWD_AMOUNTS]
    # That is each holder's exact pro-rata share, rounded down. (The two can differ by one unit only for a
    # share within notes / 1e15 units above a whole number; no holder's is here.)
    assert claimable == [math.floor(Fraction(notes * distributed, principal)) for notes in CROWD_AMOUNTS]
    leftover = distributed - sum(claimable)
    # Never more than was distributed; what stays in the book is under one base unit per holder plus the
    # accumulator's remainder (under one unit), so at most LENDER_COUNT units.
    assert 0 <= leftover <= LENDER_COUNT

    for position, account in zip(SAMPLE_POSITIONS, accounts[12:17]):
        before = usdc.balanceOf(account)
        assert book.claim(crowd_loan, {"from": account}).return_value == claimable[position]
        assert usdc.balanceOf(account) == before + claimable[position]
        assert book.claimable(crowd_loan, account) == 0


def _to_holders(repayment_tx):
    event = repayment_tx.events["Repayment"]
    return event["lateFees"] + event["interest"] + event["principal"] - event["platformFee"]


# ====================================================================== 7. attestation replay through requestLoan


def test_attestation_of_a_rotated_out_signer_cannot_list(
        book, lens, registry, usdc, gov, borrower, signer, attest, accounts):
    attestation, signature = attest(borrower, grade=1)  # signed by the old key, never submitted
    new_signer = accounts.add("0x" + "6d" * 32)
    registry.setSigner(new_signer.address, {"from": gov})
    with reverts("InvalidSignature", signer.address):
        book.requestLoan(terms(usdc), attestation, signature, {"from": borrower})
    assert book.loanCount() == 0 and registry.nonces(borrower) == 0
    fresh, fresh_signature = helpers.attestation(registry, new_signer, borrower, grade=4)
    loan_id = book.requestLoan(terms(usdc), fresh, fresh_signature, {"from": borrower}).return_value
    assert lens.loan(loan_id)["grade"] == 4


def test_front_run_submission_of_an_attestation_does_not_block_the_listing(
        book, lens, registry, usdc, borrower, outsider, attest):
    attestation, signature = attest(borrower, grade=2)
    registry.submit(attestation, signature, {"from": outsider})  # copied from the borrower's pending listing
    loan_id = book.requestLoan(terms(usdc), attestation, signature, {"from": borrower}).return_value
    loan = lens.loan(loan_id)
    assert (loan["borrower"], loan["grade"]) == (borrower, 2)
    assert registry.nonces(borrower) == 1


# ====================================================================== 8. findings


@pytest.mark.parametrize("grade,collateral", [(5, WETH // 6 + 1), (3, WETH // 10)],
                         ids=["grade C+ at its 50% minimum", "grade B+ with voluntary collateral"])
def test_current_loan_with_its_required_collateral_cannot_be_liquidated(
        book, lens, vault, registry, usdc, weth, borrower, lenders, liquidator, attest, grade, collateral):
    """Found by this suite: health used to compare collateral x 80% with the whole debt, so a loan the
    policy let start half-secured was liquidatable on its first day and the rest written off."""
    loan_id = secured_listing(book, attest, borrower, usdc, weth, collateral, grade=grade)
    book.fund(loan_id, 1_000 * USDC, {"from": lenders[0]})  # starts now: nothing is due, nothing is late
    max_repay = mul_div_up(book.collateralState(loan_id)["debt"], 5_000, BPS)
    with reverts("Healthy"):
        vault.liquidate(loan_id, max_repay, {"from": liquidator})
    assert lens.loan(loan_id)["status"] == ACTIVE
    assert weth.balanceOf(vault) == collateral
    assert registry.historyOf(borrower)[2] == 0


def test_absurd_feed_answer_cannot_free_collateral(
        book, vault, oracle, usdc, weth, gov, borrower, lenders, liquidator, attest, MockAggregator):
    """Found in review: an 18-decimal feed answering type(int256).max was a usable price (an 8-decimal
    one overflowed by luck), so the borrower could withdraw all but one wei of the collateral. An
    answer outside the feed's bounds is now unusable, like a stale one: withdrawals and liquidations
    pause, repayment does not."""
    feed = MockAggregator.deploy(18, "ETH / USD", 3_000 * WAD, {"from": gov})
    policy.set_feed(oracle, weth, feed, DAY, gov)
    loan_id = secured_listing(book, attest, borrower, usdc, weth, WETH // 2)
    book.fund(loan_id, 1_000 * USDC, {"from": lenders[0]})
    feed.setAnswer(INT256_MAX)
    holders = [vault, book, borrower, liquidator]
    before = balances([weth, usdc], holders), loan_state(book, vault, loan_id, [lenders[0]])
    with reverts("PriceOutOfBounds", weth, INT256_MAX, *ETH_BOUNDS_18):
        vault.withdraw(loan_id, WETH // 2 - 1, {"from": borrower})
    with reverts("PriceOutOfBounds", weth, INT256_MAX, *ETH_BOUNDS_18):
        vault.liquidate(loan_id, 100 * USDC, {"from": liquidator})
    assert (balances([weth, usdc], holders), loan_state(book, vault, loan_id, [lenders[0]])) == before
    assert tuple(oracle.tryPriceWad(weth)) == (False, 0)
    assert book.repay(loan_id, 100 * USDC, {"from": borrower}).return_value == 100 * USDC
