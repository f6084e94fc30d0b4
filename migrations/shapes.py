"""The shapes the revisions repeat: a table with its indexes, a stream's read model, the
created/updated pair, a run of counts, a partial index.

Revisions that have run on a deployed database build their tables through these helpers, so
what a helper builds must never change (``tests/unit/migrations/test_shapes.py`` holds each to
the DDL it emits): a new shape is a new helper.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

Indexes = Mapping[str, Sequence[str]]
"""Index names and the columns each covers, created in the order given."""


def table(name: str, *items: sa.schema.SchemaItem, indexes: Indexes | None = None) -> None:
    """Create a table, then its (non-unique) indexes."""
    op.create_table(name, *items)
    for index, columns in (indexes or {}).items():
        op.create_index(index, name, list(columns))


def read_model(name: str, *columns: sa.Column[Any], indexes: Indexes | None = None) -> None:
    """A stream's read model: its id, the columns its lists filter on, then its version and
    its decided state kept as JSON text, keyed by the id."""
    table(
        name,
        sa.Column("id", sa.String(length=36), nullable=False),
        *columns,
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        indexes=indexes,
    )


def timestamps() -> list[sa.Column[Any]]:
    """When a row was created and last updated (both required, with the time zone)."""
    return [
        sa.Column(name, sa.DateTime(timezone=True), nullable=False)
        for name in ("created_at", "updated_at")
    ]


def counts(names: Iterable[str]) -> list[sa.Column[Any]]:
    """A required integer column for each name, in order."""
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def partial_index(
    name: str, table_name: str, columns: Sequence[str], where: str, sqlite_where: str | None = None
) -> None:
    """An index over the rows ``where`` holds; ``sqlite_where`` where SQLite must say it
    otherwise (it has no ``IS TRUE``)."""
    op.create_index(
        name,
        table_name,
        list(columns),
        postgresql_where=sa.text(where),
        sqlite_where=sa.text(where if sqlite_where is None else sqlite_where),
    )
