"""Gas benchmark: whole-transaction gas of each operation on a fresh local chain.

    brownie run scripts/benchmark_gas.py --network lendchain-bench

Writes benchmarks/results/gas.json, a flat object of integers. Each operation is measured on a
loan with 4 lenders and again (suffix `_200`) on a loan with 200 lenders, to show that no
operation's cost grows with the number of lenders. Both runs start from the same kind of state
(a platform that already has a loan; a borrower new to the platform) and measure operations in
their typical state: `list` a grade C+ listing with a fresh attestation, escrowing 1 WETH of
collateral; `fund_first` a lender's first funding of a loan others already funded (not the one
that completes it); `fund_repeat` a second funding by the same lender; `top_up` and
`withdraw_collateral` by the borrower of an active loan; `repay_instalment` the second on-time
instalment; `claim` a lender's claim after it; `transfer_note` a transfer of part of a position
to a new holder; `create_commitment` an auto-lend commitment with a 5,000 USDC deposit (the
lender's first); `fund_from_commitment` a bot funding 100 USDC of the loan from it (the
commitment's first loan of this borrower, the lender's first notes of the loan), and
`fund_from_commitment_known_borrower` the same on a second loan of that borrower; `liquidate_partial` a liquidation of 20% of the debt after the collateral price
fell below the liquidation price; `mark_default` a default after the borrower stopped paying;
`liquidate_full` the liquidation of all of a defaulted loan's debt (the surplus waits for `release`);
`expire` a keeper expiring an unfunded secured listing past its deadline, which returns its 1 WETH.

`lens_sweep_1000` is not a transaction: it is the `eth_call` gas of `LoanLens.loanStates` over
1,000 active secured loans, in four calls of 250 (health, liquidation price, amounts due, lateness), the sweep a
liquidation bot runs every block. It is measured once, without a `_200` twin; the loans are set up
in bulk by a test-only BulkBorrower contract.
"""

import json
from pathlib import Path

from brownie import accounts, chain

from scripts import deploy, lifecycle
from toolchain.local_chain import account_key

USDC = 10**6
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "gas.json"


WETH = 10**18
FEED_UNIT = 10**8  # the mock feeds' 8 decimals
GRADE_C_PLUS = 5  # needs collateral worth 50% of the principal


