"""Run the Alembic migrations from code (the service and ``tumbuh migrate``)."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

_SCRIPTS = str(Path(__file__).resolve().parent)  # this package: env.py and versions/
_CHATTER = ("Context impl ", "Will assume ")


class _QuietContext(logging.Filter):
    """Drops the two notes Alembic logs on every migration context (which implementation,
    whether DDL is transactional): ``/readyz`` opens one per request. What a migration does
    ("Running upgrade …") is still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_CHATTER)


def _quiet() -> None:
    context_log = logging.getLogger("alembic.runtime.migration")
    if not any(isinstance(f, _QuietContext) for f in context_log.filters):
        context_log.addFilter(_QuietContext())


def config_for(url: str) -> Config:
    """An Alembic configuration for ``url`` that needs no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", _SCRIPTS)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision."""
    config = config_for(engine.url.render_as_string(hide_password=False))
    _quiet()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def at_head(engine: Engine) -> bool:
    """Whether the database is at the newest revision."""
    script = ScriptDirectory.from_config(config_for(engine.url.render_as_string()))
    _quiet()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    return set(current) == set(script.get_heads())
