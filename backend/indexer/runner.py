"""`flask --app backend indexer run|step|status|reset`: the loop around `step()`.

`run` steps until caught up, then polls every INDEXER_POLL_SECONDS; a node that cannot be
reached is retried (logged, never fatal); a different chain (`ChainMismatch`) stops the process
with exit status 2 and the reset instructions. `reset --yes` forgets the indexed chain.
"""

from __future__ import annotations

import logging
import sys
import time

import click
from flask import Flask, current_app
from flask.cli import AppGroup

log = logging.getLogger("backend.indexer")
EXIT_CHAIN_MISMATCH = 2


def make_indexer(app: Flask):
    from backend.chain import load_deployment
    from backend.indexer import Indexer

    config = app.config
    deployment = load_deployment(config["DEPLOYMENTS_DIR"], int(config["CHAIN_ID"]))
    return Indexer(deployment, confirmations=int(config["CONFIRMATIONS"]),
                   batch_blocks=int(config["INDEXER_BATCH_BLOCKS"]), reorg_depth=int(config["INDEXER_REORG_DEPTH"]))


def make_source(app: Flask):
    from backend.indexer import RpcSource

    return app.config.get("INDEXER_SOURCE") or RpcSource(app.config["RPC_URL"], app.config["HTTP_TIMEOUT_SECONDS"])


def run(app: Flask, *, once: bool = False, max_steps: int | None = None, echo=click.echo) -> int:
    """Step until caught up (`once`) or forever; returns the events stored."""
    from backend.db import database
    from backend.indexer import ChainMismatch, SourceUnavailable

    indexer, source = make_indexer(app), make_source(app)
    poll = float(app.config["INDEXER_POLL_SECONDS"])
    total = steps = 0
    while max_steps is None or steps < max_steps:
        steps += 1
        with database(app).session() as db:
            try:
                result = indexer.step(db, source)
            except ChainMismatch:
                raise
            except SourceUnavailable as error:
                echo(f"node unavailable, retrying in {poll:g}s: {error}", err=True)
                if once:
                    raise
                time.sleep(poll)
                continue
        total += result.events
        if result.rolled_back_to is not None:
            echo(f"reorg: rolled back to block {result.rolled_back_to} ({result.removed} events removed)")
        if result.to_block is not None:
            echo(f"blocks {result.from_block}-{result.to_block}: {result.events} events "
                 f"({result.undecoded} raw), {result.loans} loans rebuilt; head {result.head}")
        if result.caught_up:
            if once:
                break
            time.sleep(poll)
    return total


def register(app: Flask) -> None:
    group = AppGroup("indexer", help="Index the contracts' events into the database (own process).")

    @group.command("run")
    @click.option("--once", is_flag=True, help="stop when caught up with the head")
    def run_command(once):
        """Follow the chain: catch up, then poll (Ctrl-C stops)."""
        from backend.indexer import ChainMismatch, SourceUnavailable

        try:
            run(current_app._get_current_object(), once=once)
        except ChainMismatch as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_CHAIN_MISMATCH)
        except SourceUnavailable as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(1)

    @group.command("status")
    def status_command():
        """The checkpoint of the stream."""
        from backend.db import database
        from backend.db.models import IndexerCheckpoint

        with database(current_app).session() as db:
            for cp in db.query(IndexerCheckpoint).all():
                click.echo(f"{cp.name}: chain {cp.chain_id}, block {cp.block_number} {cp.block_hash or ''} "
                           f"(start {cp.start_block} {cp.start_hash})")

    @group.command("reset")
    @click.option("--yes", is_flag=True, help="confirm: drop every indexed event, loan, holding and outcome")
    def reset_command(yes):
        """Forget the indexed chain, e.g. after restarting a local node (then run again)."""
        from backend.db import database
        from backend.indexer import reset

        if not yes:
            click.echo("refusing without --yes: this drops the indexed chain data", err=True)
            sys.exit(1)
        with database(current_app).session() as db:
            counts = reset(db)
        click.echo("reset: " + ", ".join(f"{k} {v}" for k, v in counts.items()))

    app.cli.add_command(group)
