"""Raw-SQL insert baselines for the foundation benchmarks (docs/scaling.md).

What is measured: how many rows per second a plain driver can commit into a table shaped
like an event log (bigint id, stream id, type name, ~400-byte payload), with no event
store, no hashing and no serialisation in the way:

- ``raw_single_insert``: one row per transaction, single connection, single writer.
- ``raw_batch_insert``: ``batch`` rows (default 100) per transaction, single writer.

Why it is comparable: the store under test and the ``eventsourcing`` peer write the same
kind of row to the same database server/file type in the same run, so these figures are
the ceiling that any event store on this machine can approach. PostgreSQL runs with its
default durability (``synchronous_commit`` on, every commit is flushed); SQLite runs in
WAL mode with ``synchronous=NORMAL`` (a commit is durable against process crashes and is
flushed at checkpoints), which is the setting our own store uses.

Only the timed window is counted: a short warm-up runs first (connection set-up,
statement preparation, table creation are outside the window) and a row counts once its
transaction's commit has returned. Each call creates its own table (PostgreSQL database
``tumbuh_bench``; SQLite file in a fresh temporary directory) and removes it afterwards.

Connection settings can be overridden with ``BENCH_PG_HOST``, ``BENCH_PG_PORT``,
``BENCH_PG_USER``, ``BENCH_PG_PASSWORD`` and ``BENCH_PG_DBNAME``.

Run standalone: ``python bench/raw_insert.py``.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Any, Literal, TypeVar

import psycopg
from psycopg import sql

Db = Literal["postgres", "sqlite"]
_T = TypeVar("_T")

PAYLOAD_BYTES = 400
WARMUP_SECONDS = 0.3
EVENT_TYPE = "ChildMeasured"


def pg_conninfo(dbname: str | None = None) -> str:
    """Connection string for the benchmark database (or ``dbname``)."""
    return psycopg.conninfo.make_conninfo(
        host=os.environ.get("BENCH_PG_HOST", "127.0.0.1"),
        port=os.environ.get("BENCH_PG_PORT", "5432"),
        user=os.environ.get("BENCH_PG_USER", "postgres"),
        password=os.environ.get("BENCH_PG_PASSWORD", ""),
        dbname=dbname or os.environ.get("BENCH_PG_DBNAME", "tumbuh_bench"),
    )


def ensure_pg_database() -> None:
    """Create the benchmark database if it does not exist yet."""
    dbname = os.environ.get("BENCH_PG_DBNAME", "tumbuh_bench")
    with psycopg.connect(pg_conninfo("postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
        if exists.fetchone() is None:
            with suppress(psycopg.errors.DuplicateDatabase):  # created concurrently
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))


def fresh_pg_database(name: str, template: str | None = None) -> str:
    """Drop the PostgreSQL database ``name`` and create it anew, empty or as a copy of
    ``template``: its SQLAlchemy URL."""
    with psycopg.connect(pg_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_pg_database(name: str) -> None:
    """Drop the PostgreSQL database ``name`` if it exists."""
    with psycopg.connect(pg_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _rows(count: int) -> list[tuple[uuid.UUID, str, bytes]]:
    """Pre-built rows (fresh stream id, type name, random payload); built outside timing."""
    return [(uuid.uuid4(), EVENT_TYPE, os.urandom(PAYLOAD_BYTES)) for _ in range(count)]


ROW_POOL = 2000  # rows are reused cyclically; nothing in the table is unique but the id


def _batches(rows: list[_T], batch: int) -> list[list[_T]]:
    """Cut ``rows`` (cycled as needed) into at least one full batch of ``batch`` rows."""
    flat = list(itertools.islice(itertools.cycle(rows), max(len(rows), batch)))
    return [flat[i : i + batch] for i in range(0, len(flat) - batch + 1, batch)]


def _timed(step: Callable[[], int], seconds: float) -> float:
    """Run ``step`` (which commits and returns rows committed) for a warm-up, then time it."""
    warm_until = time.perf_counter() + WARMUP_SECONDS
    while time.perf_counter() < warm_until:
        step()
    rows = 0
    start = time.perf_counter()
    deadline = start + seconds
    now = start
    while now < deadline:
        rows += step()
        now = time.perf_counter()
    return rows / (now - start)


@contextmanager
def _pg_table() -> Iterator[tuple[psycopg.Connection[Any], sql.Composable]]:
    ensure_pg_database()
    table = sql.Identifier(f"raw_insert_{uuid.uuid4().hex[:12]}")
    with psycopg.connect(pg_conninfo(), autocommit=True) as conn:
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                "stream_id uuid NOT NULL, type text NOT NULL, payload bytea NOT NULL)"
            ).format(table)
        )
        try:
            yield conn, table
        finally:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))


@contextmanager
def _sqlite_table() -> Iterator[sqlite3.Connection]:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves (or run single statements
    # in autocommit, which is one transaction each).
    with (
        tempfile.TemporaryDirectory(prefix="tumbuh-bench-") as tmp,
        closing(sqlite3.connect(Path(tmp) / "raw.db", isolation_level=None)) as conn,
    ):
        # WAL + synchronous=NORMAL, the same durability setting our store uses.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(
            "CREATE TABLE raw_insert (id INTEGER PRIMARY KEY, "
            "stream_id TEXT NOT NULL, type TEXT NOT NULL, payload BLOB NOT NULL)"
        )
        yield conn


def raw_single_insert(db: Db, seconds: float) -> float:
    """Rows/s committing one row per transaction (single connection, single writer)."""
    if db == "postgres":
        with _pg_table() as (conn, table):
            # Autocommit: the INSERT is its own transaction, one round trip per row,
            # committed with synchronous_commit on. Prepared after a few executions.
            insert = sql.SQL("INSERT INTO {} (stream_id, type, payload) VALUES (%s, %s, %s)")
            query = insert.format(table)
            rows = itertools.cycle(_rows(ROW_POOL))

            def step_pg() -> int:
                conn.execute(query, next(rows), prepare=True)
                return 1

            return _timed(step_pg, seconds)
    if db == "sqlite":
        with _sqlite_table() as sconn:
            srows = itertools.cycle([(str(s), t, p) for s, t, p in _rows(ROW_POOL)])

            def step_sqlite() -> int:
                sconn.execute(
                    "INSERT INTO raw_insert (stream_id, type, payload) VALUES (?, ?, ?)",
                    next(srows),
                )
                return 1

            return _timed(step_sqlite, seconds)
    raise ValueError(f"unknown db {db!r}")


def raw_batch_insert(db: Db, seconds: float, batch: int = 100) -> float:
    """Rows/s committing ``batch`` rows per transaction (single writer)."""
    if db == "postgres":
        with _pg_table() as (conn, table):
            insert = sql.SQL("INSERT INTO {} (stream_id, type, payload) VALUES (%s, %s, %s)")
            query = insert.format(table)
            batches = itertools.cycle(_batches(_rows(ROW_POOL), batch))

            def step_pg() -> int:
                rows = next(batches)
                # psycopg 3 runs executemany in pipeline mode: one round trip per batch.
                with conn.transaction(), conn.cursor() as cur:
                    cur.executemany(query, rows)
                return batch

            return _timed(step_pg, seconds)
    if db == "sqlite":
        with _sqlite_table() as sconn:
            sbatches = itertools.cycle(
                _batches([(str(s), t, p) for s, t, p in _rows(ROW_POOL)], batch)
            )

            def step_sqlite() -> int:
                rows = next(sbatches)
                sconn.execute("BEGIN")
                try:
                    sconn.executemany(
                        "INSERT INTO raw_insert (stream_id, type, payload) VALUES (?, ?, ?)",
                        rows,
                    )
                except BaseException:
                    sconn.execute("ROLLBACK")
                    raise
                sconn.execute("COMMIT")
                return batch

            return _timed(step_sqlite, seconds)
    raise ValueError(f"unknown db {db!r}")


def main() -> None:
    seconds = 3.0
    dbs: tuple[Db, ...] = ("postgres", "sqlite")
    for db in dbs:
        print(f"raw_single_insert {db:8} {raw_single_insert(db, seconds):>10.0f} rows/s")
        print(f"raw_batch_insert  {db:8} {raw_batch_insert(db, seconds):>10.0f} rows/s (100/tx)")


if __name__ == "__main__":
    main()
