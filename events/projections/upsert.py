"""Insert-or-update in bulk, in the dialect of the connection (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, object]],
    keys: Sequence[str],
) -> None:
    """Insert ``rows``; where the key exists, overwrite the other columns given."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    changing = [c for c in rows[0] if c not in keys]
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={c: statement.excluded[c] for c in changing},
    )
    conn.execute(statement, list(rows))
