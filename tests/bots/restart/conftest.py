"""The node-restart scenario has a Ganache of its own (port 8635, `lendchain-restart`) that keeps
its chain on disk, so a restart brings the same chain back; the rest comes from tests/bots/conftest.py."""

from tests.bots.conftest import chain_fixtures

node, platform, bots_app = chain_fixtures("lendchain-restart", keep_state=True)
