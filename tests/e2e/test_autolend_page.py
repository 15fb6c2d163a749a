"""The auto-lend page: a rule the contract would refuse is refused before anything is signed
(the field named as in InvalidRule), a valid one is backtested on the platform's history and
created on chain; then, from its card, a deposit (with its approval), a withdrawal and a change of
rule (setRule, keeping the purposes chosen), each checked on chain; last it is paused for the
platform's bot (an off-chain setting) after signing in."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.chain import USDC, get_json, wait_until
from tests.e2e.conftest import connect_dev, faucet, query_db, shot, sign

LENDER = 18
ALL_BUT_EDUCATION = 2**32 - 1 - 2**3  # purpose code 3
# AutoLend.commitment(id) fields (IAutoLend.Commitment)
LENDER_AT, MAX_APR, PURPOSES, AVAILABLE, BUDGET = 0, 8, 10, 11, 12


def paused_for_the_bot(backend_env, commitment_id: int) -> list[tuple]:
    """The commitment's stored off-chain `paused` filter ([] when none was saved)."""
    from sqlalchemy import select

    from backend.db.models import AutoLendFilter

    return query_db(backend_env, select(AutoLendFilter.paused).where(AutoLendFilter.commitment_id == commitment_id))


def test_a_rule_is_checked_backtested_created_changed_and_paused(page, seeded, chain, backend, backend_env):
    autolend = chain.contract("AutoLend")
    lender = chain.accounts[LENDER]
    page.goto("/#/autolend")
    connect_dev(page, LENDER)
    faucet(page)
    bound = page.get_by_role("region", name="Who each limit binds")
    expect(bound.get_by_role("heading", name="Enforced by the contract")).to_be_visible()
    expect(bound.get_by_role("heading", name="Followed only by the platform's bot")).to_be_visible()
    expect(bound).to_contain_text("Who may fund from it: anyone, or one address you name")

    form = page.get_by_role("form", name="New auto-lend rule")
    count = autolend.functions.commitmentCount().call()
    form.get_by_label("Lowest rate (APR %)").fill("40")  # above the highest (30%)
    form.get_by_role("button", name="Review rule").click()
    expect(form.get_by_text("The lowest rate is above the highest. (InvalidRule: minAprBps)")).to_be_visible()
    expect(form.get_by_label("Lowest rate (APR %)")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_text("Nothing to sign yet: fix the field marked above first.")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm and sign")).to_have_count(0)  # nothing to sign
    shot(page, "autolend-refused")
    assert autolend.functions.commitmentCount().call() == count

    form.get_by_label("Lowest rate (APR %)").fill("8")
    form.get_by_label("Deposit (mUSDC)").fill("250")
    form.get_by_role("checkbox", name="Education").uncheck()
    form.get_by_role("button", name="Backtest on past loans").click()
    backtest = form.get_by_role("region", name="Backtest")
    expect(backtest).to_contain_text(re.compile(r"Of \d+ past listings?, this rule would have funded \d+, lending [\d,.]+ mUSDC"))
    expect(backtest).to_contain_text("Counted as lost")
    expect(form.get_by_text(re.compile("The budget is above the deposit"))).to_be_visible()  # 1,000 budget, 250 in
    expect(form.get_by_label("Lowest rate (APR %)")).not_to_have_attribute("aria-invalid", "true")
    shot(page, "autolend-backtest")
    form.get_by_role("button", name="Review rule").click()
    sign(page)
    commitment_id = autolend.functions.commitmentCount().call()
    created = autolend.functions.commitment(commitment_id).call()
    assert (created[LENDER_AT], created[AVAILABLE], created[BUDGET]) == (lender, 250 * USDC, 1_000 * USDC)
    assert created[PURPOSES] == ALL_BUT_EDUCATION

    wait_until(lambda: get_json(f"{backend}/lenders/{lender}/commitments"), "the indexer to see the commitment")
    page.reload()
    card = page.get_by_role("region", name=f"Rule {commitment_id}")
    expect(card).to_contain_text("Holds 250.00 mUSDC; may still lend 1,000.00 mUSDC")
    card.get_by_label("Amount (mUSDC)").fill("50")
    card.get_by_role("button", name="Deposit", exact=True).click()
    expect(card.get_by_text("Allow the auto-lend contract to move 50.00 mUSDC")).to_be_visible()  # the approval first
    sign(page)
    assert autolend.functions.commitment(commitment_id).call()[AVAILABLE] == 300 * USDC
    expect(card).to_contain_text("Holds 300.00 mUSDC")
    card.get_by_label("Amount (mUSDC)").fill("20")
    card.get_by_role("button", name="Withdraw", exact=True).click()
    sign(page)
    assert autolend.functions.commitment(commitment_id).call()[AVAILABLE] == 280 * USDC
    expect(card).to_contain_text("Holds 280.00 mUSDC")

    card.get_by_role("button", name="Change the rule").click()
    change = card.get_by_role("form", name="Change the rule")
    expect(change.get_by_role("checkbox", name="Education")).not_to_be_checked()  # the rule's purposes, as created
    change.get_by_label("Highest rate (APR %)").fill("25")
    change.get_by_role("button", name="Review the change").click()
    sign(page)
    changed = autolend.functions.commitment(commitment_id).call()
    assert (changed[MAX_APR], changed[PURPOSES], changed[AVAILABLE]) == (2_500, ALL_BUT_EDUCATION, 280 * USDC)
    expect(card).to_contain_text("8%–25% APR, terms up to 24 months, for any purpose but education.")

    page.get_by_role("button", name="Sign in").first.click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    card.get_by_text("Platform bot settings").click()
    card.get_by_role("button", name="Pause the bot for this rule").click()
    expect(card.get_by_role("button", name="Resume the bot for this rule")).to_be_visible()
    expect(card.get_by_text("The platform's bot funds nothing from this rule while it is paused.")).to_be_visible()
    assert paused_for_the_bot(backend_env, commitment_id) == [(True,)]
    shot(page, "autolend-rules")
