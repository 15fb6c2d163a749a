"""The auto-lend page: a rule the contract would refuse is refused before anything is signed
(the field named as in InvalidRule), a valid one is backtested on the platform's history and
created on chain, then paused for the platform's bot (an off-chain setting) after signing in."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.chain import USDC, get_json, wait_until
from tests.e2e.conftest import connect_dev, shot

LENDER = 18


def test_a_rule_is_checked_backtested_created_and_paused(page, seeded, chain, backend):
    autolend = chain.contract("AutoLend")
    lender = chain.accounts[LENDER]
    page.goto("/#/autolend")
    connect_dev(page, LENDER)
    page.get_by_role("button", name="Get test tokens").click()
    page.get_by_role("button", name="Confirm and sign").click()
    expect(page.get_by_text(re.compile(r"Done\. Gas used"))).to_be_visible()
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_role("heading", name="Enforced by the contract")).to_be_visible()
    expect(page.get_by_role("heading", name="Followed only by the platform's bot")).to_be_visible()

    form = page.get_by_role("form", name="New auto-lend rule")
    count = autolend.functions.commitmentCount().call()
    form.get_by_label("Lowest rate (APR %)").fill("40")  # above the highest (30%)
    form.get_by_role("button", name="Review rule").click()
    expect(form.get_by_text("The lowest rate is above the highest. (InvalidRule: minAprBps)")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm and sign")).to_have_count(0)  # nothing to sign
    assert autolend.functions.commitmentCount().call() == count

    form.get_by_label("Lowest rate (APR %)").fill("8")
    form.get_by_label("Deposit (mUSDC)").fill("250")
    form.get_by_role("button", name="Backtest on past loans").click()
    backtest = form.get_by_role("region", name="Backtest")
    expect(backtest).to_contain_text(re.compile(r"Of \d+ past listings?"))
    expect(form.get_by_text(re.compile("The budget is above the deposit"))).to_be_visible()  # 1,000 budget, 250 in
    shot(page, "autolend-backtest")
    form.get_by_role("button", name="Review rule").click()
    page.get_by_role("button", name="Confirm and sign").click()
    expect(page.get_by_text(re.compile(r"Done\. Gas used"))).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Close").click()
    commitment_id = autolend.functions.commitmentCount().call()
    created = autolend.functions.commitment(commitment_id).call()
    assert created[0] == lender and created[11] == 250 * USDC and created[12] == 1_000 * USDC  # lender, available, budget

    wait_until(lambda: get_json(f"{backend}/lenders/{lender}/commitments"), "the indexer to see the commitment")
    page.reload()
    card = page.get_by_role("region", name=f"Rule {commitment_id}")
    expect(card).to_contain_text("Holds 250.00 mUSDC; may still lend 1,000.00 mUSDC")
    page.get_by_role("button", name="Sign in").first.click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    card.get_by_text("Platform bot settings").click()
    card.get_by_role("button", name="Pause the bot for this rule").click()
    expect(card.get_by_role("button", name="Resume the bot for this rule")).to_be_visible()
    expect(card.get_by_text("The platform's bot funds nothing from this rule while it is paused.")).to_be_visible()
    shot(page, "autolend-rules")
