"""A loan's life through the UI: a new borrower verifies a phone number and links a bank account
(codes from the development providers), sees the score move, lists a collateralised loan; two
lenders fund it; the borrower repays an instalment from My loans; a lender claims from the
portfolio. Each step is checked on chain and on the page."""

from __future__ import annotations

import re
import time
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.chain import USDC, get_json, money, wait_until
from tests.e2e.conftest import connect_dev, faucet, shot, sign

BORROWER, LENDERS = 15, (16, 17)
PAYOFF, NEXT_DUE = 3, 4  # ILoanBook.AmountDue fields
PHONE = "+447700900123"


def sent_code(log: Path, target: str) -> str:
    """The one-time code the console provider printed in the server's log for `target`."""
    pattern = re.compile(rf"one-time code for {re.escape(target)}: (\d{{6}})")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = pattern.findall(log.read_text())
        if found:
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"no code for {target} in {log}")


def score_percent(page) -> str:
    return page.locator(".card", has=page.get_by_role("heading", name="Chance of default")).locator(".big").inner_text()


def test_verify_score_list_fund_repay_and_claim(page, seeded, chain, backend, workdir):
    book, usdc, lens = chain.contract("LoanBook"), chain.contract("MockUSDC"), chain.contract("LoanLens")
    borrower = chain.accounts[BORROWER]
    page.goto("/#/verify")
    connect_dev(page, BORROWER)
    faucet(page)
    page.get_by_role("button", name="Sign in").first.click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto("/#/score")
    before = score_percent(page)
    page.goto("/#/verify")
    phone = page.get_by_role("region", name="Phone")
    phone.get_by_label(re.compile("Phone number")).fill(PHONE)
    phone.get_by_role("button", name="Send a code").click()
    phone.get_by_label("Six-digit code").fill(sent_code(workdir / "flask.log", PHONE))
    phone.get_by_role("button", name="Confirm").click()
    expect(phone.get_by_text("✓ verified")).to_be_visible()
    bank = page.get_by_role("region", name=re.compile("Bank"))
    bank.get_by_label("Bank link token").fill("dev-lifecycle")
    bank.get_by_role("button", name="Link bank account").click()
    expect(bank.get_by_text("✓ verified")).to_be_visible()
    shot(page, "verification-centre")
    page.goto("/#/score")
    expect(page.get_by_role("heading", name="My credit score")).to_be_visible()
    after = score_percent(page)
    assert float(after.rstrip("%")) < float(before.rstrip("%")), (before, after)  # verifying lowered the PD
    shot(page, "score")

    page.goto("/#/borrow")
    page.get_by_label("Amount (mUSDC)").fill("600")
    page.get_by_label("Monthly instalments").fill("6")
    page.get_by_label("Interest rate (APR, %)").fill("12")
    page.get_by_label(re.compile(r"Collateral \(mWETH\)")).fill("1")
    page.get_by_role("button", name="Review listing").click()
    sign(page)
    wait_until(lambda: get_json(f"{backend}/borrowers/{borrower}/loans")["total"] == 1, "the indexer to see the listing")
    loan_id = get_json(f"{backend}/borrowers/{borrower}/loans")["items"][0]["id"]
    assert chain.contract("CollateralVault").functions.positions(loan_id).call()[1] == 10**18

    first, second = (chain.accounts[i] for i in LENDERS)
    chain.fund(first, loan_id, 400)
    chain.fund(second, loan_id, 200)
    loan = lens.functions.loan(loan_id).call()
    assert loan[4] == 2  # both fundings filled it: active

    wait_until(lambda: get_json(f"{backend}/loans/{loan_id}")["status"] == "active", "the indexer to see it start")
    instalment = get_json(f"{backend}/loans/{loan_id}")["instalment"]
    page.goto("/#/my-loans")  # already open since the listing: it refreshes itself as the loan fills
    card = page.locator(f'section[data-loan-id="{loan_id}"]')
    expect(card).to_contain_text("Active", timeout=30_000)
    due = lens.functions.amountDue(loan_id).call()  # ILoanBook.AmountDue
    next_due, payoff = card.locator("dt:text-is('Next due date') + dd"), card.get_by_role("button", name=re.compile("^Pay off"))
    expect(next_due).not_to_be_empty()
    first_due_text, first_payoff_text = next_due.inner_text(), payoff.inner_text()
    card.get_by_label("Repay an amount (mUSDC)").fill(str(Decimal(instalment) / USDC))
    card.get_by_role("button", name="Repay this amount").click()
    sign(page)
    paid = lens.functions.loan(loan_id).call()
    assert paid[20] == 1  # ILoanBook.Loan.instalmentsPaid
    after = lens.functions.amountDue(loan_id).call()
    assert after[NEXT_DUE] == due[NEXT_DUE] + 30 * 86_400 and after[PAYOFF] < due[PAYOFF]
    expect(next_due).not_to_have_text(first_due_text)  # read again from the chain at once
    expect(payoff).not_to_have_text(first_payoff_text)
    wait_until(lambda: get_json(f"{backend}/loans/{loan_id}")["repayments"], "the indexer to see the repayment")

    claimable = book.functions.claimable(loan_id, first).call()
    assert claimable > 0
    balance = usdc.functions.balanceOf(first).call()
    page.goto("/#/portfolio")
    connect_dev(page, LENDERS[0])
    claim = page.get_by_role("region", name="Claim")
    expect(claim).to_contain_text(f"Ready to claim: {money(claimable)}")  # this lender's one loan
    claim.get_by_role("button", name="Claim all").click()
    sign(page)
    assert usdc.functions.balanceOf(first).call() == balance + claimable
    assert book.functions.claimable(loan_id, first).call() == 0
    expect(claim).to_contain_text("Ready to claim: 0.00 mUSDC")
    expect(claim.get_by_role("button", name="Claim all")).to_be_disabled()
    shot(page, "portfolio-claimed")
