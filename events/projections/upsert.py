"""Insert-or-update in bulk, in the dialect of the connection (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

from events import sql


def insert_for(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT in the named dialect, so ``on_conflict_do_update`` is available."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, object]],
    keys: Sequence[str],
) -> None:
    """Insert ``rows``; where the key exists, overwrite the other columns given."""
    if not rows:
        return
    changing = tuple(c for c in rows[0] if c not in keys)
    conn.execute(_statement(conn.dialect.name, table, tuple(keys), changing), list(rows))


def upsert_plain(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, object]],
    keys: Sequence[str],
) -> None:
    """``upsert`` sent straight to the driver, for rows of plain values only (no JSON or
    enum columns for SQLAlchemy to convert): it costs less, and on PostgreSQL it may go in
    the append's pipeline with the COMMIT, where a SQLAlchemy execute would wait."""
    if not rows:
        return
    changing = tuple(c for c in rows[0] if c not in keys)
    sql.execute_many(conn, _statement(conn.dialect.name, table, tuple(keys), changing), rows)


@cache
def _statement(
    dialect: str, table: Table, keys: tuple[str, ...], changing: tuple[str, ...]
) -> postgresql.Insert | sqlite.Insert:
    """The upsert statement, built once per shape (building it costs more than running it)."""
    statement = insert_for(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={c: statement.excluded[c] for c in changing},
    )
