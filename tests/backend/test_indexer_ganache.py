"""The indexer against a real Ganache (port 8605, `lendchain-backend`): a deployed platform driven
through a lifecycle (list, fund, repay, claim, note transfers, lateness, expiry and refund,
collateral, default, liquidation), then the database must equal the chain: holdings = balanceOf,
statuses = the lens, amounts due and lateness = the lens. Then a reorg (evm_snapshot/evm_revert
and new blocks) and a node restart (a fresh Ganache on the same port), which the indexer refuses
until `indexer reset`.

Transactions carry an explicit gas price (GAS_PRICE): Ganache 7 leaves a transaction whose fee
does not cover the next block's base fee in its pool, unmined, without an error.

One Ganache and one deployment per session; the tests run in file order and share the chain.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from web3 import HTTPProvider, Web3

from backend.attest import ScoreAttestation, sign_attestation
from backend.db import database
from backend.db.models import ChainEvent, IndexerCheckpoint, Loan, LoanOutcome, NoteHolding
from backend.indexer import ChainMismatch, Indexer, RpcSource
from backend.indexer.projection import ViewReader
from backend.loan_model import LoanState
from toolchain.local_chain import PORTS, account_key, ganache_command

ROOT = Path(__file__).resolve().parents[2]
PORT = PORTS["lendchain-backend"]
URL = f"http://127.0.0.1:{PORT}"
DAY = 86400
USDC = 10**6
GAS_PRICE = 2 * 10**9  # 2 gwei, above Ganache's base fee
STATUS = ("none", "listed", "active", "repaid", "defaulted", "cancelled", "expired", "closed")
pytestmark = pytest.mark.skipif(not (ROOT / "node_modules" / ".bin" / "ganache").exists(),
                                reason="Ganache not installed (make setup)")


def start_ganache(log_path: Path) -> subprocess.Popen:
    process = subprocess.Popen(ganache_command(PORT), stdout=log_path.open("w"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    web3 = Web3(HTTPProvider(URL))
    for _ in range(150):
        try:
            web3.eth.chain_id
            return process
        except Exception:  # noqa: BLE001 - not answering yet
            if process.poll() is not None:
                raise RuntimeError(f"Ganache exited; see {log_path}")
            time.sleep(0.2)
    raise RuntimeError("Ganache did not answer within 30 s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def node(tmp_path_factory):
    """Ganache on PORT with the platform deployed by scripts/deploy.py; yields a dict the restart test updates."""
    directory = tmp_path_factory.mktemp("ganache")
    if Web3(HTTPProvider(URL)).is_connected():
        pytest.fail(f"something already answers on port {PORT}; stop it first")
    state = {"process": start_ganache(directory / "ganache.log"), "dir": directory}
    try:
        state["deployment"] = deploy(directory)
    except BaseException:
        stop(state["process"])
        raise
    yield state
    stop(state["process"])


def deploy(directory: Path) -> dict:
    """scripts/deploy.py on the node at PORT; the map it writes to `directory`."""
    env = dict(os.environ, DEPLOYMENTS_DIR=str(directory), PYTHONWARNINGS="ignore")
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "brownie"), "run", "scripts/deploy.py", "--network",
                           "lendchain-backend"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"deployment failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads((directory / "1337.json").read_text())


class Platform:
    """web3 handles on the deployed contracts, accounts and small helpers."""

    def __init__(self, deployment: dict):
        self.web3 = Web3(HTTPProvider(URL))
        self.deployment = deployment
        self.c = {name: self.web3.eth.contract(address=e["address"], abi=e["abi"])
                  for name, e in deployment["contracts"].items()}
        accounts = self.web3.eth.accounts
        self.gov, self.borrower, self.lenders, self.liquidator = accounts[0], accounts[2], accounts[3:6], accounts[6]
        self.signer_key = account_key(9)

    def send(self, function, sender):
        tx = function.transact({"from": sender, "gas": 3_000_000, "gasPrice": GAS_PRICE})
        receipt = self.web3.eth.wait_for_transaction_receipt(tx, timeout=30)
        assert receipt.status == 1
        return receipt

    def rpc(self, method, *params):
        return self.web3.provider.make_request(method, list(params))["result"]

    def travel(self, seconds):
        self.rpc("evm_increaseTime", seconds)
        self.rpc("evm_mine")

    def refresh_prices(self):
        """New rounds on both feeds (locally a price is stale after two days)."""
        self.send(self.c["EthUsdFeed"].functions.setAnswer(3_000 * 10**8), self.gov)
        self.send(self.c["UsdcUsdFeed"].functions.setAnswer(10**8), self.gov)

    def now(self):
        return self.web3.eth.get_block("latest")["timestamp"]

    def list_loan(self, grade=3, pd_bps=450, principal=1_000 * USDC, instalments=12, deadline_days=7,
                  collateral=None, collateral_amount=0):
        registry, book = self.c["ScoreRegistry"], self.c["LoanBook"]
        issued = self.now() - 60
        attestation = ScoreAttestation(borrower=self.borrower, grade=grade, pd_bps=pd_bps, issued_at=issued,
                                       expires_at=issued + 30 * DAY, nonce=registry.functions.nonces(self.borrower).call(),
                                       model_id="0x" + "ab" * 32)
        signature = sign_attestation(attestation, self.signer_key, 1337, registry.address)
        terms = (self.c["MockUSDC"].address, principal, 1_200, instalments, 30 * DAY, self.now() + deadline_days * DAY,
                 7_000, 1, collateral or "0x" + "00" * 20, collateral_amount)
        loan_id = book.functions.loanCount().call() + 1
        self.send(book.functions.requestLoan(terms, attestation.to_abi_tuple(), signature), self.borrower)
        return loan_id

    def setup_accounts(self):
        usdc, weth, book = self.c["MockUSDC"], self.c["MockWETH"], self.c["LoanBook"]
        for who in [self.borrower, *self.lenders, self.liquidator]:
            self.send(usdc.functions.mint(who, 1_000_000 * USDC), who)
            self.send(usdc.functions.approve(book.address, 2**256 - 1), who)
        self.send(weth.functions.mint(self.borrower, 100 * 10**18), self.borrower)
        self.send(weth.functions.approve(self.c["CollateralVault"].address, 2**256 - 1), self.borrower)
        self.send(usdc.functions.approve(self.c["CollateralVault"].address, 2**256 - 1), self.liquidator)


@pytest.fixture(scope="session")
def platform(node):
    platform = Platform(node["deployment"])
    platform.setup_accounts()
    return platform


@pytest.fixture(scope="session")
def backend_app(database_url, node):
    from backend import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RPC_URL": URL,
                      "DEPLOYMENTS_DIR": str(node["dir"]), "SCORING_MODEL_DIR": "/nonexistent"})
    yield app
    database(app).dispose()


@pytest.fixture(autouse=True)
def clean_database():
    """Overrides conftest's per-test cleaning: these tests share one indexed chain, in order."""
    yield


