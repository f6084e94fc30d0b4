"""The stream index: one row per stream with its type, version, area and times."""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from functools import cache
from typing import ClassVar

from sqlalchemy import BigInteger, Column, Connection, Integer, String, Table, func
from sqlalchemy.sql.dml import Insert

from events import sql
from events.envelope import RecordedEvent
from events.projections.kinds import InsertsRows
from events.projections.upsert import insert_for
from events.schema import code_column, instant_column, metadata

streams = Table(
    "proj_streams",
    metadata,
    Column("stream_id", String(120), primary_key=True),
    Column("stream_type", String(40), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    code_column("wilayah", nullable=True),
    Column("first_position", BigInteger, nullable=False),
    Column("last_position", BigInteger, nullable=False),
    instant_column("created_at", nullable=False),
    instant_column("updated_at", nullable=False),
)


class StreamIndex(InsertsRows):
    """Keeps ``proj_streams`` in step with the log."""

    name: ClassVar[str] = "streams"
    tables: ClassVar[tuple[Table, ...]] = (streams,)
    event_types: ClassVar[frozenset[str] | None] = None
    write_only: ClassVar[bool] = True
    stream_local: ClassVar[bool] = True

    def apply(self, conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        """One upsert per stream touched; first position and creation time are kept."""
        sql.execute_many(conn, _upsert(conn.dialect.name), _rows(batch))

    def replayed(
        self,
        batch: Sequence[RecordedEvent],
        shared: MutableMapping[str, object],  # Replaying: this projection shares nothing
        conn: Connection | None,  # nor reads anything
    ) -> list[dict[str, object]]:
        """The rows of whole streams with no row yet."""
        return _rows(batch)


def _rows(batch: Sequence[RecordedEvent]) -> list[dict[str, object]]:
    """A row per stream the batch touches, as the batch leaves it."""
    rows: dict[str, dict[str, object]] = {}
    for event in batch:
        row = rows.setdefault(
            event.stream_id,
            {
                "stream_id": event.stream_id,
                "stream_type": event.stream_type,
                "first_position": event.position,
                "created_at": event.recorded_at,
                "wilayah": None,
            },
        )
        row["version"], row["last_position"] = event.stream_version, event.position
        row["updated_at"] = event.recorded_at
        row["wilayah"] = event.wilayah or row["wilayah"]
    return list(rows.values())


@cache
def _upsert(dialect: str) -> Insert:
    """The upsert keeping first position and creation time (built once per dialect)."""
    statement = insert_for(dialect, streams)
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["stream_id"],
        set_={
            "version": excluded.version,
            "last_position": excluded.last_position,
            "updated_at": excluded.updated_at,
            "wilayah": func.coalesce(excluded.wilayah, streams.c.wilayah),
        },
    )
