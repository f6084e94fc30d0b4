"""Clearing destroyed data keys from the files the database keeps, not only from its rows.

Erasing a key sets its wrapped form to NULL, but a database keeps old versions of rows:
PostgreSQL leaves the old row version (a dead tuple) in the table's pages until a VACUUM,
and a plain VACUUM only marks the space free, the bytes stay in the page (checked: the
wrapped key was still in the table's file after VACUUM, gone after VACUUM FULL); SQLite
keeps a deleted cell's bytes in free space and the old page in the write-ahead log.
So: SQLite overwrites what it frees while the key is erased (``secure_delete``) and the
write-ahead log is copied back and truncated; PostgreSQL rewrites the key table
(``VACUUM FULL``: a new file of the live rows only; the old file is removed). What neither
can reach (PostgreSQL's WAL segments until they are recycled, WAL archives, replicas and
backups) holds the erased key wrapped by the master key: rotating the master key and
destroying the old one makes those copies unreadable (docs/audit.md).
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, Engine

from events.database import is_sqlite

log = logging.getLogger("tumbuh.keys")
_KEPT: Final = re.compile(r"(\d+) dead row versions cannot be removed yet")
WAITS: Final = (0.25, 0.5, 1.0, 2.0, 4.0)  # seconds between tries, about 8 s in all


@dataclass(frozen=True)
class Compaction:
    """What clearing the key table did: ``complete`` when no old copy is left in its files."""

    complete: bool
    how: str


def secure_delete(conn: Connection) -> None:
    """SQLite: overwrite with zeros what this transaction frees (the erased wrapped keys)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete=ON")


def compact_keys(engine: Engine) -> Compaction:
    """Remove the old copies of erased keys from the key table's files (after the commit)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if is_sqlite(engine):
            busy, _, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            if busy:
                log.warning("erased keys: a reader kept the write-ahead log from being cleared")
                return Compaction(False, "the write-ahead log is in use; cleared at a later one")
            return Compaction(True, "freed space overwritten, write-ahead log truncated")
        return _vacuum_full(conn)


def _vacuum_full(conn: Connection) -> Compaction:
    """Rewrite the key table until no dead row is kept. VACUUM FULL copies the dead rows
    that a transaction still running may see (any such transaction of the cluster, even a
    CREATE DATABASE elsewhere), so it is tried again a few times while one is."""
    driver: Any = conn.connection.driver_connection
    kept: list[int] = []

    def count(notice: Any) -> None:
        found = _KEPT.search(notice.message_detail or "")
        kept.append(int(found.group(1)) if found else 0)

    driver.add_notice_handler(count)
    try:
        for wait in (0.0, *WAITS):
            time.sleep(wait)
            kept.clear()
            conn.exec_driver_sql("VACUUM (FULL, VERBOSE) subject_keys")
            if not any(kept):
                return Compaction(True, "key table rewritten without its dead rows (VACUUM FULL)")
    finally:
        driver.remove_notice_handler(count)
    log.warning("erased keys: a long transaction keeps their old rows; clearing deferred")
    return Compaction(False, "a running transaction keeps the old rows: run it again later")
