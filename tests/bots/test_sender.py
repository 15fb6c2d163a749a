"""The transaction sender on a real Ganache: an action is sent once whatever happens around it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.db import database
from backend.db.models import BotAction
from backend.db.types import utcnow
from backend.tx import make_sender, make_web3
from tests.bots.chain import GAS_PRICE, USDC
from tests.bots.proxy import FlakyProxy


@pytest.fixture
def sender(bots_app):
    return make_sender(bots_app, "liquidator")


def minted(platform, who) -> int:
    return platform.c["MockUSDC"].functions.balanceOf(who).call()


def mint(platform, who, amount=1):
    return platform.c["MockUSDC"].functions.mint(who, amount)


def rows(app, key):
    with database(app).session() as db:
        return db.scalars(select(BotAction).where(BotAction.action_key == key)).all()


def test_an_action_key_is_sent_once(bots_app, platform, sender):
    target = platform.lenders[2]
    before = minted(platform, target)
    first = sender.send("test:once", mint(platform, target), reason="mint one")
    assert first.status == "confirmed" and first.gas_used > 0
    again = make_sender(bots_app, "liquidator").send("test:once", mint(platform, target))
    assert again.status == "duplicate" and again.tx_hash == first.tx_hash
    assert minted(platform, target) == before + 1
    [row] = rows(bots_app, "test:once")
    assert (row.status, row.tx_hash, row.reason) == ("confirmed", first.tx_hash, "mint one")
    assert row.sender == platform.liquidator and row.raw_tx.startswith("0x02")  # EIP-1559


def test_two_replicas_racing_on_one_key_send_once(bots_app, platform):
    target = platform.lenders[2]
    before = minted(platform, target)
    replicas = [make_sender(bots_app, "liquidator") for _ in range(4)]
    barrier = threading.Barrier(len(replicas))
    results = []

    def run(replica):
        barrier.wait()
        results.append(replica.send("test:race", mint(platform, target, 7)))

    threads = [threading.Thread(target=run, args=(r,)) for r in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(r.status for r in results) == ["confirmed", "duplicate", "duplicate", "duplicate"]
    assert minted(platform, target) == before + 7


def test_a_simulated_revert_is_skipped_with_the_custom_error(bots_app, platform, sender):
    nonce = platform.web3.eth.get_transaction_count(platform.liquidator)
    result = sender.send("test:revert", platform.c["LoanBook"].functions.expire(999_999), reason="expire")
    assert result.status == "skipped" and result.tx_hash is None
    assert result.reason == "UnknownLoan(loanId=999999)"
    assert platform.web3.eth.get_transaction_count(platform.liquidator) == nonce  # nothing sent
    [row] = rows(bots_app, "test:revert")
    assert row.status == "skipped" and row.reason == f"expire: {result.reason}"


def test_gas_above_the_limit_and_a_failed_check_are_skipped(bots_app, platform, sender):
    sender.max_gas = 30_000
    assert sender.send("test:gas", mint(platform, platform.lenders[2])).reason.startswith("gas estimate")
    sender.max_gas = 3_000_000
    refused = sender.send("test:check", mint(platform, platform.lenders[2]), check=lambda result, gas, fee: "no profit")
    assert (refused.status, refused.reason) == ("skipped", "no profit")


def test_the_nonce_is_resynced_when_another_process_used_it(bots_app, platform, sender):
    target = platform.lenders[2]
    before = minted(platform, target)
    assert sender.send("test:nonce-1", mint(platform, target)).status == "confirmed"
    platform.send(mint(platform, target), platform.liquidator)  # the same key, outside this sender
    second = sender.send("test:nonce-2", mint(platform, target))
    assert second.status == "confirmed"
    assert minted(platform, target) == before + 3
    [row] = rows(bots_app, "test:nonce-2")
    assert row.tx_hash == second.tx_hash and row.nonce == platform.web3.eth.get_transaction_count(platform.liquidator) - 1


def test_a_stale_claim_of_a_dead_process_is_taken_over_a_live_one_is_not(bots_app, platform, sender):
    with database(bots_app).session() as db:
        db.add(BotAction(action_key="test:stale", bot="liquidator", status="pending", claimed_by="dead",
                         claimed_at=utcnow() - timedelta(seconds=60)))
        db.add(BotAction(action_key="test:live", bot="liquidator", status="pending", claimed_by="alive",
                         claimed_at=utcnow()))
        db.commit()
    assert sender.send("test:live", mint(platform, platform.lenders[2])).status == "duplicate"
    assert sender.send("test:stale", mint(platform, platform.lenders[2])).status == "confirmed"


def test_a_transaction_signed_before_a_crash_is_broadcast_once_never_signed_again(bots_app, platform, sender):
    """A process recorded its signed transaction and died before broadcasting it: the next process
    finds the row 'sent', the node does not know the transaction, so it broadcasts the same bytes;
    the action happens exactly once."""
    target = platform.lenders[2]
    before = minted(platform, target)
    web3, account = platform.web3, sender.account
    tx = mint(platform, target, 5).build_transaction({
        "from": account.address, "nonce": web3.eth.get_transaction_count(account.address, "pending"),
        "gas": 100_000, "maxFeePerGas": 10 * 10**9, "maxPriorityFeePerGas": 10**9, "chainId": 1337})
    signed = account.sign_transaction(tx)
    long_ago = utcnow() - timedelta(seconds=60)  # the dead process's last write
    with database(bots_app).session() as db:
        db.add(BotAction(action_key="test:crashed", bot="liquidator", status="sent", claimed_by="dead",
                         tx_hash=signed.hash.to_0x_hex(), raw_tx=signed.raw_transaction.to_0x_hex(),
                         nonce=tx["nonce"], sender=account.address, claimed_at=long_ago, updated_at=long_ago))
        db.commit()
    fresh = make_sender(bots_app, "liquidator")
    assert fresh.send("test:crashed", mint(platform, target, 5)).status == "duplicate"
    assert [r.status for r in fresh.resolve_pending()] == ["confirmed"]  # its receipt settles the row
    assert fresh.resolve_pending() == []
    assert fresh.send("test:crashed", mint(platform, target, 5)).status == "duplicate"
    assert minted(platform, target) == before + 5
    [row] = rows(bots_app, "test:crashed")
    assert row.status == "confirmed" and row.tx_hash == signed.hash.to_0x_hex()


def test_rpc_errors_and_timeouts_are_retried(bots_app, platform, node):
    target = platform.lenders[2]
    before = minted(platform, target)
    with FlakyProxy(node.url) as proxy:
        web3 = make_web3(proxy.url, timeout=1, retries=0)  # only the sender's own retries
        sender = make_sender(bots_app, "liquidator", web3=web3)
        sender.backoff_seconds = 0.05
        proxy.fail(2)
        assert sender.send("test:flaky-1", web3.eth.contract(address=platform.c["MockUSDC"].address,
                                                            abi=platform.c["MockUSDC"].abi).functions.mint(target, 1)
                           ).status == "confirmed"
        proxy.stall(2, 1.5)
        assert sender.send("test:flaky-2", web3.eth.contract(address=platform.c["MockUSDC"].address,
                                                            abi=platform.c["MockUSDC"].abi).functions.mint(target, 1)
                           ).status == "confirmed"
        proxy.fail(50)  # the node is gone for good: nothing signed, the claim released for a later try
        down = sender.send("test:flaky-3", mint(platform, target))
        assert down.status == "failed" and "not sent" in down.reason and rows(bots_app, "test:flaky-3") == []
        assert proxy.failed >= 8
    assert minted(platform, target) == before + 2



def test_a_call_that_outgrows_its_functions_estimate_is_estimated_again(bots_app, platform, sender):
    target = platform.web3.eth.account.create().address  # a first balance: a new storage slot (20,000 gas)
    fn = mint(platform, target, 2)
    sender._estimates[(fn.address, fn.fn_name)] = 21_000  # as if earlier calls had been far cheaper
    result = sender.send("test:regrown", fn)
    assert result.status == "confirmed" and minted(platform, target) == 2
    assert sender._estimates[(fn.address, fn.fn_name)] > 40_000


def test_the_headroom_over_ganaches_estimate_lands_a_repayment_the_bare_estimate_does_not(bots_app, platform, sender,
                                                                                          isolated_chain):
    """Why every sender adds headroom to the node's estimate (`_limit` here, gasLimit() in the web
    UI): Ganache estimates on the latest block's timestamp, and a repayment mined later than its
    loan's start block takes LoanMath's elapsed-time path, 42 gas dearer than the estimate saw."""
    from web3.exceptions import Web3RPCError

    book, payer = platform.c["LoanBook"], platform.liquidator  # the sender's account; anyone may repay
    platform.equip(payer)
    bare = platform.active_loan()
    platform.rpc("evm_increaseTime", 60)  # the next block is a minute on; the latest is still the start's
    repay = book.functions.repay(bare, 10 * USDC)
    estimate = repay.estimate_gas({"from": payer})
    with pytest.raises(Web3RPCError, match="out of gas"):
        repay.transact({"from": payer, "gas": estimate, "gasPrice": GAS_PRICE})

    headroom = platform.active_loan()
    platform.rpc("evm_increaseTime", 60)
    result = sender.send("test:first-repayment", book.functions.repay(headroom, 10 * USDC))
    assert result.status == "confirmed"
    payoff = 3  # ILoanBook.AmountDue.payoff; both loans have the same terms, only one was repaid
    lens = platform.c["LoanLens"].functions
    assert lens.amountDue(headroom).call()[payoff] == lens.amountDue(bare).call()[payoff] - 10 * USDC
