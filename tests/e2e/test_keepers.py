"""The keepers seen through the UI, with the auto-lend bot, the liquidator and the price publisher
running as processes beside the backend: an auto-lend rule funds a new listing, and a price drop
first raises the borrower's alert, then the loan's liquidation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.chain import USDC, ZERO, get_json, wait_until
from tests.e2e.conftest import connect_dev, query_db, shot

WETH = 10**18
FEED_UNIT = 10**8


def commitment_for(chain, lender: str, deposit: int, worst_grade: int) -> int:
    """An auto-lend commitment signed by `lender` (rule: grades up to `worst_grade`, 14-30% APR: none
    of the seeded listings, which other tests fund, matches)."""
    autolend = chain.contract("AutoLend")
    now = chain.w3.eth.get_block("latest")["timestamp"]
    rule = (worst_grade, 1_400, 3_000, 400 * 86_400, 0, deposit * USDC, deposit * USDC, deposit * USDC, now + 30 * 86_400,
            False, 2**32 - 1, 10_000, ZERO)
    chain.mint(lender, deposit)
    chain.send(chain.contract("MockUSDC").functions.approve(autolend.address, deposit * USDC), lender)
    chain.send(autolend.functions.createCommitment(chain.contract("MockUSDC").address, rule, deposit * USDC), lender)
    return autolend.functions.commitmentCount().call()


def notifications(backend_env, wallet: str) -> list[tuple[str, str]]:
    """(kind, message) of the wallet's stored notifications, read from the database the bots write."""
    from sqlalchemy import select

    from backend.db.models import Notification

    return query_db(backend_env, select(Notification.kind, Notification.message).where(Notification.wallet == wallet))


def test_an_auto_lend_rule_funds_a_new_listing(page, seeded, chain, backend, backend_env, keepers):
    lender, borrower = chain.accounts[14], chain.accounts[1]
    commitment = commitment_for(chain, lender, 300, worst_grade=3)
    loan_id = chain.list_loan(borrower, 300, apr_bps=1_500, grade=3, pd_bps=450)
    book = chain.contract("LoanBook")
    wait_until(lambda: book.functions.balanceOf(lender, loan_id).call() == 300 * USDC, "the bot to fund the listing",
               timeout=60)
    assert chain.contract("AutoLend").functions.commitment(commitment).call()[11] == 0  # its 300 all lent
    wait_until(lambda: get_json(f"{backend}/loans/{loan_id}")["status"] == "active", "the indexer to see it")
    page.goto(f"/#/loans/{loan_id}")
    lenders = page.locator("section.card", has=page.get_by_role("heading", name=re.compile("Lenders")))
    expect(lenders).to_contain_text("300.00 mUSDC (auto-lend)")
    connect_dev(page, 14)
    page.get_by_role("link", name="Portfolio").click()
    expect(page.locator(f'tr[data-loan-id="{loan_id}"]')).to_contain_text("300.00 mUSDC")
    shot(page, "autolend-funded-portfolio")
    wait_until(lambda: any(kind == "autolend_fill" for kind, _ in notifications(backend_env, lender)),
               "the lender to be told")
    assert (f"Auto-lend rule #{commitment} lent 300 mUSDC to loan #{loan_id}; 0 mUSDC is left to lend."
            in [message for _, message in notifications(backend_env, lender)])


@pytest.fixture
def eth_price_restored(chain):
    """Put ETH back at its deployed $3,000 afterwards: with the liquidator still running, a crashed
    price would liquidate the secured loans later tests list."""
    yield
    chain.send(chain.contract("EthUsdFeed").functions.setAnswer(3_000 * FEED_UNIT), chain.accounts[0])


def test_a_price_drop_raises_the_alert_then_the_liquidation(page, seeded, chain, backend, backend_env, keepers,
                                                            eth_price_restored):
    borrower, lender = chain.accounts[12], chain.accounts[13]
    feed, vault, lens = chain.contract("EthUsdFeed"), chain.contract("CollateralVault"), chain.contract("LoanLens")
    gov = chain.accounts[0]
    loan_id = chain.list_loan(borrower, 1_000, apr_bps=1_500, grade=5, pd_bps=1_500, weth=WETH)  # C+: 50% required
    chain.fund(lender, loan_id, 1_000)
    state = lens.functions.loanStates([loan_id]).call()[0]
    liquidation_price = state[8]  # USD WAD per whole WETH at which health reaches 1
    assert state[1] == 2 and liquidation_price > 0  # active, secured

    # 5% above the liquidation price: health about 1.05, an alert but no liquidation
    chain.send(feed.functions.setAnswer(liquidation_price * 105 // 100 // 10**10), gov)
    wait_until(lambda: any(kind == "collateral_10" for kind, _ in notifications(backend_env, borrower)),
               "the liquidator's alert", timeout=60)
    assert vault.functions.positions(loan_id).call()[1] == WETH  # nothing sold
    page.goto("/#/my-loans")
    connect_dev(page, 12)
    card = page.locator(f'section[data-loan-id="{loan_id}"]')
    expect(card).to_contain_text("Your collateral is close to liquidation")
    shot(page, "collateral-alert")
    page.get_by_role("button", name="Sign in").first.click()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Notifications 1 unread")).to_be_visible()  # the unread count
    nav.get_by_role("link", name=re.compile("^Notifications")).click()
    alert = page.locator("li[data-kind=collateral_10]")
    expect(alert).to_contain_text(f"Loan #{loan_id}: the collateral price is within 10% of the liquidation price")
    shot(page, "notifications-alert")
    alert.get_by_role("button", name="Mark as read").click()
    expect(page.get_by_text("1 notification, 0 unread.")).to_be_visible()
    expect(nav.get_by_role("link", name="Notifications", exact=True)).to_be_visible()  # the count is gone at once

    # below it: the liquidator (account #7, with mUSDC to repay with) sells collateral for the lenders
    chain.mint(chain.accounts[7], 5_000)
    chain.send(feed.functions.setAnswer(liquidation_price * 80 // 100 // 10**10), gov)
    wait_until(lambda: vault.events.Liquidated.get_logs(from_block=0, argument_filters={"loanId": loan_id}),
               "the liquidation", timeout=60)
    [event] = vault.events.Liquidated.get_logs(from_block=0, argument_filters={"loanId": loan_id})
    assert event["args"]["liquidator"] == chain.accounts[7] and event["args"]["repaid"] > 0
    wait_until(lambda: get_json(f"{backend}/loans/{loan_id}")["liquidations"], "the indexer to see the liquidation")
    page.goto(f"/#/loans/{loan_id}")
    liquidations = page.get_by_role("region", name="Liquidations")
    expect(liquidations).to_contain_text(re.compile(r"of the debt repaid with [\d.]+ mWETH of the collateral"))
    expect(page.get_by_text("All of the collateral was sold to repay lenders")).to_be_visible()
    expect(page.get_by_text("paid by a liquidation")).to_be_visible()
    shot(page, "liquidated-loan")
    wait_until(lambda: any(kind == "liquidated" for kind, _ in notifications(backend_env, borrower)),
               "the borrower to be told")
