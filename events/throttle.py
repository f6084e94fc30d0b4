"""Failed logins counted in the database, so every worker process sees the same counts.

Operational state beside the log, not events: one row per counted key (a username or a
client address, stored only as a SHA-256 digest), forgotten once it has been quiet long
enough. What a count means (how long a key is blocked) is the caller's rule.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Connection, Integer, String, Table, select

from events import timefmt
from events.projections.upsert import insert_for
from events.schema import instant_column, metadata

login_failures = Table(
    "login_failures",
    metadata,
    Column("key", String(64), primary_key=True),  # SHA-256 of the kind and the value
    Column("failures", Integer, nullable=False),
    instant_column("window_start", nullable=False),
    instant_column("last_failure", nullable=False, index=True),
    instant_column("blocked_until", nullable=True),
)


@dataclass(frozen=True)
class Failures:
    """A key's count: failures since ``window_start``, the last one, and any block."""

    failures: int
    window_start: datetime
    last_failure: datetime
    blocked_until: datetime | None


def key(kind: str, value: str) -> str:
    """The stored key of a username or an address: a digest, never the value itself (a
    "username" may be a password typed into the wrong box)."""
    return hashlib.sha256(f"{kind}\n{value}".encode()).hexdigest()


def blocks(conn: Connection, keys: list[str]) -> dict[str, datetime]:
    """The keys among ``keys`` that carry a block, with its end."""
    table = login_failures
    rows = conn.execute(
        select(table.c.key, table.c.blocked_until).where(
            table.c.key.in_(keys), table.c.blocked_until.is_not(None)
        )
    )
    return {k: timefmt.as_utc(until) for k, until in rows}


def current(conn: Connection, stored_key: str, now: datetime) -> Failures:
    """The key's row, created empty if it has none, locked until the transaction ends."""
    table = login_failures
    blank = {"key": stored_key, "failures": 0, "window_start": now, "last_failure": now}
    conn.execute(insert_for(conn.dialect.name, table).values(**blank).on_conflict_do_nothing())
    row = conn.execute(select(table).where(table.c.key == stored_key).with_for_update()).one()
    until = None if row.blocked_until is None else timefmt.as_utc(row.blocked_until)
    return Failures(
        row.failures, timefmt.as_utc(row.window_start), timefmt.as_utc(row.last_failure), until
    )


def save(conn: Connection, stored_key: str, failures: Failures) -> None:
    """Store a key's new count."""
    table = login_failures
    conn.execute(
        table.update()
        .where(table.c.key == stored_key)
        .values(
            failures=failures.failures,
            window_start=failures.window_start,
            last_failure=failures.last_failure,
            blocked_until=failures.blocked_until,
        )
    )


def forget(conn: Connection, stored_key: str) -> None:
    """Drop a key's count (a successful login clears its username)."""
    conn.execute(login_failures.delete().where(login_failures.c.key == stored_key))


def purge(conn: Connection, quiet_since: datetime) -> None:
    """Drop every count whose last failure is older than ``quiet_since``."""
    table = login_failures
    conn.execute(table.delete().where(table.c.last_failure < timefmt.as_utc(quiet_since)))
