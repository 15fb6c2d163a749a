"""web3.py helpers for the browser tests: the seeded state the UI then shows (mint, list a loan
with a signed score attestation) and waiting until the indexer has caught up."""

from __future__ import annotations

import json
import time
import urllib.request

from web3 import Web3

from backend.attest import ScoreAttestation, sign_attestation
from toolchain.local_chain import account_key

DAY = 24 * 3600
USDC = 10**6
SIGNER_INDEX = 9
MODEL_ID = "0x" + "ab" * 32
ZERO = "0x" + "00" * 20


class Chain:
    def __init__(self, rpc_url: str, deployment: dict):
        self.w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 30}))
        self.deployment = deployment
        self.accounts = self.w3.eth.accounts

    def contract(self, name: str):
        entry = self.deployment["contracts"][name]
        return self.w3.eth.contract(address=entry["address"], abi=entry["abi"])

    def send(self, fn, sender: str):
        tx = fn.transact({"from": sender, "gas": 3_000_000})  # not the node's estimate: see frontend gasLimit()
        receipt = self.w3.eth.wait_for_transaction_receipt(tx, timeout=60)
        assert receipt.status == 1, f"transaction reverted: {fn}"
        return receipt

    def mint(self, who: str, usdc: int = 10_000) -> None:
        self.send(self.contract("MockUSDC").functions.mint(who, usdc * USDC), who)

    def fund(self, lender: str, loan_id: int, usdc: int) -> None:
        """Mint `usdc` whole mUSDC to `lender`, approve the loan book and fund the loan with it."""
        self.mint(lender, usdc)
        self.send(self.contract("MockUSDC").functions.approve(self.contract("LoanBook").address, usdc * USDC), lender)
        self.send(self.contract("LoanBook").functions.fund(loan_id, usdc * USDC), lender)

    def list_loan(self, borrower: str, principal: int, apr_bps: int = 1_200, grade: int = 3, pd_bps: int = 450,
                  instalments: int = 12, purpose: int = 0, weth: int = 0) -> int:
        """List a loan, unsecured (grades A+..B need no collateral) or with `weth` base units of mWETH
        escrowed (minted to the borrower and approved here); returns its id."""
        registry, book = self.contract("ScoreRegistry"), self.contract("LoanBook")
        now = self.w3.eth.get_block("latest")["timestamp"]
        record = ScoreAttestation(borrower=borrower, grade=grade, pd_bps=pd_bps, issued_at=now - 60,
                                  expires_at=now + 30 * DAY, nonce=registry.functions.nonces(borrower).call(),
                                  model_id=MODEL_ID)
        signature = sign_attestation(record, account_key(SIGNER_INDEX), self.w3.eth.chain_id, registry.address)
        collateral = ZERO
        if weth:
            token, vault = self.contract("MockWETH"), self.contract("CollateralVault")
            self.send(token.functions.mint(borrower, weth), borrower)
            self.send(token.functions.approve(vault.address, weth), borrower)
            collateral = token.address
        terms = (self.contract("MockUSDC").address, principal * USDC, apr_bps, instalments, 30 * DAY, now + 14 * DAY,
                 7_000, purpose, collateral, weth)
        self.send(book.functions.requestLoan(terms, record.to_abi_tuple(), signature), borrower)
        return book.functions.loanCount().call()  # ids run 1..loanCount


def money(units: int) -> str:
    """mUSDC base units as the UI shows them (lib/format.ts formatMoney): '1,234.50 mUSDC', cut to cents."""
    return f"{units // USDC:,}.{units % USDC // 10**4:02d} mUSDC"


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def wait_until(predicate, what: str, timeout: float = 30.0, every: float = 0.3):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as error:  # the server may still be starting
            last = error
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")
