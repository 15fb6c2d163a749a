"""The main flows in a real browser through the development wallet, against real Ganache,
backend, indexer and SQLite: the marketplace renders; a lender funds and sees the portfolio; a
borrower signs in and lists a loan."""

import re

from playwright.sync_api import expect

from tests.e2e.chain import get_json, wait_until
from tests.e2e.conftest import connect_dev, shot


def test_marketplace_renders_listings(page, seeded):
    page.goto("/")
    rows = page.locator("table.loans tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("link", name=f"Loan #{seeded[0]}")).to_be_visible()
    expect(page.locator(f'tr[data-loan-id="{seeded[1]}"]')).to_contain_text("2,500 mUSDC")
    expect(page.locator(f'tr[data-loan-id="{seeded[1]}"]')).to_contain_text("9%")
    # Sorting by the lowest rate puts the 9% loan first.
    page.get_by_label("Sort by").select_option("apr")
    page.get_by_role("button", name="Show loans").click()
    expect(rows.first).to_have_attribute("data-loan-id", str(seeded[1]))
    # A filter that nothing matches says so.
    page.get_by_label("Min rate (%)").fill("40")
    page.get_by_role("button", name="Show loans").click()
    expect(page.get_by_text("No loans match these filters.")).to_be_visible()
    # Bad input is refused before anything is sent.
    page.get_by_label("Min rate (%)").fill("abc")
    page.get_by_role("button", name="Show loans").click()
    expect(page.get_by_role("alert")).to_contain_text("Min rate")


def test_lender_funds_a_loan_and_sees_it_in_the_portfolio(page, seeded, chain, backend):
    loan_id = seeded[0]
    page.goto("/")
    connect_dev(page, 3)
    lender = chain.accounts[3]
    # Test tokens through the UI's faucet (a transaction plan like any other).
    page.get_by_role("button", name="Get test tokens").click()
    page.get_by_role("button", name="Confirm and sign").click()
    expect(page.get_by_text(re.compile(r"Done\. Gas used"))).to_be_visible()
    page.get_by_role("button", name="Close").click()

    page.goto(f"/#/loans/{loan_id}")
    expect(page.get_by_role("heading", name=f"Loan #{loan_id}")).to_be_visible()
    amount = page.get_by_label("Amount to lend (mUSDC)")
    amount.fill("0.5")  # below the 1 mUSDC minimum ticket: refused before sending
    page.get_by_role("button", name="Review funding").click()
    expect(page.get_by_text(re.compile("The smallest amount is 1.00 mUSDC"))).to_be_visible()
    amount.fill("250")
    page.get_by_role("button", name="Review funding").click()
    steps = page.locator("ol.steps li")
    expect(steps).to_have_count(2)  # an approval for exactly 250, then the funding
    expect(steps.first).to_contain_text("Allow the loan book contract to move 250.00 mUSDC")
    page.get_by_role("button", name="Confirm and sign").click()
    expect(page.get_by_text(re.compile(r"Done\. Gas used: [\d,]+"))).to_be_visible(timeout=30_000)
    shot(page, "fund-done")

    book = chain.contract("LoanBook")
    assert book.functions.balanceOf(lender, loan_id).call() == 250 * 10**6
    wait_until(lambda: get_json(f"{backend}/lenders/{lender}/portfolio")["items"], "the indexer to see the funding")
    page.get_by_role("link", name="Portfolio").click()
    row = page.locator(f'tr[data-loan-id="{loan_id}"]')
    expect(row).to_contain_text("250.00 mUSDC")
    expect(row).to_contain_text("Still raising funds")
    shot(page, "portfolio")


def test_borrower_signs_in_and_lists_a_loan(page, seeded, chain, backend):
    page.goto("/#/borrow")
    connect_dev(page, 5)
    borrower = chain.accounts[5]
    page.get_by_role("button", name="Get test tokens").click()  # mUSDC and mWETH (collateral) to this account
    page.get_by_role("button", name="Confirm and sign").click()
    expect(page.get_by_text(re.compile(r"Done\. Gas used"))).to_be_visible()
    page.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Sign in").first.click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("heading", name="Ask for a loan")).to_be_visible()
    grade_text = page.get_by_label("Your grade").inner_text()
    assert "Your grade is" in grade_text
    page.get_by_label("Amount (mUSDC)").fill("800")
    page.get_by_label("Monthly instalments").fill("6")
    page.get_by_label("Interest rate (APR, %)").fill("101")  # above any grade's policy: refused before sending
    page.get_by_role("button", name="Review listing").click()
    expect(page.get_by_text(re.compile("allows at most"))).to_be_visible()
    page.get_by_label("Interest rate (APR, %)").fill("10")
    page.get_by_label("Purpose").select_option("3")
    collateral = page.get_by_label(re.compile(r"Collateral \(mWETH\)"))
    needs = page.locator(".field", has=collateral).inner_text()
    if "is needed" in needs:  # a lower grade must escrow collateral
        collateral.fill("1")
    shot(page, "new-listing")
    page.get_by_role("button", name="Review listing").click()
    expect(page.get_by_role("button", name="Confirm and sign")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Confirm and sign").click()
    expect(page.get_by_text(re.compile(r"Done\. Gas used"))).to_be_visible(timeout=30_000)
    wait_until(lambda: get_json(f"{backend}/borrowers/{borrower}/loans")["total"] == 1, "the indexer to see the listing")
    page.goto("/#/my-loans")
    card = page.locator("section[data-loan-id]")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("800.00 mUSDC")
    expect(card.get_by_role("button", name="Cancel listing")).to_be_visible()
    if "is needed" in needs:
        expect(card).to_contain_text("1.00 mWETH")  # the escrowed collateral, read live from the chain
    shot(page, "my-loans-borrower")


def test_a_refused_transaction_is_explained_and_leaves_the_page_usable(page, seeded, chain):
    """Someone else funds most of the loan between review and signing: the simulation reverts with
    FundingExceedsRemaining, shown in plain words; the approval that went through stays done."""
    loan_id = seeded[1]  # 2,500 mUSDC
    page.goto("/")
    connect_dev(page, 6)
    page.get_by_role("button", name="Get test tokens").click()
    page.get_by_role("button", name="Confirm and sign").click()
    expect(page.get_by_text(re.compile(r"Done\. Gas used"))).to_be_visible()
    page.get_by_role("button", name="Close").click()
    page.goto(f"/#/loans/{loan_id}")
    page.get_by_label("Amount to lend (mUSDC)").fill("2000")
    page.get_by_role("button", name="Review funding").click()
    expect(page.get_by_role("button", name="Confirm and sign")).to_be_visible()

    other = chain.accounts[4]  # holds tokens from the seeding
    chain.send(chain.contract("MockUSDC").functions.approve(chain.contract("LoanBook").address, 1_000 * 10**6), other)
    chain.send(chain.contract("LoanBook").functions.fund(loan_id, 1_000 * 10**6), other)

    page.get_by_role("button", name="Confirm and sign").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"Only 1,500.00 mUSDC is still needed for loan #{loan_id}")
    expect(page.locator("ol.steps li").first).to_contain_text("done")
    expect(page.locator("ol.steps li").nth(1)).to_contain_text("failed")
    shot(page, "refused-transaction")
    page.get_by_role("button", name="Close").click()
    page.get_by_label("Amount to lend (mUSDC)").fill("1500")  # the form still works
    page.get_by_role("button", name="Review funding").click()
    expect(page.locator("ol.steps li")).to_have_count(1)  # the earlier approval of 2,000 covers it