@pytest.fixture(scope="module", autouse=True)
def clean_database_after_module(cleaner):
    """...and the module leaves the session's database empty for the tests after it."""
    yield
    from backend.db.models import Base

    with cleaner.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def index(app, node, **options):
    indexer = Indexer(node["deployment"], **options)
    results = []
    with database(app).session() as db:
        while True:
            results.append(indexer.step(db, RpcSource(URL)))
            if results[-1].caught_up:
                return results


def assert_database_equals_chain(app, platform):
    book, lens = platform.c["LoanBook"], platform.c["LoanLens"]
    count = book.functions.loanCount().call()
    ids = list(range(1, count + 1))
    states = lens.functions.loanStates(ids).call()
    now = platform.now()
    with database(app).session() as db:
        loans = {l.loan_id: l for l in db.scalars(select(Loan))}
        assert sorted(loans) == ids
        holders = db.scalars(select(NoteHolding)).all()
        candidates = {platform.borrower, *platform.lenders, platform.liquidator, platform.c["AutoLend"].address}
        for loan_id in ids:
            held = {h.holder: int(h.amount) for h in holders if h.loan_id == loan_id}
            for who in candidates:
                assert held.get(who, 0) == book.functions.balanceOf(who, loan_id).call(), (loan_id, who)
        for loan_id, state in zip(ids, states):
            loan = loans[loan_id]
            assert loan.status == STATUS[state[1]], loan_id
            assert int(loan.outstanding) == lens.functions.loan(loan_id).call()[13] or loan.status in (
                "listed", "cancelled", "expired"), loan_id
            assert not loan.model_mismatch
            if loan.status in ("active", "defaulted"):
                model = LoanState.from_dict(loan.state)
                due = model.amount_due(now)
                assert (due["late_fees"], due["interest"], due["to_be_current"], due["payoff"],
                        due["next_due_date"]) == tuple(state[2]), loan_id
                assert model.is_late(now) == state[3], loan_id
                assert loan.default_eligible_at - now == state[4] or state[4] == 0


