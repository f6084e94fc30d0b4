"""The stream index: one row per stream with its type, version, area and times."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    select,
)

from events.envelope import RecordedEvent
from events.projections.upsert import upsert
from events.schema import metadata

streams = Table(
    "proj_streams",
    metadata,
    Column("stream_id", String(120), primary_key=True),
    Column("stream_type", String(40), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("wilayah", String(13), nullable=True),
    Column("first_position", BigInteger, nullable=False),
    Column("last_position", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class StreamIndex:
    """Keeps ``proj_streams`` in step with the log."""

    name: ClassVar[str] = "streams"
    tables: ClassVar[tuple[Table, ...]] = (streams,)
    event_types: ClassVar[frozenset[str] | None] = None

    def apply(self, conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        """Fold the batch per stream, then write one row per stream touched."""
        latest: dict[str, RecordedEvent] = {}
        first: dict[str, RecordedEvent] = {}
        for event in batch:
            latest[event.stream_id] = event
            first.setdefault(event.stream_id, event)
        known = self._known(conn, [s for s, e in first.items() if e.stream_version > 1])
        rows = []
        for stream_id, event in latest.items():
            opened = first[stream_id]
            earlier = known.get(stream_id)
            rows.append(
                {
                    "stream_id": stream_id,
                    "stream_type": event.stream_type,
                    "version": event.stream_version,
                    "wilayah": event.wilayah or (earlier[2] if earlier else None),
                    "first_position": earlier[0] if earlier else opened.position,
                    "last_position": event.position,
                    "created_at": earlier[1] if earlier else opened.recorded_at,
                    "updated_at": event.recorded_at,
                }
            )
        upsert(conn, streams, rows, ["stream_id"])

    @staticmethod
    def _known(conn: Connection, ids: list[str]) -> dict[str, tuple[int, object, str | None]]:
        if not ids:
            return {}
        query = select(
            streams.c.stream_id, streams.c.first_position, streams.c.created_at, streams.c.wilayah
        ).where(streams.c.stream_id.in_(ids))
        return {r[0]: (int(r[1]), r[2], r[3]) for r in conn.execute(query)}
