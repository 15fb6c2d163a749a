"""The run command's demo: deploy, then play a short loan lifecycle on the local chain.

    brownie run scripts/demo.py --network lendchain-local

A borrower with a signed grade-B score lists 1,000 mUSDC over 12 monthly instalments; two
lenders fund it by hand and a bot funds the rest from a third lender's auto-lend commitment (the
last funding starts the loan); the borrower repays the first instalment a
day before it is due; the lenders claim. Each step prints its gas and the state it leaves.
"""

from brownie import accounts, chain

from scripts import deploy, lifecycle
from toolchain.local_chain import account_key

USDC = 10**6
DAY = 24 * 3600
STATUS = ["None", "Listed", "Active", "Repaid", "Defaulted", "Cancelled", "Expired", "Closed"]


def show(step, tx, lens, token, loan_id, people):
    loan = lens.loan(loan_id)
    balances = ", ".join(f"{name} {token.balanceOf(who) / USDC:,.2f}" for name, who in people.items())
    print(
        f"{step:<34} gas {tx.gas_used:>7,}  | {STATUS[loan['status']]:<7} funded {loan['funded'] / USDC:>8,.2f}"
        f"  outstanding {loan['outstanding'] / USDC:>8,.2f}  | {balances}"
    )


def main():
    contracts = deploy.deploy()
    token, registry, book = contracts["MockUSDC"], contracts["ScoreRegistry"], contracts["LoanBook"]
    autolend, lens = contracts["AutoLend"], contracts["LoanLens"]
    borrower, lenders, bot = accounts[1], accounts[2:5], accounts[8]
    people = {"borrower": borrower, **{f"lender{i + 1}": lender for i, lender in enumerate(lenders)}}
    for who in people.values():
        token.mint(who, 10_000 * USDC, {"from": who})
        token.approve(book, 2**256 - 1, {"from": who})
        token.approve(autolend, 2**256 - 1, {"from": who})
    print(f"\n{len(people)} accounts hold 10,000 mUSDC each; the scoring service signs as account #9.\n")

    attestation, signature = lifecycle.attestation(registry, account_key(deploy.LOCAL_SIGNER_INDEX), borrower,
                                                   grade=4, pd_bps=600)
    tx = book.requestLoan(lifecycle.terms(token, principal=1_000 * USDC), attestation, signature,
                          {"from": borrower})
    loan_id = tx.return_value
    show("borrower lists 1,000 @ 12% x 12", tx, lens, token, loan_id, people)
    for lender, amount in zip(lenders, [500, 300]):
        tx = book.fund(loan_id, amount * USDC, {"from": lender})
        show(f"{lender.address[:8]} funds {amount}", tx, lens, token, loan_id, people)
    rule = lifecycle.rule(worst_grade=5, min_apr_bps=1_000, max_apr_bps=2_000, max_per_loan=200 * USDC,
                          max_per_borrower=400 * USDC, budget=2_000 * USDC)
    tx = autolend.createCommitment(token, rule, 1_000 * USDC, {"from": lenders[2]})
    commitment_id = tx.return_value
    show(f"{lenders[2].address[:8]} commits 1,000 (auto-lend)", tx, lens, token, loan_id, people)
    tx = autolend.fundFromCommitment(commitment_id, loan_id, 200 * USDC, {"from": bot})
    show(f"bot funds 200 for {lenders[2].address[:8]}", tx, lens, token, loan_id, people)

    loan = lens.loan(loan_id)
    chain.sleep(loan["startTime"] + loan["period"] - DAY - chain.time())
    tx = book.repay(loan_id, loan["instalment"], {"from": borrower})
    show(f"borrower repays {loan['instalment'] / USDC:,.2f}", tx, lens, token, loan_id, people)
    for lender in lenders:
        tx = book.claim(loan_id, {"from": lender})
        show(f"{lender.address[:8]} claims {tx.return_value / USDC:,.6f}", tx, lens, token, loan_id, people)
    print(f"\nplatform fee accrued: {lens.loan(loan_id)['platformFeesDue'] / USDC:,.6f} mUSDC")
    print(f"deployment map: {deploy.deployment_path(chain.id)}")
