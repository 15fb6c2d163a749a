"""The auto-lend tests run on their own Ganache (port 8625, `lendchain-autolend`); the database,
the per-test snapshots and the driver come from tests/bots/conftest.py."""

from tests.bots.conftest import chain_fixtures

node, platform, bots_app = chain_fixtures("lendchain-autolend")
