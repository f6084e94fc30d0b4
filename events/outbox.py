"""Where each webhook subscription stands in the log, and the events it gave up on.

The log is the outbox: every event is appended once, in order, in the transaction of the
change it records. A subscription's cursor is the last position it has dealt with (sent,
skipped as not wanted, or dead-lettered); a worker takes a subscription with a short lease,
so two workers never send for the same subscription at once, and moves its cursor only
after the receiver answered 2xx: a crash between the two sends an event again (at least
once; receivers deduplicate by the CloudEvents ``id``, the event's id).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    String,
    Table,
    and_,
    or_,
    select,
    update,
)

from events.schema import id_column, instant_column, metadata
from events.timefmt import as_utc

cursors = Table(
    "webhook_cursors",
    metadata,
    id_column("subscription_id", primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    instant_column("next_attempt_at", nullable=True),
    Column("last_error", String(300), nullable=True),
    instant_column("lease_until", nullable=True),
    Column("delivered", BigInteger, nullable=False),
)

dead_letters = Table(
    "webhook_dead_letters",
    metadata,
    id_column("subscription_id", primary_key=True),
    Column("position", BigInteger, primary_key=True),
    id_column("event_id", nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", String(300), nullable=False),
    instant_column("at", nullable=False),
)


@dataclass(frozen=True)
class Cursor:
    """Where a subscription stands."""

    subscription_id: str
    position: int
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    delivered: int


def start(conn: Connection, subscription_id: str, position: int) -> None:
    """A new subscription's cursor: it is sent what comes after ``position``."""
    conn.execute(
        cursors.insert().values(
            subscription_id=subscription_id, position=position, attempts=0, delivered=0
        )
    )


def find(conn: Connection, subscription_id: str) -> Cursor | None:
    """The subscription's cursor, or None."""
    row = conn.execute(select(cursors).where(cursors.c.subscription_id == subscription_id)).first()
    return None if row is None else _cursor(dict(row._mapping))


def claim(conn: Connection, subscription_id: str, now: datetime, lease: timedelta) -> Cursor | None:
    """Take the subscription for ``lease`` if it is due and nobody holds it (else None)."""
    c = cursors.c
    taken = conn.execute(
        update(cursors)
        .where(
            c.subscription_id == subscription_id,
            or_(c.lease_until.is_(None), c.lease_until < now),
            or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now),
        )
        .values(lease_until=now + lease)
    )
    return find(conn, subscription_id) if taken.rowcount == 1 else None


def due(conn: Connection, now: datetime) -> list[str]:
    """Subscriptions nobody holds whose next attempt is due."""
    c = cursors.c
    query = select(c.subscription_id).where(
        and_(
            or_(c.lease_until.is_(None), c.lease_until < now),
            or_(c.next_attempt_at.is_(None), c.next_attempt_at <= now),
        )
    )
    return [str(s) for s in conn.execute(query).scalars()]


def advance(conn: Connection, subscription_id: str, position: int, sent: int) -> None:
    """The events up to ``position`` are dealt with, ``sent`` of them delivered."""
    conn.execute(
        update(cursors)
        .where(cursors.c.subscription_id == subscription_id)
        .values(
            position=position,
            attempts=0,
            next_attempt_at=None,
            last_error=None,
            delivered=cursors.c.delivered + sent,
        )
    )


def failed(
    conn: Connection, subscription_id: str, error: str, attempts: int, retry_at: datetime
) -> None:
    """The next event could not be delivered; try again at ``retry_at``."""
    conn.execute(
        update(cursors)
        .where(cursors.c.subscription_id == subscription_id)
        .values(attempts=attempts, next_attempt_at=retry_at, last_error=error[:300])
    )


def give_up(
    conn: Connection,
    subscription_id: str,
    *,
    position: int,
    event_id: str,
    attempts: int,
    error: str,
    now: datetime,
) -> None:
    """Put the event at ``position`` in the dead-letter list and move past it."""
    conn.execute(
        dead_letters.insert().values(
            subscription_id=subscription_id,
            position=position,
            event_id=event_id,
            attempts=attempts,
            last_error=error[:300],
            at=now,
        )
    )
    advance(conn, subscription_id, position, 0)


def release(conn: Connection, subscription_id: str) -> None:
    """Give the lease back."""
    conn.execute(
        update(cursors).where(cursors.c.subscription_id == subscription_id).values(lease_until=None)
    )


def rewind(conn: Connection, subscription_id: str, after: int) -> None:
    """Send again everything after ``after`` (receivers deduplicate by event id)."""
    conn.execute(
        update(cursors)
        .where(cursors.c.subscription_id == subscription_id)
        .values(position=after, attempts=0, next_attempt_at=None, last_error=None)
    )


def letters(conn: Connection, subscription_id: str) -> list[dict[str, object]]:
    """The subscription's dead letters, oldest first."""
    query = (
        select(dead_letters)
        .where(dead_letters.c.subscription_id == subscription_id)
        .order_by(dead_letters.c.position)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def _cursor(m: Mapping[str, Any]) -> Cursor:
    retry = m["next_attempt_at"]
    return Cursor(
        str(m["subscription_id"]),
        int(m["position"]),
        int(m["attempts"]),
        None if retry is None else as_utc(retry),
        m["last_error"],
        int(m["delivered"]),
    )
