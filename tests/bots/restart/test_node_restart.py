"""A restart of the chain node under both running bots: the auto-lend bot and the liquidator
keep running through the outage (their loops log the failed steps and back off), and once the
node is back with the same chain they act on it: a new listing is funded once from the matching
commitment, and a loan made unhealthy is liquidated once."""

from __future__ import annotations

import time

from tests.bots.chain import USDC, commit, fundings, index
from tests.bots.processes import bot_command, kill, start, wait_for

OUTAGE_SECONDS = 4


def liquidated(platform, loan_id: int) -> int:
    events = platform.c["CollateralVault"].events.Liquidated.get_logs(from_block=0)
    return sum(1 for e in events if e["args"]["loanId"] == loan_id)


def test_bots_outlive_a_node_restart_and_act_on_the_chain_it_brings_back(platform, bots_app, node):
    book = platform.c["LoanBook"]
    platform.set_eth_price(3_000)
    secured = platform.active_loan()  # 1,000 USDC against 1 WETH, funded by lenders[0]
    cid = commit(platform, platform.lenders[1], 1_000 * USDC)
    index(bots_app, node.deployment, node.url)
    bots = [start(*bot_command(bots_app, node, name)) for name in ("autolend", "liquidator")]
    try:
        time.sleep(3)  # both loops have stepped on the chain as it is
        head, loans = platform.web3.eth.block_number, book.functions.loanCount().call()
        node.stop()
        time.sleep(OUTAGE_SECONDS)  # every read fails now: the bots must keep going
        node.start()
        assert platform.web3.eth.block_number == head and book.functions.loanCount().call() == loans

        listing = platform.list_loan(500 * USDC)
        index(bots_app, node.deployment, node.url)
        wait_for(lambda: any(loan == listing for _, loan, _ in fundings(platform)), bots, seconds=180)

        platform.set_eth_price(350)  # health = 350 / (0.5 * 0.8 * 1,000) < 1
        index(bots_app, node.deployment, node.url)
        wait_for(lambda: liquidated(platform, secured) > 0, bots, seconds=180)
        time.sleep(2)  # a few more blocks' steps: nothing may be sent again
        assert all(bot.poll() is None for bot in bots)
    finally:
        for bot in bots:
            kill(bot)
    assert [f for f in fundings(platform) if f[1] == listing] == [(cid, listing, 500 * USDC)]
    assert book.functions.balanceOf(platform.lenders[1], listing).call() == 500 * USDC
    assert liquidated(platform, secured) == 1
    assert platform.c["CollateralVault"].functions.positions(secured).call()[1] == 0
