"""The bot commands refuse to start, with exit status 2 and the reason, when they cannot build
their context (no chain, no key, no deployment map) instead of looping on a broken setup."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("bot", ["liquidator", "autolend"])
def test_a_bot_without_a_deployment_map_exits_2_with_the_reason(bot, database_url, tmp_path):
    from backend import create_app
    from backend.db import database

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "RPC_URL": "http://127.0.0.1:9",
                      "DEPLOYMENTS_DIR": str(tmp_path), "SCORING_MODEL_DIR": "/nonexistent", "NOTIFY_CHANNELS": ""})
    try:
        outcome = app.test_cli_runner().invoke(args=["bots", bot, "run", "--once"])
    finally:
        database(app).dispose()
    assert outcome.exit_code == 2, outcome.output
    assert outcome.output.startswith(f"{bot}: ") and "no deployment map" in outcome.output
