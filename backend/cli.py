"""Flask CLI commands (`flask --app backend ...`):

    lendchain-db upgrade [REVISION]      apply migrations (default: head) to DATABASE_URL
    lendchain-db downgrade REVISION
    lendchain-db current
    lendchain-db revision -m MESSAGE     autogenerate a new revision from backend/db/models.py
    scoring export-outcomes --output F   resolved loans in the scoring `platform` CSV format
    demo import FILE                     the seeded demo's borrower facts and listing scores (backend/demo.py)
    indexer run [--once] | status | reset --yes   the chain indexer (backend/indexer/runner.py)
    bots autolend|liquidator|prices run [--once]   the keepers (backend/bots/cli.py)
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup


def register_commands(app: Flask) -> None:
    database = AppGroup("lendchain-db", help="Database migrations (Alembic).")

    @database.command("upgrade")
    @click.argument("revision", default="head")
    def upgrade(revision):
        from backend.db import migrate

        migrate.upgrade(current_app.config["DATABASE_URL"], revision)
        click.echo(f"database at {revision}")

    @database.command("downgrade")
    @click.argument("revision")
    def downgrade(revision):
        from backend.db import migrate

        migrate.downgrade(current_app.config["DATABASE_URL"], revision)

    @database.command("current")
    def current():
        from backend.db import migrate

        migrate.current(current_app.config["DATABASE_URL"])

    @database.command("revision")
    @click.option("-m", "--message", required=True)
    def revision(message):
        from backend.db import migrate

        migrate.revision(current_app.config["DATABASE_URL"], message)

    scoring = AppGroup("scoring", help="Scoring data from the platform.")

    @scoring.command("export-outcomes")
    @click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
                  help="CSV to write (scoring `platform` format)")
    def export_outcomes(output):
        from backend.db import database as get_database
        from backend.outcomes import export_csv

        with get_database().session() as db_session:
            count = export_csv(db_session, output)
        click.echo(f"{count} resolved loans written to {output}")

    demo = AppGroup("demo", help="The local demo (make run).")

    @demo.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    def import_demo(path):
        from backend.db import database as get_database
        from backend.demo import import_profiles

        with get_database().session() as db_session:
            count = import_profiles(db_session, path)
        click.echo(f"{count} demo borrowers' facts and listing scores stored")

    app.cli.add_command(database)
    app.cli.add_command(scoring)
    app.cli.add_command(demo)
    from backend.indexer.runner import register as register_indexer

    register_indexer(app)
    from backend.bots.cli import register as register_bots

    register_bots(app)
