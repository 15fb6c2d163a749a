"""The local platform's demo data: deploy, then five months of lending on the local chain.

    brownie run scripts/seed_demo.py --network lendchain-local

Run by `make run` (toolchain/platform.py) on a fresh Ganache. Borrowers are scored by the real
model (scoring/artifacts/default) from the profiles below, and list with attestations signed by
the scoring key at block time. The chain clock is moved forward (oldest loans first) so that
lateness and default are real: late is 15 days past a due date, default 120. Prices are re-posted
after every jump (the local feeds go stale after 2 days of chain time).

Loans it leaves, one in every state: listed, part-funded, active (with a repayment and an
auto-lend funding), late, defaulted, liquidated (closed by a liquidation, surplus released),
repaid, cancelled and expired. Lenders hold notes in them; Frank's auto-lend commitment
reinvests and takes grades down to B, so a new A or B listing is funded by the bot.

Writes the demo accounts (role, address, what each holds) to .toolchain/demo-accounts.json.
"""

import json
from pathlib import Path

from brownie import accounts, chain

from scripts import deploy, lifecycle
from toolchain.local_chain import MNEMONIC, account_key

USDC = 10**6
WETH = 10**18
DAY = 24 * 3600
ETH_USD = 3_000
FEED_UNIT = 10**8
ROOT = Path(__file__).resolve().parent.parent
ACCOUNTS_FILE = ROOT / ".toolchain" / "demo-accounts.json"

# Who is who (Ganache accounts of the public test mnemonic). #0 deploys and governs, #7 is the
# liquidation keeper, #8 the auto-lend bot, #9 the scoring service's signer (scripts/deploy.py).
PEOPLE = {
    "alice": (1, "borrower, unsecured"),
    "bob": (2, "borrower, WETH collateral"),
    "carol": (3, "borrower, WETH collateral"),
    "heidi": (4, "borrower, defaulted once"),
    "dave": (5, "lender"),
    "erin": (6, "lender"),
    "frank": (10, "lender with an auto-lend commitment that reinvests"),
    "newcomer": (11, "a fresh account with tokens, to try the app"),
}
KEEPER_INDEX, BOT_INDEX = 7, 8

# Verified profiles (scoring.schema.SignalRecord fields) the real model grades A, C+ and D.
_VERIFIED = dict(identity_verified=True, phone_verified=True, email_verified=True)
PROFILES = {
    "alice": dict(_VERIFIED, income_verified=True, monthly_income=9000.0, employment_status="employed",
                  employment_months=96, debt_to_income=0.08, homeowner=True, bureau_score=800, prior_loans_repaid=3,
                  prior_on_time_payments=36, prior_late_payments=0, prior_defaults=0, bank_account_verified=True,
                  checking_balance=12000.0, savings_balance=30000.0, loan_amount=1000.0, term_months=12,
                  purpose="debt_consolidation"),
    "bob": dict(identity_verified=True, phone_verified=True, email_verified=False, income_verified=True,
                monthly_income=3000.0, employment_status="unemployed", employment_months=24, debt_to_income=0.6,
                bureau_score=680, prior_late_payments=0, prior_defaults=0, loan_amount=500.0, term_months=60,
                purpose="vehicle"),
    "carol": dict(phone_verified=True, email_verified=False, income_verified=True, monthly_income=800.0,
                  employment_months=24, debt_to_income=0.05, social_accounts=3, bureau_score=500,
                  prior_loans_repaid=0, prior_late_payments=4, prior_defaults=1, loan_amount=35000.0, term_months=60,
                  purpose="business"),
}
PROFILES["heidi"] = PROFILES["alice"]


