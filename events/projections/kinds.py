"""What a projection is to the runner and the store: its tables and event types, and the
ways it may be applied (inline, from rows read before the lock, replayed in bulk)."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import ClassVar, Protocol, runtime_checkable

from sqlalchemy import Connection, Table

from events import sql
from events.envelope import RecordedEvent


class Projection(Protocol):
    """A read model: its tables, the event types it reads, and how a batch changes it."""

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    event_types: ClassVar[frozenset[str] | None]  # None: every event
    # True when ``apply`` only writes (no reads through SQLAlchemy), so the store may send
    # its statements in one PostgreSQL pipeline with the append's COMMIT.
    write_only: ClassVar[bool]
    # True when ``apply`` needs no other stream's events before a stream's own (each row
    # belongs to one stream): a replay may then go stream by stream, folding each stream's
    # whole history in one batch instead of touching it again in every chunk of the log.
    stream_local: ClassVar[bool]

    def apply(self, conn: Connection, batch: Sequence[RecordedEvent]) -> None: ...


@runtime_checkable
class Prefetching(Protocol):
    """A stream-local projection that can read what it needs before the append lock.

    ``prefetch`` reads the rows of some streams; ``apply_prefetched`` then updates them for
    a batch without reading. The store discards the rows unless every stream is, under the
    lock, at the version it had before they were read (so they are exactly current).
    """

    name: ClassVar[str]
    event_types: ClassVar[frozenset[str] | None]

    def prefetch(self, reader: sql.Reader, stream_ids: Sequence[str]) -> object: ...

    def apply_prefetched(
        self, conn: Connection, batch: Sequence[RecordedEvent], rows: object
    ) -> None: ...


@runtime_checkable
class Replaying(Protocol):
    """A stream-local projection that can take whole streams none of whose rows are stored
    (a rebuild's or a new projection's replay) in two steps: ``replayed`` computes their
    rows, ``write_replayed`` inserts them in bulk; together they leave what ``apply`` would.

    ``replayed`` reads nothing but what an earlier projection of the same batch left in
    ``shared``, unless that is missing and it is given ``conn`` (a replay of this projection
    alone): so a rebuild of every projection may compute it in other processes.
    """

    name: ClassVar[str]
    event_types: ClassVar[frozenset[str] | None]

    def replayed(
        self,
        batch: Sequence[RecordedEvent],
        shared: MutableMapping[str, object],
        conn: Connection | None,
    ) -> object: ...

    def write_replayed(
        self, conn: Connection, replayed: object, kept: MutableMapping[str, object]
    ) -> None:
        """Write what ``replayed`` computed; what adds up over chunks (sums) may instead be
        added to ``kept`` (the replay's, empty at its start) for ``end_replay``."""
        ...

    def end_replay(self, conn: Connection, kept: MutableMapping[str, object]) -> None:
        """Write what ``write_replayed`` kept (after the last chunk, and before a stream
        longer than a chunk goes through ``apply``)."""
        ...


class KeepsNothing:
    """For a ``Replaying`` projection that writes each chunk's rows at once."""

    def end_replay(self, conn: Connection, kept: MutableMapping[str, object]) -> None:
        """Nothing was kept for the end."""


class InsertsRows(KeepsNothing):
    """For a ``Replaying`` projection of one table whose ``replayed`` gives that table's rows:
    inserted in bulk, a chunk at a time."""

    tables: ClassVar[tuple[Table, ...]]

    def write_replayed(
        self,
        conn: Connection,
        replayed: object,
        kept: MutableMapping[str, object],  # Replaying: nothing is kept for the end
    ) -> None:
        """Insert the rows ``replayed`` gave, in bulk."""
        assert isinstance(replayed, list)
        [table] = self.tables
        sql.insert_rows(conn, table, replayed)


Prefetched = Mapping[str, object]
"""Rows read before the lock, by projection name."""


class _Reading(Protocol):
    event_types: ClassVar[frozenset[str] | None]  # None: every event


def events_read_by(projection: _Reading, batch: Sequence[RecordedEvent]) -> list[RecordedEvent]:
    """The events of ``batch`` that ``projection`` reads."""
    types = projection.event_types
    return list(batch) if types is None else [e for e in batch if e.event_type in types]
