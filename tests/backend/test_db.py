"""Migrations: the chain reaches head, matches the models exactly, and goes down and up again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from backend import create_app
from backend.db import make_engine, migrate
from backend.db.models import Base


def test_migrations_match_the_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()


def test_cli_upgrade_downgrade_round_trip(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = create_app({"DATABASE_URL": url}).test_cli_runner()
    assert runner.invoke(args=["lendchain-db", "upgrade"]).exit_code == 0
    migrate.downgrade(url, "base")
    assert runner.invoke(args=["lendchain-db", "upgrade"]).exit_code == 0
    engine = make_engine(url)
    with engine.connect() as connection:
        head = ScriptDirectory.from_config(migrate.alembic_config(url)).get_current_head()
        assert head is not None
        assert MigrationContext.configure(connection).get_current_revision() == head
    engine.dispose()