def test_lifecycle_database_equals_chain(platform, backend_app, node):
    p = platform
    book, vault = p.c["LoanBook"], p.c["CollateralVault"]
    a, b, c = p.lenders
    # loan 1: funded by two lenders, repaid once, claimed, notes transferred (single and batch)
    one = p.list_loan()
    p.send(book.functions.fund(one, 600 * USDC), a)
    p.send(book.functions.fund(one, 400 * USDC), b)
    p.travel(30 * DAY)
    instalment = book.functions.loanRecord(one).call()[2][9]
    p.send(book.functions.repay(one, instalment), p.borrower)
    p.send(book.functions.claim(one), a)
    p.send(book.functions.safeTransferFrom(b, c, one, 150 * USDC, b""), b)
    # loan 2: partly funded, expires, one lender refunds
    two = p.list_loan(principal=500 * USDC, deadline_days=2)
    p.send(book.functions.fund(two, 100 * USDC), a)
    p.send(book.functions.fund(two, 100 * USDC), c)
    p.send(book.functions.safeBatchTransferFrom(a, b, [one, two], [50 * USDC, 40 * USDC], b""), a)
    p.travel(3 * DAY)
    p.send(book.functions.expire(two), c)
    p.send(book.functions.refund(two), c)
    # loan 3: secured (grade C+, 50% collateral), funded, then never repaid: late, defaulted, liquidated
    p.refresh_prices()
    three = p.list_loan(grade=5, pd_bps=1_500, principal=1_000 * USDC, collateral=p.c["MockWETH"].address,
                        collateral_amount=10**18)
    p.send(book.functions.fund(three, 1_000 * USDC), c)
    index(backend_app, node)
    assert_database_equals_chain(backend_app, p)
    p.travel(60 * DAY)  # loans 1 and 3 are now late
    p.refresh_prices()
    index(backend_app, node)
    assert_database_equals_chain(backend_app, p)
    with database(backend_app).session() as db:
        assert {l.loan_id for l in db.scalars(select(Loan)) if l.late_at is not None and l.late_at < p.now()} == {one, three}
    p.travel(120 * DAY)
    p.refresh_prices()
    p.send(book.functions.markDefault(three), p.liquidator)
    p.send(vault.functions.liquidate(three, 200 * USDC), p.liquidator)
    index(backend_app, node, batch_blocks=7)  # several bounded ranges
    assert_database_equals_chain(backend_app, p)
    with database(backend_app).session() as db:
        loan = db.get(Loan, (1337, three))
        assert loan.status == "defaulted" and int(loan.recovered) > 0
        assert db.get(LoanOutcome, (1337, three)).outcome == "defaulted"
        assert db.scalar(select(func.count()).select_from(ChainEvent).where(ChainEvent.event.is_(None))) == 0
        assert db.scalar(select(func.count()).select_from(ChainEvent).where(ChainEvent.event == "AnswerUpdated")) >= 2
    client = backend_app.test_client()
    detail = client.get(f"/loans/{one}").get_json()
    assert detail["live"] is True and detail["late"] is True and len(detail["repayments"]) == 1
    health = client.get(f"/loans/{three}").get_json()["health"]
    assert health["price_usable"] is True and int(health["liquidation_price_wad"]) > 0
    portfolio = client.get(f"/lenders/{a}/portfolio").get_json()
    assert {i["id"]: i["claimable"] for i in portfolio["items"]}[one] == "0"


def chain_logs(platform) -> set[tuple[str, int]]:
    """(block hash, log index) of every log the indexer follows, as the node has them now."""
    addresses = list(Indexer(platform.deployment).decoder.addresses)
    logs = platform.web3.eth.get_logs({"fromBlock": int(platform.deployment.get("startBlock", 0)),
                                       "toBlock": "latest", "address": addresses})
    return {(log["blockHash"].to_0x_hex(), log["logIndex"]) for log in logs}


