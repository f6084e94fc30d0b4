"""Engines for SQLite (default) and PostgreSQL, set up the way the store needs them."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from threading import RLock
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

IMMEDIATE = "tumbuh_immediate"  # execution option: open the transaction as a writer
BUSY_SECONDS = 30  # how long a SQLite writer waits for the write lock


def is_sqlite(engine: Engine) -> bool:
    """Whether ``engine`` talks to SQLite."""
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and explicit BEGINs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_size=pool_size, max_overflow=pool_size)
    if not _is_memory(url):
        _create_private(Path(str(parsed.database)))
    engine = create_engine(url, poolclass=NullPool if _is_memory(url) else None)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only (SQLite would create it as the
    umask allows, often world-readable); its journal and WAL files take its permissions."""
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _is_memory(url: str) -> bool:
    database = make_url(url).database
    return database in (None, "", ":memory:")


def _sqlite_on_connect(dbapi_connection: Any, _record: object) -> None:
    # Let SQLAlchemy's "begin" event decide how a transaction starts (pysqlite would
    # otherwise open deferred transactions on its own, too late for a writer lock).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode: a commit survives a crash of the process; a power loss may lose
    # the last transactions but never corrupts the file (SQLite documentation, "WAL").
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class WriterGate:
    """The writers of one process queue here before SQLite's own lock.

    SQLite's busy handler polls for the write lock with sleeps of up to 100 ms, so a waiting
    writer may sleep while the lock lies free; a lock of the process hands over at once. It
    waits as long as SQLite would, then fails as SQLite would.
    """

    def __init__(self, seconds: float = BUSY_SECONDS) -> None:
        self._lock, self._seconds = RLock(), seconds

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the gate for a write transaction."""
        if not self._lock.acquire(timeout=self._seconds):
            raise sqlite3.OperationalError("database is locked")
        try:
            yield
        finally:
            self._lock.release()


def _sqlite_on_begin(connection: Connection) -> None:
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return
    immediate = options.get(IMMEDIATE, False)
    # Straight to the driver: this runs for every transaction.
    driver: Any = connection.connection.driver_connection
    driver.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read transaction that sees one state of the database throughout.

    PostgreSQL: REPEATABLE READ (one snapshot for every statement); SQLite in WAL mode: a
    transaction's snapshot is taken at its first read and kept until it ends.
    """
    with engine.connect() as conn:
        if not is_sqlite(engine):
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn
