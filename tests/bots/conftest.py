"""Bot test fixtures: one Ganache on port 8615 (`lendchain-bots`) with the platform deployed by
scripts/deploy.py for the whole session, the backend's test database (SQLite file, or PostgreSQL
with --backend-db / LENDCHAIN_TEST_DATABASE_URL, as in tests/backend), and an app wired to both.

Modules share the chain (each sets up its own loans) and empty the database when they finish.
"""

from __future__ import annotations

import os

import pytest

from tests.backend.conftest import cleaner, database_url  # noqa: F401 - fixtures shared with the backend tests
from tests.bots.chain import ROOT, Node, Platform

pytestmark = pytest.mark.skipif(not (ROOT / "node_modules" / ".bin" / "ganache").exists(),
                                reason="Ganache not installed (make setup)")


def pytest_configure(config):
    config.addinivalue_line("markers", "count(n): how many loans a scenario sets up")


def pytest_addoption(parser):
    try:  # tests/backend/conftest.py registers the same option when both directories run together
        parser.addoption("--backend-db", default=os.environ.get("LENDCHAIN_TEST_DATABASE_URL", ""),
                         help="PostgreSQL server URL for the backend and bot tests (default: a SQLite file)")
    except ValueError:
        pass


def chain_fixtures(network_id: str, keep_state: bool = False):
    """The session fixtures `node`, `platform` and `bots_app` for the chain on `network_id`'s port.
    A directory whose tests need a chain of their own defines all three again from here (a session
    fixture is cached once, so overriding `node` alone would leave them on the first chain built)."""

    @pytest.fixture(scope="session", name="node")
    def node_fixture(tmp_path_factory):
        chain = Node(network_id, tmp_path_factory.mktemp(network_id), keep_state).start()
        try:
            chain.deployment = chain.deploy()
            yield chain
        finally:
            chain.stop()

    @pytest.fixture(scope="session", name="platform")
    def platform_fixture(node):
        platform = Platform(node.url, node.deployment)
        for who in [platform.borrower, *platform.lenders, platform.liquidator]:
            platform.equip(who)
        return platform

    @pytest.fixture(scope="session", name="bots_app")
    def bots_app_fixture(database_url, node):  # noqa: F811 - the imported fixture
        from backend import create_app
        from backend.db import database

        app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RPC_URL": node.url,
                          "DEPLOYMENTS_DIR": str(node.directory), "SCORING_MODEL_DIR": "/nonexistent",
                          "BOT_BACKOFF_SECONDS": 0.05, "BOT_STALE_CLAIM_SECONDS": 5,
                          "BOT_RECEIPT_TIMEOUT_SECONDS": 30, "NOTIFY_CHANNELS": ""})
        yield app
        database(app).dispose()

    return node_fixture, platform_fixture, bots_app_fixture


node, platform, bots_app = chain_fixtures("lendchain-bots")


def empty_database(engine) -> None:
    from backend.db.models import Base

    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(scope="module", autouse=True)
def empty_database_after_module(cleaner):  # noqa: F811 - the imported fixture
    yield
    empty_database(cleaner)


@pytest.fixture
def isolated_chain(platform, cleaner):  # noqa: F811 - the imported fixture
    """The test's transactions are undone after it (evm_snapshot / evm_revert), and the database
    emptied, so each scenario sweeps only its own loans."""
    snapshot = platform.rpc("evm_snapshot")
    yield
    assert platform.rpc("evm_revert", snapshot) is True
    empty_database(cleaner)
