"""The liquidator on a real Ganache: health sweep → liquidation, paused prices, the profit check,
defaults and listing chores, alerts; then a price crash across 100 loans, two replicas at once,
an RPC that fails, and kill -9 of the bot process mid-sweep followed by a restart."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from backend.bots.liquidator import context_from_app, step
from backend.db import database
from backend.db.models import BotAction, Notification
from tests.bots.chain import DAY, USDC, WETH, index
from tests.bots.processes import bot_command, kill, run_once, start, wait_for
from tests.bots.proxy import FlakyProxy


@pytest.fixture(autouse=True)
def _isolated(isolated_chain):
    yield


@pytest.fixture
def run_step(bots_app, node):
    """Index, then one liquidator step with a fresh context (as a fresh process would)."""
    def run(**overrides):
        index(bots_app, node.deployment, node.url)
        ctx = context_from_app(bots_app)
        for name, value in overrides.items():
            setattr(ctx, name, value)
        return step(ctx)
    return run


def liquidations(platform, loan_id=None) -> list[dict]:
    events = platform.c["CollateralVault"].events.Liquidated.get_logs(from_block=0)
    return [e["args"] for e in events if loan_id is None or e["args"]["loanId"] == loan_id]


def notes(app, **where) -> list[Notification]:
    with database(app).session() as db:
        query = select(Notification)
        for column, value in where.items():
            query = query.where(getattr(Notification, column) == value)
        return db.scalars(query).all()


def collateral_of(platform, loan_id) -> int:
    return platform.c["CollateralVault"].functions.positions(loan_id).call()[1]


def status_of(platform, loan_id) -> int:
    return platform.c["LoanLens"].functions.loan(loan_id).call()[4]


def test_a_loan_made_unhealthy_by_a_price_drop_is_liquidated(platform, bots_app, run_step):
    platform.set_eth_price(3_000)
    loan = platform.active_loan()
    assert [a for a in run_step().actions if a["loan_id"] == loan] == []
    platform.set_eth_price(350)  # 1 WETH for ~1,000 USDC: health = 350 / (0.5 * 0.8 * debt) < 1
    weth_before = platform.c["MockWETH"].functions.balanceOf(platform.liquidator).call()
    report = run_step()
    [action] = [a for a in report.actions if a["loan_id"] == loan]
    assert action["kind"] == "liquidate" and action["status"] == "confirmed", action
    [event] = liquidations(platform, loan)
    assert event["liquidator"] == platform.liquidator
    seized = platform.c["MockWETH"].functions.balanceOf(platform.liquidator).call() - weth_before
    assert seized == event["seized"] == WETH  # $350 < half the debt x 1.05: all of it, for what it covers
    assert event["repaid"] == -(-350 * USDC * 10_000 // 10_500)  # the collateral's worth less the 5% bonus
    assert collateral_of(platform, loan) == 0
    assert {n.kind for n in notes(bots_app, loan_id=loan)} == {"collateral_10"}
    run_step()  # the liquidation is indexed now: borrower and lender are told
    assert {(n.kind, n.wallet) for n in notes(bots_app, loan_id=loan, kind="liquidated")} == {
        ("liquidated", platform.borrower), ("liquidated", platform.lenders[0])}
    assert run_step().alerts == 0 and len(notes(bots_app, loan_id=loan)) == 3  # stored once


def test_an_unusable_price_pauses_liquidations_until_it_is_fresh(platform, bots_app, run_step):
    platform.set_eth_price(3_000)
    loan = platform.active_loan()
    platform.set_eth_price(350)
    platform.travel(3 * DAY)  # the feeds' rounds are now older than their 2-day max age
    report = run_step()
    assert report.paused == {platform.c["MockWETH"].address: 1} and liquidations(platform, loan) == []
    assert collateral_of(platform, loan) == WETH
    platform.set_eth_price(350)  # fresh again
    report = run_step()
    assert report.paused == {} and len(liquidations(platform, loan)) == 1


def test_a_liquidation_that_would_lose_money_is_skipped(platform, bots_app, run_step):
    platform.set_eth_price(3_000)
    loan = platform.active_loan()
    platform.set_eth_price(350)
    report = run_step(min_profit_bps=1_000)  # asks 10% profit; the bonus is 5%
    [action] = [a for a in report.actions if a["loan_id"] == loan]
    assert action["status"] == "skipped" and action["reason"].startswith("unprofitable")
    assert liquidations(platform, loan) == [] and collateral_of(platform, loan) == WETH
    run_step()  # without the extra margin it goes through at the next step
    assert len(liquidations(platform, loan)) == 1


def test_defaults_starts_expiries_and_releases(platform, bots_app, run_step):
    book = platform.c["LoanBook"]
    platform.set_eth_price(3_000)
    overdue = platform.active_loan(principal=500 * USDC)
    repaid = platform.active_loan(principal=500 * USDC)
    platform.send(book.functions.repay(repaid, 10**12), platform.borrower)  # pays it off; collateral stays
    startable = platform.list_loan(principal=1_000 * USDC, deadline_days=1)
    platform.send(book.functions.fund(startable, 700 * USDC), platform.lenders[1])
    expiring = platform.list_loan(principal=1_000 * USDC, deadline_days=1)
    platform.send(book.functions.fund(expiring, 600 * USDC), platform.lenders[1])
    platform.travel(2 * DAY)
    platform.set_eth_price(3_000)
    report = run_step()
    done = {(a["kind"], a["loan_id"]): a["status"] for a in report.actions}
    assert done[("start", startable)] == "confirmed" and status_of(platform, startable) == 2  # Active
    assert done[("expire", expiring)] == "confirmed" and status_of(platform, expiring) == 6  # Expired
    assert collateral_of(platform, expiring) == 0  # expire returned it
    assert done[("release", repaid)] == "confirmed" and collateral_of(platform, repaid) == 0
    assert ("mark_default", overdue) not in done
    platform.travel(200 * DAY)
    platform.set_eth_price(3_000)
    report = run_step()
    assert ("mark_default", overdue) in {(a["kind"], a["loan_id"]) for a in report.actions}
    assert status_of(platform, overdue) == 4  # Defaulted
    report = run_step()  # defaulted: its collateral is liquidated for the debt
    assert len(liquidations(platform, overdue)) == 1
    assert {"defaulted", "late"} <= {n.kind for n in notes(bots_app, loan_id=overdue)}


@pytest.fixture
def crashed_loans(request, platform, bots_app, node):
    """Active secured loans (100 USDC against 1 WETH each; 40, or the test's `count` mark), then
    ETH at $30: all unhealthy."""
    marker = request.node.get_closest_marker("count")
    platform.set_eth_price(3_000)
    loans = platform.bulk_loans(marker.args[0] if marker else 40)
    index(bots_app, node.deployment, node.url)
    platform.set_eth_price(30)
    return loans


def assert_liquidated_once(platform, app, loans):
    events = liquidations(platform)
    per_loan = {loan: sum(1 for e in events if e["loanId"] == loan) for loan in loans}
    assert set(per_loan.values()) == {1}, {k: v for k, v in per_loan.items() if v != 1}
    assert all(collateral_of(platform, loan) == 0 for loan in loans)
    with database(app).session() as db:
        failed = db.scalar(select(func.count()).select_from(BotAction).where(
            BotAction.bot == "liquidator", BotAction.status == "failed"))
    assert failed == 0  # no transaction reverted on chain (nothing sent twice)


@pytest.mark.count(100)
def test_a_price_crash_liquidates_100_loans_in_one_sweep(platform, bots_app, run_step, crashed_loans):
    started = time.monotonic()
    report = run_step()
    assert report.count("liquidate") == 100, report.summary()
    assert_liquidated_once(platform, bots_app, crashed_loans)
    print(f"\n100 liquidations in one step: {time.monotonic() - started:.1f} s ({report.summary()})")


def test_two_replicas_together_liquidate_each_loan_once(platform, bots_app, node, crashed_loans):
    """Both replicas step at the same time, twice (as their loops would on the next block: a loan
    one of them found in flight in the other is picked up then)."""
    index(bots_app, node.deployment, node.url)
    replicas = [context_from_app(bots_app) for _ in range(2)]
    reports = []
    for _ in range(2):
        threads = [threading.Thread(target=lambda c=ctx: reports.append(step(c))) for ctx in replicas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
    assert sum(r.count("liquidate") for r in reports) == len(crashed_loans)
    assert all(r.count("liquidate") for r in reports[:2])  # both took part
    assert_liquidated_once(platform, bots_app, crashed_loans)


def test_an_rpc_that_fails_is_survived(platform, bots_app, node, crashed_loans):
    index(bots_app, node.deployment, node.url)
    with FlakyProxy(node.url) as proxy:
        from backend.tx import make_web3

        ctx = context_from_app(bots_app, web3=make_web3(proxy.url, timeout=30))
        ctx.sender.backoff_seconds = 0.05
        proxy.fail(4)  # the node does not answer at all: the step fails (after retries), the loop runs it again
        with pytest.raises(Exception):
            step(ctx)
        proxy.fail(0)
        proxy.every(fail_every=5)  # then every 5th request fails (timeouts: test_sender.py)
        reports = []
        for _ in range(5):
            try:
                reports.append(step(ctx))
            except Exception:  # noqa: BLE001 - a read failed after all its retries: the loop runs the step again
                continue
            if all(collateral_of(platform, loan) == 0 for loan in crashed_loans):
                break
        assert proxy.failed > 5
    assert_liquidated_once(platform, bots_app, crashed_loans)


def test_kill_9_mid_sweep_then_restart_liquidates_every_loan_once(platform, bots_app, node, crashed_loans):
    index(bots_app, node.deployment, node.url)
    command, env = bot_command(bots_app, node, "liquidator")
    bot = start(command, env)
    try:
        wait_for(lambda: len([e for e in liquidations(platform) if e["loanId"] in crashed_loans]) >= 10, [bot])
    finally:
        kill(bot)
    done = len([e for e in liquidations(platform) if e["loanId"] in crashed_loans])
    assert 10 <= done < len(crashed_loans)  # killed mid-sweep
    time.sleep(2.5)  # a claim it held but never signed is stale now
    run_once(command, env)
    if not all(collateral_of(platform, loan) == 0 for loan in crashed_loans):  # a key of the dead process's block
        run_once(command, env)
    assert_liquidated_once(platform, bots_app, crashed_loans)