def stored_logs(app) -> list[tuple[str, int]]:
    with database(app).session() as db:
        return [(h, i) for h, i in db.execute(select(ChainEvent.block_hash, ChainEvent.log_index))]


def test_reorg_rolls_back_to_the_fork_point(platform, backend_app, node):
    p = platform
    book = p.c["LoanBook"]
    a, b, c = p.lenders
    index(backend_app, node)
    fork = p.web3.eth.block_number
    at_fork = stored_logs(backend_app)
    assert set(at_fork) == chain_logs(p)
    snapshot = p.rpc("evm_snapshot")
    p.send(book.functions.safeTransferFrom(c, a, 1, 10 * USDC, b""), c)
    p.send(book.functions.repay(1, 5 * USDC), p.borrower)
    assert p.web3.eth.block_number == fork + 2
    index(backend_app, node)
    orphaned = set(stored_logs(backend_app)) - set(at_fork)
    assert len(orphaned) >= 3  # the note transfer, the repayment and its late fees / transfer events
    with database(backend_app).session() as db:
        assert int(db.get(Loan, (1337, 1)).principal_repaid) > 0
    assert p.rpc("evm_revert", snapshot) is True
    assert p.web3.eth.block_number == fork
    replacements = [p.send(book.functions.safeTransferFrom(b, c, 1, 1 * USDC, b""), b) for _ in range(3)]
    assert p.web3.eth.block_number == fork + 3  # a longer fork: its blocks 1 and 2 replace the indexed ones
    results = index(backend_app, node)
    assert results[0].rolled_back_to == fork and results[0].removed == len(orphaned)
    stored = stored_logs(backend_app)
    assert len(stored) == len(set(stored))  # no duplicates
    assert set(stored) == chain_logs(p)  # exactly the chain's logs: none of the orphaned ones
    assert not set(stored) & orphaned
    new_blocks = {r["blockHash"].to_0x_hex() for r in replacements}
    assert len(set(stored) - set(at_fork)) == 3 and {h for h, _ in set(stored) - set(at_fork)} == new_blocks
    assert_database_equals_chain(backend_app, p)
    with database(backend_app).session() as db:
        checkpoint = db.scalars(select(IndexerCheckpoint)).one()
        assert checkpoint.block_number == fork + 3
        assert checkpoint.block_hash == p.web3.eth.get_block(fork + 3)["hash"].to_0x_hex()


def test_a_restarted_node_is_refused_until_reset(platform, backend_app, node):
    stop(node["process"])
    node["process"] = start_ganache(node["dir"] / "ganache-restarted.log")
    with database(backend_app).session() as db:
        events = db.scalar(select(func.count()).select_from(ChainEvent))
        with pytest.raises(ChainMismatch, match="indexer reset"):
            Indexer(node["deployment"]).step(db, RpcSource(URL))
        assert db.scalar(select(func.count()).select_from(ChainEvent)) == events
    runner = backend_app.test_cli_runner()
    outcome = runner.invoke(args=["indexer", "run", "--once"])
    assert outcome.exit_code == 2 and "not the chain this database indexed" in outcome.output
    assert "indexer reset --yes" in outcome.output
    # the documented way out: redeploy on the new node, reset, index again
    node["deployment"] = deploy(node["dir"])
    assert runner.invoke(args=["indexer", "run", "--once"]).exit_code == 2  # still refused before the reset
    outcome = runner.invoke(args=["indexer", "reset", "--yes"])
    assert outcome.exit_code == 0 and "chain_events" in outcome.output
    outcome = runner.invoke(args=["indexer", "run", "--once"])
    assert outcome.exit_code == 0, outcome.output
    fresh = Platform(node["deployment"])
    stored = stored_logs(backend_app)
    assert len(stored) == len(set(stored)) and set(stored) == chain_logs(fresh) != set()
    with database(backend_app).session() as db:
        assert db.scalar(select(func.count()).select_from(Loan)) == 0
        checkpoint = db.scalars(select(IndexerCheckpoint)).one()
        assert checkpoint.start_hash == fresh.web3.eth.get_block(checkpoint.start_block)["hash"].to_0x_hex()
