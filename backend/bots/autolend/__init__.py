"""The auto-lend bot (issue 10, DESIGN.md flow 3): `step.step(ctx)` funds open listings from the
lenders' on-chain commitments and reinvests income; `matching.py` (the contract's checks and the
off-chain filters) and `split.py` (the fair split) are its pure rules. `context_from_app(app)`
wires it from config; `flask bots autolend run [--once]` runs it."""

from __future__ import annotations

from backend.bots.autolend.step import Context, StepReport, step, wake_mark

__all__ = ["Context", "StepReport", "step", "wake_mark", "context_from_app"]


def context_from_app(app, web3=None) -> Context:
    from backend.chain import load_deployment
    from backend.db import database
    from backend.notify.channels import channels_from_config
    from backend.sdk import LendchainClient
    from backend.tx import make_sender, make_web3

    config = app.config
    web3 = web3 or make_web3(config["RPC_URL"], config["HTTP_TIMEOUT_SECONDS"], config["BOT_RETRIES"],
                             config["BOT_BACKOFF_SECONDS"])
    client = LendchainClient(web3, load_deployment(config["DEPLOYMENTS_DIR"], int(config["CHAIN_ID"])))
    return Context(client, make_sender(app, "autolend", web3=web3), database(app).session,
                   channels=channels_from_config(config))
