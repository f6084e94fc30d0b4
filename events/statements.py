"""The store's hot statements, built once: building SQLAlchemy constructs per call cost
more than executing them (measured: ~1.8 ms of 4.5 ms CPU per command)."""

from __future__ import annotations

from functools import cache
from typing import Any, Final

from sqlalchemy import Select, bindparam, func, or_, select, text

from events.schema import events, subject_keys

APPEND_LOCK: Final = text("SELECT pg_advisory_xact_lock(7420211)")
ROW: Final = (events.c.position, events.c.prev_hash, events.c.hash, events.c.body)
INSERT: Final = events.insert()
READ_STREAM: Final = (
    select(*ROW)
    .where(
        events.c.stream_id == bindparam("stream_id"),
        events.c.stream_version >= bindparam("from_version"),
    )
    .order_by(events.c.stream_version)
)

SUBJECT_KEY: Final = select(subject_keys.c.wrapped_key).where(
    subject_keys.c.key_id == bindparam("key_id")
)


@cache
def sealed_of(event_types: tuple[str, ...]) -> Select[*tuple[Any, ...]]:
    """A stream's events of ``event_types`` (bound as ``stream_id``), in version order."""
    return (
        select(*ROW)
        .where(
            events.c.stream_id == bindparam("stream_id"),
            or_(*(events.c.event_type == t for t in event_types)),
        )
        .order_by(events.c.stream_version)
    )


@cache
def head_and_versions(streams: int) -> Select[*tuple[Any, ...]]:
    """The log's head with the versions of ``streams`` streams (bound as s0, s1, …).

    No row means an empty log, where every stream is at version 0.
    """
    current = [
        select(func.max(events.c.stream_version))
        .where(events.c.stream_id == bindparam(f"s{i}"))
        .scalar_subquery()
        for i in range(streams)
    ]
    return (
        select(events.c.position, events.c.hash, events.c.recorded_at, *current)
        .order_by(events.c.position.desc())
        .limit(1)
    )
