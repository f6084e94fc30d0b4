"""What a bench's writes cost the database: statements, rows, the append lock, server CPU.

``Tally.watch(engine)`` counts every statement the engine's connections send, whichever
layer sends it (SQLAlchemy, or the store's prebuilt statements straight on the driver):
on PostgreSQL through a counting psycopg cursor class given to each new connection, on
SQLite through the driver's trace callback. Each ``executemany`` parameter set counts as a
statement (the server runs one each; psycopg pipelines them in one round trip), each
``COPY`` as one. It also times the append lock: from the statement that takes it
(``pg_advisory_xact_lock``, or SQLite's ``BEGIN IMMEDIATE``) to the commit of its
transaction.

``backend_cpu`` reads the CPU time of the PostgreSQL backends serving a database from
``/proc`` (the server must run on this machine), so a bench can print the database's
CPU per write beside its own.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, event

_TICKS = os.sysconf("SC_CLK_TCK")
_LOCKS = ("pg_advisory_xact_lock", "BEGIN IMMEDIATE")
_TABLE = re.compile(r'(?:FROM|INTO|UPDATE|JOIN|COPY)\s+"?(\w+)"?', re.IGNORECASE)
_NOT_TABLES = frozenset({"unnest", "select", "stdin"})


def kind(statement: str) -> str:
    """A short name for a statement: its verb and first table (``INSERT proj_children``)."""
    words = statement.lstrip().split(None, 1)
    verb = words[0].upper() if words else "?"
    if "pg_advisory_xact_lock" in statement:
        return "LOCK"
    if "ON CONFLICT" in statement.upper():
        verb = "UPSERT"
    tables = [t for t in _TABLE.findall(statement) if t.lower() not in _NOT_TABLES]
    return f"{verb} {tables[0]}" if tables else verb


@dataclass
class Tally:
    """Statements, rows read and append-lock time since the last ``reset``."""

    statements: int = 0  # each executemany parameter set counts
    calls: int = 0  # execute, executemany and copy calls
    rows_read: int = 0  # PostgreSQL only: rows fetched
    locks: int = 0
    lock_seconds: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)
    _locked_at: float | None = None

    def reset(self) -> None:
        """Start counting afresh."""
        self.statements = self.calls = self.rows_read = self.locks = 0
        self.lock_seconds, self.kinds, self._locked_at = 0.0, Counter(), None

    def note(self, statement: str, count: int) -> None:
        """``count`` executions of ``statement`` were sent."""
        self.statements += count
        self.calls += 1
        self.kinds[kind(statement)] += count
        if self._locked_at is None and any(lock in statement for lock in _LOCKS):
            self._locked_at = time.perf_counter()

    def committed(self) -> None:
        """A transaction ended: the lock it held, if any, is released."""
        if self._locked_at is not None:
            self.locks += 1
            self.lock_seconds += time.perf_counter() - self._locked_at
            self._locked_at = None

    def watch(self, engine: Engine) -> None:
        """Count what ``engine``'s connections send from now on (its pool is emptied, so
        every connection is a new, counted one)."""
        postgres = engine.dialect.name == "postgresql"
        tally = self

        class Counting(psycopg.Cursor[Any]):
            def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
                tally.note(_text(query), 1)
                return super().execute(query, params, **options)

            def executemany(self, query: Any, params_seq: Iterable[Any], **options: Any) -> None:
                sets = list(params_seq)
                tally.note(_text(query), len(sets))
                super().executemany(query, sets, **options)

            @contextmanager
            def copy(self, statement: Any, params: Any = None, **options: Any) -> Iterator[Any]:
                tally.note(_text(statement), 1)
                with super().copy(statement, params, **options) as copy:
                    yield copy

            def fetchall(self) -> list[Any]:
                rows = super().fetchall()
                tally.rows_read += len(rows)
                return rows

        def connected(dbapi: Any, record: Any) -> None:
            driver = getattr(dbapi, "driver_connection", dbapi)
            if postgres:
                driver.cursor_factory = Counting
            else:
                driver.set_trace_callback(lambda text: tally.note(text, 1))

        event.listen(engine, "connect", connected)
        event.listen(engine, "commit", lambda conn: tally.committed())
        event.listen(engine, "rollback", lambda conn: tally.committed())
        engine.dispose()


def _text(query: Any) -> str:
    if isinstance(query, bytes):
        return query.decode()
    return query if isinstance(query, str) else str(query)


def backend_cpu(conninfo: str, database: str) -> float:
    """Seconds of CPU the PostgreSQL backends connected to ``database`` have used (those
    alive now; 0 where ``/proc`` cannot be read)."""
    with psycopg.connect(conninfo, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return sum(process_cpu(int(pid)) for (pid,) in rows)


def process_cpu(pid: int) -> float:
    """Seconds of CPU (user and system) process ``pid`` has used; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS
