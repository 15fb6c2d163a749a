"""The liquidation monitor and keeper (issue 10, DESIGN.md flow 4): `step.step(ctx)` each new block;
`decisions.py` and `alerts.py` are its pure rules. `context_from_app(app)` wires it from config."""

from __future__ import annotations

from backend.bots.liquidator.step import Context, StepReport, step

__all__ = ["Context", "StepReport", "step", "context_from_app"]


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
    native = config.get("LIQUIDATOR_NATIVE_TOKEN") or ""
    if native in client.contracts:
        native = client[native].address
    return Context(client, make_sender(app, "liquidator", web3=web3), database(app).session,
                   channels=channels_from_config(config), min_profit_bps=config["LIQUIDATOR_MIN_PROFIT_BPS"],
                   chunk=config["LIQUIDATOR_SWEEP_CHUNK"], native_token=native or None)
