"""The store's hot statements, built once: building SQLAlchemy constructs per call cost
more than executing them (measured: ~1.8 ms of 4.5 ms CPU per command)."""

from __future__ import annotations

from functools import cache
from typing import Any, Final

from sqlalchemy import Select, bindparam, func, select, text, true

from events.schema import events

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


@cache
def head_and_versions(streams: int) -> Select[*tuple[Any, ...]]:
    """The log's head and the versions of ``streams`` streams (bound as s0, s1, …).

    One row even for an empty log: the versions ride on a one-row anchor.
    """
    current = [
        select(func.coalesce(func.max(events.c.stream_version), 0))
        .where(events.c.stream_id == bindparam(f"s{i}"))
        .scalar_subquery()
        for i in range(streams)
    ]
    last = (
        select(events.c.position, events.c.hash, events.c.recorded_at)
        .order_by(events.c.position.desc())
        .limit(1)
        .subquery()
    )
    anchor = select(func.count().label("one")).subquery()
    return select(last.c.position, last.c.hash, last.c.recorded_at, *current).select_from(
        anchor.outerjoin(last, true())
    )
