"""The auto-lend bot on a real Ganache (port 8625) with the platform deployed by scripts/deploy.py:
a matching listing funded in the next step from the right commitments with fair shares (note
balances, commitments' `available`), rules and filters that exclude, a loan that changes state
between match and send, a commitment withdrawn mid-sweep, reinvesting, kill -9 of the bot process
mid-sweep then a restart, two replicas at once, and an RPC that fails and stalls — never funding
a pair twice."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from backend.bots.autolend import context_from_app, step
from backend.db import database
from backend.db.models import AutoLendFilter, BotAction, Notification
from tests.bots.chain import USDC, commit, fundings, index
from tests.bots.processes import bot_command, kill, run_once, start, wait_for
from tests.bots.proxy import FlakyProxy

AVAILABLE = 11  # IAutoLend.Commitment field positions
BUDGET = 12


@pytest.fixture(autouse=True)
def _isolated(isolated_chain):
    yield


@pytest.fixture(scope="module")
def more_lenders(platform):
    """Two more funded lenders (accounts #6 and #11) beside the platform's three."""
    extra = [platform.web3.eth.accounts[6], platform.web3.eth.accounts[11]]
    for who in extra:
        platform.equip(who)
    return extra


@pytest.fixture
def run_step(bots_app, node):
    """Index, then one bot step with a fresh context (as a fresh process would)."""
    def run(wrap_send=None):
        index(bots_app, node.deployment, node.url)
        ctx = context_from_app(bots_app)
        if wrap_send:
            ctx.sender.send = wrap_send(ctx.sender.send)
        return step(ctx)
    return run


def notes(platform, who: str, loan_id: int) -> int:
    return platform.c["LoanBook"].functions.balanceOf(who, loan_id).call()


def commitment(platform, commitment_id: int):
    return platform.c["AutoLend"].functions.commitment(commitment_id).call()


def actions(app) -> list[BotAction]:
    with database(app).session() as db:
        return db.scalars(select(BotAction).where(BotAction.bot == "autolend").order_by(BotAction.id)).all()


def test_a_matching_listing_is_funded_in_fair_shares_from_the_right_commitments(platform, bots_app, run_step,
                                                                               more_lenders):
    big_a, big_b, small = platform.lenders
    strict, filtered = more_lenders
    ids = [commit(platform, big_a, 1_000 * USDC), commit(platform, big_b, 1_000 * USDC),
           commit(platform, small, 100 * USDC),  # can lend only its 100
           commit(platform, strict, 1_000 * USDC, worst_grade=3),  # on chain: grade B+ or better only
           commit(platform, filtered, 1_000 * USDC)]  # off chain: blocklists the borrower
    with database(bots_app).session() as db:
        db.add(AutoLendFilter(chain_id=1337, commitment_id=ids[4], lender=filtered,
                              blocked_borrowers=[platform.borrower]))
        db.commit()
    loan = platform.list_loan(1_000 * USDC)  # grade C+

    report = run_step()
    # equal thirds, the small one capped at 100, its unused share split between the other two
    assert sorted(fundings(platform)) == [(ids[0], loan, 450 * USDC), (ids[1], loan, 450 * USDC),
                                          (ids[2], loan, 100 * USDC)]
    assert [notes(platform, who, loan) for who in (big_a, big_b, small, strict, filtered)] == [
        450 * USDC, 450 * USDC, 100 * USDC, 0, 0]
    assert [commitment(platform, i)[AVAILABLE] for i in ids] == [550 * USDC, 550 * USDC, 0, 1_000 * USDC,
                                                                 1_000 * USDC]
    assert platform.c["LoanLens"].functions.loan(loan).call()[4] == 2  # fully funded: Active
    assert report.funded() == 1_000 * USDC
    assert [r["commitment_id"] for r in report.refusals] == [ids[4]] and "blocklisted" in report.refusals[0]["reason"]
    assert {a.action_key: a.status for a in actions(bots_app)} == {
        f"fund:1337:{i}:{loan}:0": "confirmed" for i in ids[:3]}
    again = run_step()  # the fundings are indexed now: each lender is told, once
    assert again.actions == [] and len(fundings(platform)) == 3  # nothing more, nothing twice
    assert again.alerts == 3 and run_step().alerts == 0
    with database(bots_app).session() as db:
        told = {n.wallet: n.message for n in db.scalars(select(Notification).where(Notification.kind == "autolend_fill"))}
    assert set(told) == {big_a, big_b, small}
    assert told[big_a] == f"Auto-lend rule #{ids[0]} lent 450 mUSDC to loan #{loan}; 550 mUSDC is left to lend."


def test_a_loan_cancelled_between_match_and_send_is_skipped_with_the_reason(platform, bots_app, run_step):
    lender = platform.lenders[0]
    cid = commit(platform, lender, 500 * USDC)
    loan = platform.list_loan(400 * USDC)

    def cancel_first(send):
        def send_after_cancel(key, fn, **options):
            platform.send(platform.c["LoanBook"].functions.cancel(loan), platform.borrower)
            return send(key, fn, **options)
        return send_after_cancel

    report = run_step(wrap_send=cancel_first)
    assert [a["status"] for a in report.actions] == ["skipped"] and "LoanNotListed" in report.actions[0]["reason"]
    [row] = actions(bots_app)
    assert row.status == "skipped" and "LoanNotListed" in row.reason and row.tx_hash is None
    assert commitment(platform, cid)[AVAILABLE] == 500 * USDC and notes(platform, lender, loan) == 0
    assert run_step().actions == [] and len(actions(bots_app)) == 1


def test_a_commitment_withdrawn_mid_sweep_is_skipped_and_never_retried_empty(platform, bots_app, run_step):
    lender = platform.lenders[0]
    cid = commit(platform, lender, 1_000 * USDC)
    first, second = platform.list_loan(200 * USDC), platform.list_loan(200 * USDC)
    sends = []

    def withdraw_before_second(send):
        def send_counting(key, fn, **options):
            sends.append(key)
            if len(sends) == 2:
                left = commitment(platform, cid)[AVAILABLE]
                platform.send(platform.c["AutoLend"].functions.withdraw(cid, left), lender)
            return send(key, fn, **options)
        return send_counting

    report = run_step(wrap_send=withdraw_before_second)
    assert [(a["loan_id"], a["status"]) for a in report.actions] == [(first, "confirmed"), (second, "skipped")]
    assert "InsufficientFunds" in report.actions[1]["reason"]
    assert notes(platform, lender, first) == 200 * USDC and notes(platform, lender, second) == 0
    assert commitment(platform, cid)[AVAILABLE] == 0 and commitment(platform, cid)[BUDGET] == 9_800 * USDC
    assert run_step().actions == []  # nothing left to lend: no new attempt
    assert [a.status for a in actions(bots_app)] == ["confirmed", "skipped"]


def test_income_is_reinvested_for_rules_that_ask(platform, bots_app, run_step):
    keeper, plain = platform.lenders[:2]
    reinvesting = commit(platform, keeper, 500 * USDC, max_per_loan=500 * USDC, reinvest=True)
    commit(platform, plain, 500 * USDC, max_per_loan=500 * USDC)
    loan = platform.list_loan(1_000 * USDC)
    run_step()
    assert notes(platform, keeper, loan) == 500 * USDC and notes(platform, plain, loan) == 500 * USDC
    book, lens = platform.c["LoanBook"], platform.c["LoanLens"]
    platform.send(book.functions.repay(loan, 200 * USDC), platform.borrower)
    claimable = lens.functions.claimables([loan], keeper).call()[0]
    assert claimable > 0

    report = run_step()  # no approval yet: nothing is claimed, and the step says why
    assert report.actions == [] and "approved AutoLend" in report.refusals[0]["reason"]
    platform.send(book.functions.setApprovalForAll(platform.c["AutoLend"].address, True), keeper)
    report = run_step()
    assert [(a["kind"], a["status"]) for a in report.actions] == [("reinvest", "confirmed")]
    assert commitment(platform, reinvesting)[AVAILABLE] == claimable
    assert lens.functions.claimables([loan], keeper).call()[0] == 0
    assert lens.functions.claimables([loan], plain).call()[0] > 0  # a rule without reinvest keeps its income


@pytest.fixture
def four_listings(platform):
    """Two equal commitments and four listings of 100: each pair's fair share is 50."""
    ids = [commit(platform, lender, 1_000 * USDC) for lender in platform.lenders[:2]]
    loans = [platform.list_loan(100 * USDC) for _ in range(4)]
    return ids, loans


def assert_funded_once_in_fair_shares(platform, ids, loans) -> None:
    funded = fundings(platform)
    assert sorted((c, l) for c, l, _ in funded) == sorted((c, l) for c in ids for l in loans)  # each pair once
    assert all(amount == 50 * USDC for _, _, amount in funded)
    assert [commitment(platform, i)[AVAILABLE] for i in ids] == [800 * USDC, 800 * USDC]


def test_kill_9_mid_sweep_then_restart_funds_each_pair_once(platform, bots_app, node, four_listings):
    ids, loans = four_listings
    index(bots_app, node.deployment, node.url)
    command, env = bot_command(bots_app, node, "autolend")
    bot = start(command, env)
    try:
        wait_for(lambda: len(fundings(platform)) >= 2, [bot])
    finally:
        kill(bot)
    assert 2 <= len(fundings(platform)) < 8  # killed mid-sweep
    time.sleep(2.5)  # a claim it held but never signed is stale now
    run_once(command, env)
    assert_funded_once_in_fair_shares(platform, ids, loans)
    with database(bots_app).session() as db:
        rows = db.execute(select(BotAction.action_key, BotAction.status)).all()
    # one funding recorded per pair: the dead process's last transaction may still read "sent" (it
    # landed; the next step settles it by its receipt), and nothing failed on chain
    sent = [key.rsplit(":", 1)[0] for key, status in rows if status in ("confirmed", "sent")]
    assert len(sent) == len(set(sent)) == 8 and "failed" not in {status for _, status in rows}


def test_two_replicas_together_fund_each_pair_once(platform, bots_app, node, four_listings):
    ids, loans = four_listings
    index(bots_app, node.deployment, node.url)
    command, env = bot_command(bots_app, node, "autolend")
    replicas = [start(command, env), start(command, env)]
    try:
        wait_for(lambda: len(fundings(platform)) >= 8, replicas)
        time.sleep(2)  # both keep running a few more blocks: nothing more may be sent
    finally:
        for replica in replicas:
            kill(replica)
    assert_funded_once_in_fair_shares(platform, ids, loans)
    assert len([a for a in actions(bots_app) if a.status == "confirmed"]) == 8


def test_an_rpc_that_fails_and_stalls_is_survived_without_double_funding(platform, bots_app, node, four_listings):
    """Every 4th request fails and every 7th stalls past the client's timeout; the steps that
    break are run again (as the loop would), and each pair is still funded exactly once."""
    from backend.tx import make_web3

    ids, loans = four_listings
    index(bots_app, node.deployment, node.url)
    with FlakyProxy(node.url) as proxy:
        ctx = context_from_app(bots_app, web3=make_web3(proxy.url, timeout=1))
        ctx.sender.backoff_seconds = 0.05
        proxy.every(fail_every=4, stall_every=7, seconds=1.5)
        for _ in range(12):
            try:
                step(ctx)
            except Exception:  # noqa: BLE001 - a read failed after all its retries: the loop runs the step again
                continue
            if len(fundings(platform)) == 8:
                break
        assert proxy.failed > 5
    assert_funded_once_in_fair_shares(platform, ids, loans)
    assert [a.status for a in actions(bots_app)].count("confirmed") == 8
