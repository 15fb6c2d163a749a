"""`flask --app backend bots ...`: the keepers, each its own process.

    bots liquidator run [--once]            sweep, liquidate, default, chores, alerts on every new block
    bots prices run [--once] [--replay F]   keep the local mock feeds fresh / replay a price path (local only)
    bots autolend run [--once]              fund matching listings from commitments, reinvest income

Exit status: 2 when the deployment map, a key or a setting is missing (before any step); `--once`
exits 0 after its step.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

bots = AppGroup("bots", help="Keepers: liquidator, local price publisher (and auto-lend).")
liquidator = AppGroup("liquidator", help="Liquidation monitor and keeper (backend/bots/liquidator).")
prices = AppGroup("prices", help="Local price publisher (backend/bots/prices.py); local chains only.")
autolend = AppGroup("autolend", help="Auto-lend bot (backend/bots/autolend).")
bots.add_command(liquidator)
bots.add_command(prices)
bots.add_command(autolend)


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(2)


def _run_bot(name: str, context_from_app, step, wake, once: bool) -> None:
    """Build the bot's context (exit 2 when a key, the map or a setting is missing), then loop
    `step` on every change of `wake(ctx)` (or once)."""
    from backend.bots import loop
    from backend.chain import ChainUnavailable
    from backend.tx.keys import MissingKey

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        ctx = context_from_app(current_app._get_current_object())
    except (ChainUnavailable, MissingKey, ValueError) as error:
        _fail(f"{name}: {error}")
    loop.run(lambda: step(ctx), lambda: wake(ctx), once=once, poll_seconds=current_app.config["BOT_POLL_SECONDS"],
             report=lambda r: click.echo(r.summary()))


@liquidator.command("run")
@click.option("--once", is_flag=True, help="one step, then exit")
def liquidator_run(once):
    from backend.bots.liquidator import context_from_app, step

    _run_bot("liquidator", context_from_app, step, lambda ctx: ctx.client.web3.eth.block_number, once)


@autolend.command("run")
@click.option("--once", is_flag=True, help="one step, then exit")
def autolend_run(once):
    from backend.bots.autolend import context_from_app, step, wake_mark

    _run_bot("autolend", context_from_app, step, lambda ctx: wake_mark(ctx.sessions, ctx.client), once)


@prices.command("run")
@click.option("--once", is_flag=True, help="one refresh, then exit")
@click.option("--replay", "replay_file", type=click.Path(exists=True, dir_okay=False),
              help="CSV of `seconds offset, token symbol, USD price` rows to post in order")
def prices_run(once, replay_file):
    from backend.bots import loop, prices as publisher
    from backend.chain import ChainUnavailable, load_deployment
    from backend.sdk import LendchainClient
    from backend.tx import make_sender, make_web3

    config = current_app.config
    try:
        web3 = make_web3(config["RPC_URL"], config["HTTP_TIMEOUT_SECONDS"])
        client = LendchainClient(web3, load_deployment(config["DEPLOYMENTS_DIR"], int(config["CHAIN_ID"])))
        feeds = publisher.local_feeds(client)
    except (ChainUnavailable, publisher.NotLocal) as error:
        _fail(f"prices: {error}")
    sender = make_sender(current_app._get_current_object(), "prices", web3=web3)
    if replay_file:
        posted = publisher.replay(client, sender, feeds, Path(replay_file))
        click.echo(f"replayed {posted} prices from {replay_file}")
        return
    loop.run(lambda: publisher.refresh(client, sender, feeds, config["PRICE_REFRESH_FRACTION_BPS"]),
             lambda: web3.eth.block_number, once=once, poll_seconds=config["BOT_POLL_SECONDS"],
             report=lambda refreshed: click.echo(f"refreshed: {', '.join(refreshed) or 'none needed'}"))


def register(app: Flask) -> None:
    app.cli.add_command(bots)
