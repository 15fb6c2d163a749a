"""Browser-test fixtures: Debian's chromium, a Ganache of our own (port 8585), the contracts
deployed by scripts/deploy.py, the backend (Flask + indexer) on a free port with a fresh SQLite
database, two seeded listings, and a Playwright page per test.

Everything is started once per session and stopped at the end; screenshots go to artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.chain import Chain, get_json, wait_until
from toolchain.chromium import ensure_chromium
from toolchain.local_chain import PORTS, account_key, ganache_command

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DIST = ROOT / "frontend" / "dist" / "index.html"
CHAIN_PORT = PORTS["lendchain-e2e"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) == 0


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def start(command: list[str], log: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's chromium (toolchain/chromium.py installs it when missing and we are root); else skip."""
    path = ensure_chromium()
    if not path:
        pytest.skip("Debian's chromium is not installed and could not be installed (needs root and apt-get)")
    return path


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def chain(workdir):
    """A fresh Ganache on 8585 with every contract deployed; yields a Chain (web3 helpers)."""
    if port_open(CHAIN_PORT):
        pytest.fail(f"port {CHAIN_PORT} (lendchain-e2e) is already in use: stop what listens there")
    ganache = start(ganache_command(CHAIN_PORT) + ["--logging.quiet", "true"], workdir / "ganache.log")
    try:
        wait_until(lambda: port_open(CHAIN_PORT), "Ganache to listen", timeout=60)
        env = dict(os.environ, DEPLOYMENTS_DIR=str(workdir), PYTHONWARNINGS="ignore::FutureWarning")
        subprocess.run([BIN / "python", "-m", "toolchain.local_chain"], cwd=ROOT, check=True, capture_output=True)
        deploy = subprocess.run([BIN / "brownie", "run", "scripts/deploy.py", "--network", "lendchain-e2e"], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=600)
        assert deploy.returncode == 0, deploy.stdout[-3000:] + deploy.stderr[-3000:]
        deployment = json.loads((workdir / "1337.json").read_text())
        yield Chain(f"http://127.0.0.1:{CHAIN_PORT}", deployment)
    finally:
        stop(ganache)


FLASK = [str(BIN / "flask"), "--app", "backend"]


@pytest.fixture(scope="session")
def web_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def backend_env(chain, workdir, web_port) -> dict:
    """The environment of every backend process (web, indexer, bots): the chain, the fresh SQLite
    database, the signer."""
    port = web_port
    return dict(os.environ, DATABASE_URL=f"sqlite:///{workdir / 'e2e.db'}", RPC_URL=f"http://127.0.0.1:{CHAIN_PORT}",
                DEPLOYMENTS_DIR=str(workdir), CHAIN_ID="1337", SCORE_SIGNER_KEY=account_key(9),
                SIWE_DOMAIN=f"127.0.0.1:{port}", CONFIRMATIONS="0", INDEXER_POLL_SECONDS="0.3",
                VERIFICATION_MODE="console", PYTHONWARNINGS="ignore")


@pytest.fixture(scope="session")
def backend(backend_env, web_port, workdir):
    """Flask serving the API and the built UI, and the indexer, on a fresh SQLite database."""
    if not DIST.exists():
        pytest.fail("the UI is not built: run toolchain/frontend_setup.sh (make test-e2e does)")
    env, port, flask = backend_env, web_port, FLASK
    migrated = subprocess.run(flask + ["lendchain-db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert migrated.returncode == 0, f"database migration failed:\n{migrated.stderr[-3000:]}"
    server = start(flask + ["run", "--port", str(port), "--no-reload"], workdir / "flask.log", env)
    indexer = start(flask + ["indexer", "run"], workdir / "indexer.log", env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: get_json(f"{base}/chain")["chainId"] == 1337, "the backend to serve /chain", timeout=60)
        yield base
    finally:
        stop(indexer)
        stop(server)
        for name in ("flask.log", "indexer.log"):
            shutil.copy(workdir / name, ARTIFACTS / name)


@pytest.fixture(scope="session")
def keepers(backend, backend_env, workdir):
    """The auto-lend bot, the liquidator and the local price publisher as processes beside the backend."""
    names = ("autolend", "liquidator", "prices")
    processes = [start(FLASK + ["bots", name, "run"], workdir / f"{name}.log", dict(backend_env, BOT_POLL_SECONDS="0.3"))
                 for name in names]
    yield
    for process, name in zip(processes, names):
        stop(process)
        shutil.copy(workdir / f"{name}.log", ARTIFACTS / f"{name}.log")


@pytest.fixture(scope="session")
def seeded(chain, backend):
    """Two listings by account #1 (grade B+ and A) and an active loan (A+), indexed; returns their ids."""
    borrower = chain.accounts[1]
    ids = [chain.list_loan(borrower, 1_000, apr_bps=1_200, grade=3, pd_bps=450),
           chain.list_loan(borrower, 2_500, apr_bps=900, grade=2, pd_bps=200, purpose=3)]
    # A third, funded in full by account #4, is active (so stats and schedules have something to show).
    active = chain.list_loan(borrower, 600, apr_bps=1_000, grade=1, pd_bps=100, purpose=1)
    chain.mint(chain.accounts[4])  # more tokens for account #4, which test_flows uses again
    chain.fund(chain.accounts[4], active, 600)
    wait_until(lambda: get_json(f"{backend}/loans?status=listed")["total"] >= 2
               and get_json(f"{backend}/loans?status=active")["total"] >= 1, "the indexer to see the listings")
    return ids + [active]


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # chain transactions and the first scoring take seconds

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, backend):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=backend)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def connect_dev(page, index: int) -> None:
    """Pick development account #index in the wallet bar."""
    page.get_by_label("Development account").select_option(str(index))
    page.get_by_test_id("wallet-address").wait_for()


def sign(page) -> None:
    """Confirm the open transaction plan (components/TxPanel.tsx), wait for its outcome, close it."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Confirm and sign").click()
    try:
        expect(page.get_by_text(re.compile(r"Done\. Gas used: [\d,]+"))).to_be_visible(timeout=30_000)
    except AssertionError as error:  # say what the panel showed (the decoded reason), not only that it timed out
        raise AssertionError(f"the plan did not finish: {page.get_by_role('region', name='Transaction').all_inner_texts()}") from error
    page.get_by_role("button", name="Close", exact=True).click()


def faucet(page) -> None:
    """Test tokens for the connected development account (the wallet bar's faucet)."""
    page.get_by_role("button", name="Get test tokens").click()
    sign(page)


def shot(page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def query_db(backend_env: dict, statement) -> list[tuple]:
    """Rows of a SQLAlchemy `statement` run on the backend's database (what the API and bots stored)."""
    from sqlalchemy import create_engine

    engine = create_engine(backend_env["DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(statement).all()]
    finally:
        engine.dispose()
