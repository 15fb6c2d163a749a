"""Transactions: the shared sender (sender.py), its per-action lock (claims.py), revert decoding
(revert.py) and the bots' keys (keys.py). `make_sender(app, bot)` wires them from the app config."""

from __future__ import annotations

from backend.tx.sender import ActionResult, TxSender

__all__ = ["ActionResult", "TxSender", "make_sender", "make_web3"]


READS = ("eth_chainId", "eth_blockNumber", "eth_getBlockByNumber", "eth_call", "eth_getLogs", "eth_getTransactionCount",
         "eth_getTransactionReceipt", "eth_getTransactionByHash")


def make_web3(rpc_url: str, timeout: float, retries: int = 3, backoff_seconds: float = 0.25):
    """web3 over HTTP for the bots: reads retried on connection errors, HTTP errors and timeouts
    (a bot's sweep must outlive a flaky node); sends are retried by the sender itself, which knows
    whether a transaction may already be out."""
    from requests.exceptions import ConnectionError, HTTPError, Timeout
    from web3 import HTTPProvider, Web3
    from web3.providers.rpc.utils import ExceptionRetryConfiguration

    retry = ExceptionRetryConfiguration(errors=(ConnectionError, HTTPError, Timeout), retries=retries,
                                        backoff_factor=backoff_seconds, method_allowlist=list(READS)) if retries else None
    return Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}, exception_retry_configuration=retry))


def make_sender(app, bot: str, web3=None) -> TxSender:
    """The sender for `bot` ("autolend" | "liquidator") from the app's config and deployment map."""
    from backend.chain import load_deployment
    from backend.db import database
    from backend.tx.keys import bot_account
    from backend.tx.revert import RevertDecoder

    config = app.config
    deployment = load_deployment(config["DEPLOYMENTS_DIR"], int(config["CHAIN_ID"]))
    web3 = web3 or make_web3(config["RPC_URL"], config["HTTP_TIMEOUT_SECONDS"], config["BOT_RETRIES"],
                             config["BOT_BACKOFF_SECONDS"])
    return TxSender(web3, bot_account(bot, config),
                    database(app).session, bot, max_gas=config["BOT_MAX_GAS"], retries=config["BOT_RETRIES"],
                    backoff_seconds=config["BOT_BACKOFF_SECONDS"], decoder=RevertDecoder.from_deployment(deployment),
                    stale_claim_seconds=config["BOT_STALE_CLAIM_SECONDS"],
                    receipt_timeout=config["BOT_RECEIPT_TIMEOUT_SECONDS"])