class Demo:
    def __init__(self, contracts):
        from scoring.artifact import load
        from scoring.serving import Scorer
        from scoring.train import DEFAULT_MODEL_DIR

        self.c = contracts
        self.usdc, self.weth = contracts["MockUSDC"], contracts["MockWETH"]
        self.book, self.vault, self.autolend = contracts["LoanBook"], contracts["CollateralVault"], contracts["AutoLend"]
        self.scorer = Scorer(load(DEFAULT_MODEL_DIR))
        self.who = {name: accounts[index] for name, (index, _) in PEOPLE.items()}
        self.grades = {}

    def equip(self):
        for name, account in self.who.items():
            self.usdc.mint(account, 50_000 * USDC, {"from": account})
            self.weth.mint(account, 5 * WETH, {"from": account})
            self.usdc.approve(self.book, 2**256 - 1, {"from": account})
            self.usdc.approve(self.autolend, 2**256 - 1, {"from": account})
            self.weth.approve(self.vault, 2**256 - 1, {"from": account})
        keeper = accounts[KEEPER_INDEX]
        self.usdc.mint(keeper, 100_000 * USDC, {"from": keeper})
        self.usdc.approve(self.book, 2**256 - 1, {"from": keeper})

    def fresh_prices(self, eth_usd=ETH_USD):
        self.c["EthUsdFeed"].setAnswer(eth_usd * FEED_UNIT, {"from": accounts[0]})
        self.c["UsdcUsdFeed"].setAnswer(FEED_UNIT, {"from": accounts[0]})

    def advance(self, days):
        chain.sleep(days * DAY)
        chain.mine()
        self.fresh_prices()

    def list(self, name, principal, apr_bps, instalments, weth=0, deadline_days=7, min_fill_bps=7_000):
        """A listing by `name`, with an attestation of the model's score signed now. The listing's
        purpose code is the scored purpose's (the on-chain codes 0-9 are the schema's categories)."""
        from scoring.schema import SPECS, SignalRecord

        result = self.scorer.score_record(SignalRecord(**PROFILES[name]))
        self.grades[name] = result.grade
        attestation, signature = lifecycle.attestation(
            self.c["ScoreRegistry"], account_key(deploy.LOCAL_SIGNER_INDEX), self.who[name],
            grade=result.grade_code, pd_bps=result.pd_bps, model_id="0x" + result.model_id)
        terms = lifecycle.terms(self.usdc, principal=principal * USDC, apr_bps=apr_bps, instalments=instalments,
                                deadline=chain.time() + deadline_days * DAY, min_fill_bps=min_fill_bps,
                                purpose=SPECS["purpose"].categories.index(PROFILES[name]["purpose"]),
                                collateral_token=self.weth if weth else lifecycle.NO_COLLATERAL,
                                collateral_amount=int(weth * WETH))
        return self.book.requestLoan(terms, attestation, signature, {"from": self.who[name]}).return_value

    def fund(self, loan_id, **amounts):
        for name, amount in amounts.items():
            self.book.fund(loan_id, amount * USDC, {"from": self.who[name]})