class Platform:
    def __init__(self, contracts, signer_key):
        self.token = contracts["MockUSDC"]
        self.weth = contracts["MockWETH"]
        self.eth_feed = contracts["EthUsdFeed"]
        self.usd_feed = contracts["UsdcUsdFeed"]
        self.registry = contracts["ScoreRegistry"]
        self.book = contracts["LoanBook"]
        self.vault = contracts["CollateralVault"]
        self.autolend = contracts["AutoLend"]
        self.lens = contracts["LoanLens"]
        self.signer_key = signer_key

    def equip(self, who, ether=False):
        if ether:
            accounts[0].transfer(who, 10**18)
        self.token.mint(who, 100_000 * USDC, {"from": who})
        self.token.approve(self.book, 2**256 - 1, {"from": who})
        self.weth.mint(who, 10 * WETH, {"from": who})
        self.weth.approve(self.vault, 2**256 - 1, {"from": who})
        self.token.approve(self.autolend, 2**256 - 1, {"from": who})

    def list_loan(self, borrower, principal, attest=True):
        """A grade C+ listing escrowing 1 WETH; `attest=False` reuses the borrower's valid score."""
        attestation, signature = lifecycle.attestation(self.registry, self.signer_key, borrower, grade=GRADE_C_PLUS)
        terms = lifecycle.terms(self.token, principal=principal, min_fill_bps=10_000, apr_bps=2_000,
                                collateral_token=self.weth, collateral_amount=WETH)
        return self.book.requestLoan(terms, attestation, signature if attest else b"", {"from": borrower})

    def set_eth_price(self, usd_wad):
        """Publish fresh rounds (mock feeds go stale when the chain's clock jumps)."""
        self.eth_feed.setAnswer(usd_wad * FEED_UNIT // 10**18)
        self.usd_feed.setAnswer(FEED_UNIT)


def measure(platform, borrower, lenders, auto_lender, liquidator, suffix):
    """Run every operation on a loan funded by `lenders` (all but the last 3 fund 1 USDC first)
    and 100 USDC from `auto_lender`'s commitment."""
    book, gas = platform.book, {}
    tx = platform.list_loan(borrower, principal=(len(lenders) + 1_100) * USDC)
    gas["list"] = tx.gas_used
    loan_id = tx.return_value
    for lender in lenders[:-3]:
        book.fund(loan_id, USDC, {"from": lender})
    tx = platform.autolend.createCommitment(platform.token, lifecycle.rule(), 5_000 * USDC, {"from": auto_lender})
    gas["create_commitment"] = tx.gas_used
    commitment_id = tx.return_value
    tx = platform.autolend.fundFromCommitment(commitment_id, loan_id, 100 * USDC, {"from": accounts[9]})
    gas["fund_from_commitment"] = tx.gas_used
    second_loan = platform.list_loan(borrower, principal=1_000 * USDC).return_value
    tx = platform.autolend.fundFromCommitment(commitment_id, second_loan, 100 * USDC, {"from": accounts[9]})
    gas["fund_from_commitment_known_borrower"] = tx.gas_used
    first, second, last = lenders[-3:]
    gas["fund_first"] = book.fund(loan_id, 400 * USDC, {"from": first}).gas_used
    gas["fund_repeat"] = book.fund(loan_id, 100 * USDC, {"from": first}).gas_used
    book.fund(loan_id, 300 * USDC, {"from": second})
    remaining = platform.lens.loan(loan_id)["principal"] - platform.lens.loan(loan_id)["funded"]
    book.fund(loan_id, remaining, {"from": last})  # completes the funding and starts the loan
    vault = platform.vault
    gas["top_up"] = vault.topUp(loan_id, WETH // 10, {"from": borrower}).gas_used
    gas["withdraw_collateral"] = vault.withdraw(loan_id, WETH // 10, {"from": borrower}).gas_used

    loan = platform.lens.loan(loan_id)
    for k in (1, 2):
        chain.sleep(loan["startTime"] + k * loan["period"] - 3600 - chain.time())
        tx = book.repay(loan_id, loan["instalment"], {"from": borrower})
    gas["repay_instalment"] = tx.gas_used
    gas["claim"] = book.claim(loan_id, {"from": first}).gas_used
    gas["transfer_note"] = book.safeTransferFrom(first, accounts[9], loan_id, 50 * USDC, b"",
                                                 {"from": first}).gas_used
    platform.set_eth_price(3_000 * 10**18)
    platform.set_eth_price(vault.health(loan_id)[1] * 95 // 100)  # 5% below the liquidation price
    debt = book.collateralState(loan_id)["debt"]
    gas["liquidate_partial"] = vault.liquidate(loan_id, debt // 5, {"from": liquidator}).gas_used
    chain.sleep(book.collateralState(loan_id)["defaultEligibleAt"] + 3600 - chain.time())
    gas["mark_default"] = book.markDefault(loan_id, {"from": accounts[9]}).gas_used
    platform.set_eth_price(3_000 * 10**18)
    debt = book.collateralState(loan_id)["debt"]
    gas["liquidate_full"] = vault.liquidate(loan_id, debt, {"from": liquidator}).gas_used
    platform.set_eth_price(3_000 * 10**18)
    unfunded = platform.list_loan(borrower, principal=1_000 * USDC).return_value
    chain.sleep(platform.lens.loan(unfunded)["fundingDeadline"] + 60 - chain.time())
    gas["expire"] = book.expire(unfunded, {"from": liquidator}).gas_used
    platform.set_eth_price(3_000 * 10**18)  # the week's wait left the feeds stale
    return {f"{name}{suffix}": value for name, value in gas.items()}


def lens_sweep_gas(platform, count=1_000, per_tx=50, per_call=250) -> int:
    """eth_call gas of a lens sweep over `count` active secured loans, in calls of `per_call` loans
    (Ganache answers one call of 1,000 in over a minute; a bot would page the same way). The loans
    are listed and funded in bulk by a BulkBorrower contract, count / per_tx transactions."""
    from brownie import BulkBorrower

    owner = accounts[0]
    bulk = BulkBorrower.deploy({"from": owner})
    platform.weth.mint(bulk, count * WETH, {"from": owner})
    platform.token.mint(bulk, count * 100 * USDC, {"from": owner})
    bulk.approve(platform.weth, platform.vault, {"from": owner})
    bulk.approve(platform.token, platform.book, {"from": owner})
    platform.set_eth_price(3_000 * 10**18)
    attestation, signature = lifecycle.attestation(platform.registry, platform.signer_key, bulk, grade=GRADE_C_PLUS)
    platform.registry.submit(attestation, signature, {"from": owner})
    terms = lifecycle.terms(platform.token, principal=100 * USDC, min_fill_bps=10_000, apr_bps=2_000,
                            collateral_token=platform.weth, collateral_amount=WETH)
    ids = []
    for _ in range(count // per_tx):
        tx = bulk.listAndFund(platform.book, terms, per_tx, {"from": owner})
        ids += [event["loanId"] for event in tx.events["LoanRequested"]]  # return_value would need a trace
    gas = 0
    for start in range(0, count, per_call):
        page = ids[start:start + per_call]
        states = platform.lens.loanStates(page)
        assert all(state["priceUsable"] and state["healthWad"] > 10**18 for state in states)
        gas += platform.lens.loanStates.estimate_gas(page)
    return gas


def write(results: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


def main():
    contracts = deploy.deploy()
    platform = Platform(contracts, account_key(deploy.LOCAL_SIGNER_INDEX))
    for who in accounts[1:20]:
        platform.equip(who)
    warm_up = platform.list_loan(accounts[18], principal=1_000 * USDC).return_value
    platform.book.fund(warm_up, USDC, {"from": accounts[17]})  # the book holds tokens from now on
    liquidator = accounts[19]
    auto_lenders = [accounts.add() for _ in range(2)]
    for who in auto_lenders:
        platform.equip(who, ether=True)
    results = measure(platform, accounts[1], accounts[2:6], auto_lenders[0], liquidator, "")
    crowd = [accounts.add() for _ in range(197)] + list(accounts[6:9])
    for who in crowd[:-3]:
        platform.equip(who, ether=True)
    results.update(measure(platform, accounts[10], crowd, auto_lenders[1], liquidator, "_200"))
    write(results)  # the sweep below takes minutes; keep what is measured
    results["lens_sweep_1000"] = lens_sweep_gas(platform)
    write(results)
    print("\noperation                                gas   (4 lenders | 200 lenders)")
    for name in [k for k in results if not k.endswith("_200")]:
        twin = results.get(name + "_200")
        print(f"{name:<36} {results[name]:>9,} | " + (f"{twin:>9,}" if twin else "       —"))
    print(f"written to {RESULTS}")
