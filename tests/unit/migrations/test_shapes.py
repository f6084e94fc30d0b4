"""What each migration shape emits, on both databases, written out in full.

Revisions that have run on deployed databases build their tables through these helpers: a
change to what one emits would change the schema an old revision builds."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from migrations.shapes import counts, partial_index, read_model, table, timestamps


def _ddl(dialect: str, build: Callable[[], None]) -> list[str]:
    """The statements ``build`` emits for ``dialect``, without a database."""
    out = io.StringIO()
    context = MigrationContext.configure(
        dialect_name=dialect, opts={"as_sql": True, "output_buffer": out}
    )
    with Operations.context(context):
        build()
    return [" ".join(s.split()) for s in out.getvalue().split(";") if s.strip()]


@pytest.mark.parametrize(
    ("dialect", "timestamp"),
    [("postgresql", "TIMESTAMP WITH TIME ZONE"), ("sqlite", "DATETIME")],
)
def test_a_read_model_is_its_id_its_columns_its_version_and_state_then_its_indexes(
    dialect: str, timestamp: str
) -> None:
    def build() -> None:
        read_model(
            "proj_things",
            sa.Column("kind", sa.String(length=6), nullable=True),
            *timestamps(),
            *counts(["seen", "kept"]),
            indexes={"ix_things_kind": ["kind", "id"], "ix_things_seen": ["seen"]},
        )

    assert _ddl(dialect, build) == [
        "CREATE TABLE proj_things ( id VARCHAR(36) NOT NULL, kind VARCHAR(6), "
        f"created_at {timestamp} NOT NULL, updated_at {timestamp} NOT NULL, "
        "seen INTEGER NOT NULL, kept INTEGER NOT NULL, "
        "version INTEGER NOT NULL, state TEXT NOT NULL, PRIMARY KEY (id) )",
        "CREATE INDEX ix_things_kind ON proj_things (kind, id)",
        "CREATE INDEX ix_things_seen ON proj_things (seen)",
    ]


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_a_table_without_indexes_is_the_table_alone(dialect: str) -> None:
    def build() -> None:
        table(
            "pairs",
            sa.Column("a", sa.String(length=13), nullable=False),
            sa.Column("b", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint("a", "b"),
        )

    assert _ddl(dialect, build) == [
        "CREATE TABLE pairs ( a VARCHAR(13) NOT NULL, b BIGINT NOT NULL, PRIMARY KEY (a, b) )"
    ]


@pytest.mark.parametrize(
    ("dialect", "stunted"),
    [("postgresql", "WHERE stunted IS TRUE"), ("sqlite", "WHERE stunted = 1")],
)
def test_a_partial_index_says_its_predicate_as_each_database_needs(
    dialect: str, stunted: str
) -> None:
    def build() -> None:
        partial_index("ix_s", "t", ["since", "id"], "stunted IS TRUE", sqlite_where="stunted = 1")
        partial_index("ix_ab", "t", ["a"], "a = 1 OR b = 1")

    assert _ddl(dialect, build) == [
        f"CREATE INDEX ix_s ON t (since, id) {stunted}",
        "CREATE INDEX ix_ab ON t (a) WHERE a = 1 OR b = 1",
    ]
