"""The auto-lend tests run on their own Ganache (port 8625, `lendchain-autolend`); everything else
(platform driver, database, app, per-test snapshots) comes from tests/bots/conftest.py."""

from __future__ import annotations

import pytest

from tests.bots.chain import Node


@pytest.fixture(scope="session")
def node(tmp_path_factory):
    autolend_chain = Node("lendchain-autolend", tmp_path_factory.mktemp("autolend-chain"))
    autolend_chain.start()
    try:
        autolend_chain.deployment = autolend_chain.deploy()
        yield autolend_chain
    finally:
        autolend_chain.stop()
