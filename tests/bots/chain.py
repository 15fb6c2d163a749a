"""A real Ganache for the bot tests, on a port of toolchain.local_chain.PORTS, with the platform
deployed by scripts/deploy.py, and a small driver (Platform) to set up loans and move prices/time.

Transactions carry a gas price above Ganache's base fee (GAS_PRICE): Ganache 7 keeps an
underpriced transaction in its pool without mining it or saying why.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from web3 import HTTPProvider, Web3

from backend.attest import ScoreAttestation, sign_attestation
from toolchain.local_chain import PORTS, account_key, anvil_command, ganache_command

ROOT = Path(__file__).resolve().parents[2]
DAY = 86_400
USDC = 10**6
WETH = 10**18
FEED_UNIT = 10**8
GAS_PRICE = 2 * 10**9
GRADE_C_PLUS = 5  # collateral worth 50% of the principal required
ZERO = "0x" + "00" * 20
LIQUIDATOR_INDEX = 7  # the liquidator bot's local key (backend/tx/keys.py)


class Node:
    """Ganache (or, with `anvil`, anvil) on the port of `network_id`. With `keep_state` the chain
    lives in `directory`, so `restart()` brings the same chain back (a node restart); without it
    every start is a new chain."""

    def __init__(self, network_id: str, directory: Path, keep_state: bool = False, anvil: bool = False):
        self.network_id = network_id
        self.command = anvil_command(PORTS[network_id]) if anvil else None
        self.database = directory / "chain-db" if keep_state else None
        self.port = PORTS[network_id]
        self.url = f"http://127.0.0.1:{self.port}"
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def start(self) -> "Node":
        if Web3(HTTPProvider(self.url)).is_connected():
            raise RuntimeError(f"something already answers on port {self.port}; stop it first")
        if self.database:
            self.database.mkdir(exist_ok=True)
        log = (self.directory / "node.log").open("a")
        self.process = subprocess.Popen(self.command or ganache_command(self.port, self.database), stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        probe = Web3(HTTPProvider(self.url))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the node exited; see {self.directory / 'node.log'}")
            if probe.is_connected():
                return self
            time.sleep(0.2)
        raise RuntimeError("the node did not answer within 30 s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def deploy(self) -> dict:
        """scripts/deploy.py through brownie on this node; the map it writes into `directory`."""
        env = dict(os.environ, DEPLOYMENTS_DIR=str(self.directory), PYTHONWARNINGS="ignore")
        done = subprocess.run([str(ROOT / ".venv" / "bin" / "brownie"), "run", "scripts/deploy.py", "--network",
                               self.network_id], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"deployment failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return json.loads((self.directory / "1337.json").read_text())


class Platform:
    """web3 handles on the deployed contracts and the test accounts (Ganache unlocks them all)."""

    def __init__(self, url: str, deployment: dict):
        self.web3 = Web3(HTTPProvider(url))
        self.deployment = deployment
        self.c = {name: self.web3.eth.contract(address=e["address"], abi=e["abi"])
                  for name, e in deployment["contracts"].items()}
        accounts = self.web3.eth.accounts
        self.gov, self.borrower, self.lenders = accounts[0], accounts[2], accounts[3:6]
        self.liquidator = accounts[LIQUIDATOR_INDEX]
        self.signer_key = account_key(9)

    def send(self, function, sender, gas: int = 3_000_000):
        receipt = self.web3.eth.wait_for_transaction_receipt(
            function.transact({"from": sender, "gas": gas, "gasPrice": GAS_PRICE}), timeout=60)
        assert receipt.status == 1, receipt
        return receipt

    def rpc(self, method: str, *params):
        return self.web3.provider.make_request(method, list(params))["result"]

    def now(self) -> int:
        return self.web3.eth.get_block("latest")["timestamp"]

    def travel(self, seconds: int) -> None:
        self.rpc("evm_increaseTime", seconds)
        self.rpc("evm_mine")

    def set_eth_price(self, usd: int | str) -> None:
        """Fresh rounds on both feeds (the mock feeds go stale after two days of chain time)."""
        from decimal import Decimal

        self.send(self.c["EthUsdFeed"].functions.setAnswer(int(Decimal(str(usd)) * FEED_UNIT)), self.gov)
        self.send(self.c["UsdcUsdFeed"].functions.setAnswer(FEED_UNIT), self.gov)

    def equip(self, who: str, usdc: int = 1_000_000 * USDC, weth: int = 100 * WETH) -> None:
        usdc_token, weth_token = self.c["MockUSDC"], self.c["MockWETH"]
        self.send(usdc_token.functions.mint(who, usdc), who)
        self.send(weth_token.functions.mint(who, weth), who)
        for token, spender in ((usdc_token, "LoanBook"), (usdc_token, "CollateralVault"), (usdc_token, "AutoLend"),
                               (weth_token, "CollateralVault")):
            self.send(token.functions.approve(self.c[spender].address, 2**256 - 1), who)

    def attestation(self, who: str, grade: int, pd_bps: int) -> tuple[tuple, bytes]:
        registry = self.c["ScoreRegistry"]
        issued = self.now() - 60
        record = ScoreAttestation(borrower=who, grade=grade, pd_bps=pd_bps, issued_at=issued,
                                  expires_at=issued + 30 * DAY, nonce=registry.functions.nonces(who).call(),
                                  model_id="0x" + "ab" * 32)
        return record.to_abi_tuple(), sign_attestation(record, self.signer_key, 1337, registry.address)

    def terms(self, principal: int, deadline_days: float = 7, min_fill_bps: int = 7_000, collateral: int = 0,
              instalments: int = 12) -> tuple:
        weth = self.c["MockWETH"].address if collateral else "0x" + "00" * 20
        return (self.c["MockUSDC"].address, principal, 2_000, instalments, 30 * DAY,
                self.now() + int(deadline_days * DAY), min_fill_bps, 1, weth, collateral)

    def list_loan(self, principal: int = 1_000 * USDC, grade: int = GRADE_C_PLUS, collateral: int = WETH,
                  **terms) -> int:
        book = self.c["LoanBook"]
        attestation, signature = self.attestation(self.borrower, grade, 1_500)
        loan_id = book.functions.loanCount().call() + 1
        self.send(book.functions.requestLoan(self.terms(principal, collateral=collateral, **terms), attestation,
                                             signature), self.borrower)
        return loan_id

    def active_loan(self, principal: int = 1_000 * USDC, collateral: int = WETH, lender: str | None = None) -> int:
        loan_id = self.list_loan(principal, collateral=collateral, min_fill_bps=10_000)
        self.send(self.c["LoanBook"].functions.fund(loan_id, principal), lender or self.lenders[0])
        return loan_id

    def bulk_loans(self, count: int, principal: int = 100 * USDC, per_tx: int = 50) -> list[int]:
        """`count` active secured loans (1 WETH each), listed and funded by a BulkBorrower contract."""
        artifact = json.loads((ROOT / "build" / "contracts" / "BulkBorrower.json").read_text())
        factory = self.web3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        receipt = self.send(factory.constructor(), self.gov, gas=2_000_000)
        bulk = self.web3.eth.contract(address=receipt.contractAddress, abi=artifact["abi"])
        book, vault = self.c["LoanBook"], self.c["CollateralVault"]
        self.send(self.c["MockWETH"].functions.mint(bulk.address, count * WETH), self.gov)
        self.send(self.c["MockUSDC"].functions.mint(bulk.address, count * principal), self.gov)
        self.send(bulk.functions.approve(self.c["MockWETH"].address, vault.address), self.gov)
        self.send(bulk.functions.approve(self.c["MockUSDC"].address, book.address), self.gov)
        attestation, signature = self.attestation(bulk.address, GRADE_C_PLUS, 1_500)
        self.send(self.c["ScoreRegistry"].functions.submit(attestation, signature), self.gov)
        terms = self.terms(principal, min_fill_bps=10_000, collateral=WETH)
        first = book.functions.loanCount().call() + 1
        for start in range(0, count, per_tx):
            self.send(bulk.functions.listAndFund(book.address, terms, min(per_tx, count - start)), self.gov,
                      gas=29_000_000)
        return list(range(first, first + count))


def commit(platform, lender: str, deposit: int, *, worst_grade=5, max_per_loan=10_000 * USDC, reinvest=False,
           budget=10_000 * USDC, operator=ZERO) -> int:
    """A commitment by `lender` (the rule signed by the lender's own account), its id."""
    rule = (worst_grade, 1_000, 3_000, 400 * DAY, 0, max_per_loan, 10_000 * USDC, budget, platform.now() + 30 * DAY,
            reinvest, 2**32 - 1, 10_000, operator)
    autolend = platform.c["AutoLend"]
    platform.send(autolend.functions.createCommitment(platform.c["MockUSDC"].address, rule, deposit), lender)
    return autolend.functions.commitmentCount().call()


def fundings(platform) -> list[tuple[int, int, int]]:
    """(commitment, loan, amount) of every FundedFromCommitment event."""
    events = platform.c["AutoLend"].events.FundedFromCommitment.get_logs(from_block=0)
    return [(e["args"]["commitmentId"], e["args"]["loanId"], e["args"]["amount"]) for e in events]


def index(app, deployment: dict, url: str) -> None:
    """Run the indexer until it has caught up with the node (the bots read the indexed loans)."""
    from backend.db import database
    from backend.indexer import Indexer, RpcSource

    indexer = Indexer(deployment)
    with database(app).session() as db:
        while not indexer.step(db, RpcSource(url)).caught_up:
            pass
