"""Transactions: the shared sender (sender.py), its per-action lock (claims.py), revert decoding
(revert.py) and the bots' keys (keys.py). `make_sender(app, bot)` wires them from the app config."""

from __future__ import annotations

from backend.tx.sender import ActionResult, TxSender

__all__ = ["ActionResult", "TxSender", "make_sender", "make_web3"]


def make_web3(rpc_url: str, timeout: float):
    """web3 over HTTP without web3's own retries: the sender retries, with its own backoff."""
    from web3 import HTTPProvider, Web3

    return Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}, exception_retry_configuration=None))


def make_sender(app, bot: str, web3=None) -> TxSender:
    """The sender for `bot` ("autolend" | "liquidator") from the app's config and deployment map."""
    from backend.chain import load_deployment
    from backend.db import database
    from backend.tx.keys import bot_account
    from backend.tx.revert import RevertDecoder

    config = app.config
    deployment = load_deployment(config["DEPLOYMENTS_DIR"], int(config["CHAIN_ID"]))
    return TxSender(web3 or make_web3(config["RPC_URL"], config["HTTP_TIMEOUT_SECONDS"]), bot_account(bot, config),
                    database(app).session, bot, max_gas=config["BOT_MAX_GAS"], retries=config["BOT_RETRIES"],
                    backoff_seconds=config["BOT_BACKOFF_SECONDS"], decoder=RevertDecoder.from_deployment(deployment),
                    stale_claim_seconds=config["BOT_STALE_CLAIM_SECONDS"],
                    receipt_timeout=config["BOT_RECEIPT_TIMEOUT_SECONDS"])