def seed(demo: Demo) -> dict:
    """The timeline; returns loan ids by the state each is left in."""
    book, vault, lens = demo.book, demo.vault, demo.c["LoanLens"]
    loans = {}
    # Day 0: two loans that will go bad.
    loans["defaulted"] = demo.list("heidi", 1_500, 1_100, 6)
    demo.fund(loans["defaulted"], dave=900, erin=600)
    loans["liquidated"] = demo.list("carol", 2_000, 3_600, 6, weth=1.2)
    demo.fund(loans["liquidated"], dave=1_200, erin=800)
    # Day 100: a loan that goes late, one repaid early, one cancelled.
    demo.advance(100)
    loans["late"] = demo.list("bob", 2_500, 2_200, 12, weth=0.8)
    demo.fund(loans["late"], dave=1_500, erin=1_000)
    loans["repaid"] = demo.list("alice", 1_000, 1_000, 6)
    demo.fund(loans["repaid"], erin=1_000)
    loans["cancelled"] = demo.list("alice", 800, 1_000, 6)
    book.cancel(loans["cancelled"], {"from": demo.who["alice"]})
    demo.advance(10)
    book.repay(loans["repaid"], lens.amountDue(loans["repaid"])["payoff"], {"from": demo.who["alice"]})
    # Day 140: a listing that will expire below its minimum fill.
    demo.advance(30)
    loans["expired"] = demo.list("bob", 1_200, 2_000, 12, weth=0.5)
    demo.fund(loans["expired"], dave=200)
    # Day 150: an active loan, part funded by Frank's auto-lend commitment through the bot.
    demo.advance(10)
    loans["active"] = demo.list("alice", 2_000, 900, 12)
    rule = lifecycle.rule(worst_grade=4, min_apr_bps=500, max_apr_bps=2_000, max_per_loan=1_000 * USDC,
                          max_per_borrower=2_000 * USDC, budget=10_000 * USDC, expiry=chain.time() + 365 * DAY,
                          reinvest=True)
    commitment = demo.autolend.createCommitment(demo.usdc, rule, 5_000 * USDC, {"from": demo.who["frank"]}).return_value
    book.setApprovalForAll(demo.autolend, True, {"from": demo.who["frank"]})  # reinvesting claims Frank's notes' income
    demo.autolend.fundFromCommitment(commitment, loans["active"], 1_000 * USDC, {"from": accounts[BOT_INDEX]})
    demo.fund(loans["active"], dave=1_000)
    # Day 158: the first instalment is paid; the old loans default; the D loan is liquidated.
    demo.advance(8)
    book.repay(loans["active"], lens.loan(loans["active"])["instalment"], {"from": demo.who["alice"]})
    book.expire(loans["expired"], {"from": accounts[KEEPER_INDEX]})
    for state in ("defaulted", "liquidated"):
        book.markDefault(loans[state], {"from": accounts[KEEPER_INDEX]})
    debt = lens.amountDue(loans["liquidated"])["payoff"]
    vault.liquidate(loans["liquidated"], debt, {"from": accounts[KEEPER_INDEX]})
    vault.release(loans["liquidated"], {"from": accounts[KEEPER_INDEX]})
    # Today: new listings, one part funded.
    loans["part_funded"] = demo.list("carol", 1_500, 3_600, 6, weth=1.0)
    demo.fund(loans["part_funded"], erin=600)
    loans["listed"] = demo.list("bob", 2_000, 2_000, 12, weth=0.8)
    return loans


def holdings(demo: Demo, account) -> str:
    return (f"{demo.usdc.balanceOf(account) / USDC:,.2f} mUSDC, {demo.weth.balanceOf(account) / WETH:,.4f} mWETH, "
            f"{account.balance() / 10**18:,.1f} ETH")


def write_accounts(demo: Demo, loans: dict) -> dict:
    people = [{"name": name, "role": role + (f" (model grade {demo.grades[name]})" if name in demo.grades else ""),
               "address": demo.who[name].address, "holds": holdings(demo, demo.who[name])}
              for name, (_, role) in PEOPLE.items()]
    people += [{"name": name, "role": role, "address": accounts[index].address, "holds": holdings(demo, accounts[index])}
               for name, index, role in (("keeper", KEEPER_INDEX, "liquidation keeper (LIQUIDATOR_KEY)"),
                                         ("bot", BOT_INDEX, "auto-lend bot (AUTOLEND_BOT_KEY)"),
                                         ("scorer", deploy.LOCAL_SIGNER_INDEX, "scoring service signer"))]
    profiles = {demo.who[name].address: PROFILES[name] for name in demo.grades}  # `flask demo import` stores them
    document = {"mnemonic": MNEMONIC, "chainId": chain.id, "people": people, "loans": loans, "profiles": profiles}
    ACCOUNTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    ACCOUNTS_FILE.write_text(json.dumps(document, indent=2) + "\n")
    return document


def main():
    contracts = deploy.deploy()
    demo = Demo(contracts)
    demo.equip()
    loans = seed(demo)
    status = ["None", "Listed", "Active", "Repaid", "Defaulted", "Cancelled", "Expired", "Closed"]
    for state, loan_id in loans.items():
        print(f"loan {loan_id:>2}: {state:<12} on chain {status[contracts['LoanLens'].loan(loan_id)['status']]}")
    write_accounts(demo, loans)
    print(f"demo accounts written to {ACCOUNTS_FILE}")
