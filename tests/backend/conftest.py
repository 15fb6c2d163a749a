"""Backend test fixtures: a fresh database per session (SQLite file, or a new PostgreSQL database
when LENDCHAIN_TEST_DATABASE_URL / --backend-db names a server), emptied after every test; an app
per test with a fake chain, console verification providers and, where needed, a real model.

    LENDCHAIN_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test pytest tests/backend
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import siwe
from eth_account import Account
from eth_account.messages import encode_defunct
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from backend import create_app
from backend.chain import ChainUnavailable, Head
from backend.db import make_engine, migrate
from backend.db.models import Base
from backend.verification.base import Providers
from backend.verification.console import ConsoleCodeSender, DevOpenBanking, FakeOAuthProvider

DOMAIN = "lendchain.test"
CHAIN_ID = 1337
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
SIGNER_KEY = "0x" + "5a" * 32  # test-only key
BLOCK_TIME = 1_900_000_000  # the chain clock, months ahead of the wall clock
OPERATOR = Account.from_key("0x" + "01" * 32)
ALICE = Account.from_key("0x" + "a1" * 32)
BOB = Account.from_key("0x" + "b0" * 32)


def pytest_addoption(parser):
    parser.addoption("--backend-db", default=os.environ.get("LENDCHAIN_TEST_DATABASE_URL", ""),
                     help="PostgreSQL server URL for the backend tests (default: a SQLite file)")


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory):
    server = request.config.getoption("--backend-db")
    if not server:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        migrate.upgrade(url)
        yield url
        return
    url = make_url(server)
    name = f"lendchain_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    fresh = url.set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(fresh)
    yield fresh
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def cleaner(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def clean_database(request, cleaner):
    yield
    if "database_url" in request.fixturenames:
        with cleaner.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


class FakeChain:
    """The ChainReader interface over dicts (backend/chain.py)."""

    chain_id = CHAIN_ID

    def __init__(self):
        self.down = False
        self.block = Head(1234, BLOCK_TIME)
        self.history: dict[str, dict[str, int]] = {}
        self.nonces: dict[str, int] = {}
        self.states: dict[int, dict] = {}  # LoanLens.loanStates answers by loan id
        self.claimable: dict[tuple[int, str], int] = {}

    def _check(self):
        if self.down:
            raise ChainUnavailable("reading the latest block failed at http://127.0.0.1:1: ConnectionError")

    def head(self):
        self._check()
        return self.block

    def address_of(self, name):
        self._check()
        return REGISTRY

    def score_history(self, wallet):
        self._check()
        return dict(self.history.get(wallet, {}))

    def score_nonce(self, wallet):
        self._check()
        return self.nonces.get(wallet, 0)

    def loan_states(self, loan_ids):
        self._check()
        return [self.states[i] for i in loan_ids]

    def claimables(self, loan_ids, holder):
        self._check()
        return [self.claimable.get((i, holder), 0) for i in loan_ids]


@pytest.fixture
def chain():
    return FakeChain()


@pytest.fixture
def providers():
    return Providers(ConsoleCodeSender("email"), ConsoleCodeSender("phone"),
                     FakeOAuthProvider("http://lendchain.test/social/callback"), DevOpenBanking())


@pytest.fixture
def config(database_url, chain, providers, tmp_path):
    return {
        "TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test", "SIWE_DOMAIN": DOMAIN,
        "CHAIN": chain, "VERIFICATION_PROVIDERS": providers, "OPERATOR_ADDRESSES": frozenset({OPERATOR.address.lower()}),
        "SCORE_SIGNER_KEY": SIGNER_KEY, "SCORING_MODEL_DIR": str(tmp_path / "no-model"), "UPLOAD_MAX_BYTES": 4096,
    }


@pytest.fixture
def app(config):
    app = create_app(config)
    yield app
    from backend.db import database
    database(app).dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def scorer(tmp_path_factory):
    """A real model: the repository's default model (trained if absent, as `python -m scoring
    ensure-default` does), or a fresh one trained here if that one cannot be loaded."""
    from scoring.artifact import load
    from scoring.serving import Scorer
    from scoring.train import DEFAULT_MODEL_DIR, ensure_default_model

    try:
        ensure_default_model(DEFAULT_MODEL_DIR)
        return Scorer(load(DEFAULT_MODEL_DIR))
    except Exception:  # e.g. trained by another scikit-learn or schema version
        directory = tmp_path_factory.mktemp("model")
        ensure_default_model(directory)
        return Scorer(load(directory))


def siwe_message(account, nonce, domain=DOMAIN, chain_id=CHAIN_ID, expiration=None) -> str:
    return siwe.SiweMessage(
        domain=domain, address=account.address, uri=f"https://{domain}/login", version="1", chain_id=chain_id,
        issued_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), nonce=nonce,
        statement="Sign in to Lendchain", expiration_time=expiration).prepare_message()


def sign(account, message: str) -> str:
    return "0x" + bytes(account.sign_message(encode_defunct(text=message)).signature).hex()


def sign_in(client, account, **message_options) -> str:
    nonce = client.post("/auth/nonce").json["nonce"]
    message = siwe_message(account, nonce, **message_options)
    response = client.post("/auth/login", json={"message": message, "signature": sign(account, message)})
    assert response.status_code == 200, response.json
    return response.json["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def alice(client):
    return bearer(sign_in(client, ALICE))


@pytest.fixture
def operator(client):
    return bearer(sign_in(client, OPERATOR))


def later(seconds: int) -> datetime:
    return datetime.now(timezone.utc) + timedelta(seconds=seconds)
