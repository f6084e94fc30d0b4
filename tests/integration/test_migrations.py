"""The migrations build the schema the code declares, on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from events import migrate
from events.database import make_engine


def test_the_migrated_schema_has_no_drift_from_the_models(database_url: str) -> None:
    config = migrate.config_for(database_url)

    command.check(config)  # raises if autogenerate would find a difference


def test_migrations_go_down_to_nothing_and_up_again(database_url: str) -> None:
    config = migrate.config_for(database_url)
    engine = make_engine(database_url)

    command.downgrade(config, "base")
    emptied = set(inspect(engine).get_table_names()) - {"alembic_version"}
    command.upgrade(config, "head")

    assert emptied == set()
    assert migrate.at_head(engine)
    assert "events" in inspect(engine).get_table_names()
    engine.dispose()
