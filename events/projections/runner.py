"""Runs projections: inline in the append transaction, rebuilt from the log, caught up.

A projection is derived and disposable. Inline projections are updated in the same
transaction as every append (read-your-writes), so once built they are at the log's head by
construction. ``projection_checkpoints`` records, per projection, the position up to which
it was last built by replay (a rebuild, or the catch-up of a projection that is new); from
there on the append transactions keep it current, with no checkpoint write per append.
``rebuild`` clears a projection's tables and replays the log, and must leave exactly what
incremental updates left.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar, Protocol, runtime_checkable

from sqlalchemy import Connection, Table, delete, literal, select, tuple_, update

from events import sql, statements
from events.envelope import RecordedEvent, StreamAppend
from events.rows import all_query, row_to_event
from events.schema import events, projection_checkpoints
from events.store import SqlEventStore

REPLAY_CHUNK = 5000
STREAM_CHUNK = 20000


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
    (a rebuild's or a new projection's replay) without reading, inserting its rows in bulk.
    ``replay`` must leave what ``apply`` would."""

    name: ClassVar[str]

    def replay(self, conn: Connection, batch: Sequence[RecordedEvent]) -> None: ...


Prefetched = Mapping[str, object]
"""Rows read before the lock, by projection name."""


class ProjectionRunner:
    """The inline projections of one store."""

    def __init__(self, projections: Sequence[Projection]) -> None:
        names = [p.name for p in projections]
        if len(set(names)) != len(names):
            raise ValueError("projection names must be unique")
        self.projections = tuple(projections)
        # Checked once: isinstance against a runtime protocol costs ~0.1 ms a call.
        self._prefetchers = {p.name: p for p in projections if isinstance(p, Prefetching)}

    def apply(
        self,
        conn: Connection,
        batch: Sequence[RecordedEvent],
        prefetched: Prefetched | None = None,
    ) -> None:
        """Update every projection with a freshly appended batch (inside its transaction)."""
        prefetched = prefetched or {}
        for projection in self.projections:
            relevant = _relevant(projection, batch)
            if not relevant:
                continue
            ready, prefetcher = (
                prefetched.get(projection.name),
                self._prefetchers.get(projection.name),
            )
            if ready is not None and prefetcher is not None:
                prefetcher.apply_prefetched(conn, relevant, ready)
            else:
                projection.apply(conn, relevant)

    def write_only(
        self, batch: Sequence[RecordedEvent], prefetched: Prefetched | None = None
    ) -> bool:
        """Whether every projection this batch touches only writes (given ``prefetched``)."""
        ready = prefetched or {}
        return all(p.write_only or p.name in ready for p in self.projections if _relevant(p, batch))

    def prefetches(self, appends: Sequence[StreamAppend]) -> bool:
        """Whether a projection that ``appends`` touch can read its rows before the lock."""
        return bool(self._prefetching(appends))

    def prefetch(self, reader: sql.Reader, appends: Sequence[StreamAppend]) -> Prefetched:
        """The rows the projections that ``appends`` touch can read before the lock."""
        ids = [a.stream_id for a in appends]
        return {p.name: p.prefetch(reader, ids) for p in self._prefetching(appends)}

    def _prefetching(self, appends: Sequence[StreamAppend]) -> list[Prefetching]:
        types = {n.event_type for a in appends for n in a.events}
        return [
            p for p in self._prefetchers.values() if p.event_types is None or types & p.event_types
        ]

    def checkpoints(self, conn: Connection) -> dict[str, int]:
        """Position up to which each projection was built by replay (missing: never built)."""
        rows = conn.execute(
            select(projection_checkpoints.c.name, projection_checkpoints.c.position)
        )
        return {name: int(position) for name, position in rows}

    def checkpoints_now(self, store: SqlEventStore) -> dict[str, int]:
        """The replay checkpoints, read in a transaction of its own."""
        with store.engine.connect() as conn:
            return self.checkpoints(conn)

    def rebuild(self, store: SqlEventStore, names: Sequence[str] | None = None) -> int:
        """Clear and replay the named projections (all if None); returns events replayed.

        Appends wait meanwhile (the rebuild holds the append lock), so the projection is
        never seen half-built and no event slips between replay and resumption.
        """
        chosen = [p for p in self.projections if names is None or p.name in names]
        with store.writer() as conn:
            for projection in chosen:
                _clear(conn, projection)
                _set_checkpoint(conn, projection.name, 0)
            return self._replay(conn, chosen)

    def catch_up(self, store: SqlEventStore) -> int:
        """Build projections that were never built (e.g. newly added) up to the log's head."""
        with store.writer() as conn:
            built = self.checkpoints(conn)
            new = [p for p in self.projections if p.name not in built]
            for projection in new:
                _clear(conn, projection)  # rows held without a checkpoint are not its own
                _set_checkpoint(conn, projection.name, 0, insert=True)
            return self._replay(conn, new)

    @staticmethod
    def _replay(conn: Connection, chosen: Sequence[Projection]) -> int:
        """Replay the log into ``chosen``; the number of events the replays read."""
        if not chosen:
            return 0
        local = [p for p in chosen if p.stream_local]
        replayed = _by_log_order(conn, [p for p in chosen if not p.stream_local])
        replayed = max(replayed, _by_stream(conn, local))
        head = SqlEventStore.head_in(conn).position
        for projection in chosen:
            _set_checkpoint(conn, projection.name, head)
        return replayed


def _by_log_order(conn: Connection, chosen: Sequence[Projection]) -> int:
    if not chosen:
        return 0
    wanted = _union_types(chosen)
    position, replayed = 0, 0
    while True:
        rows = conn.execute(all_query(position, REPLAY_CHUNK, event_types=wanted)).all()
        if not rows:
            return replayed
        batch = [row_to_event(*row) for row in rows]
        _apply(chosen, conn, batch)
        position, replayed = batch[-1].position, replayed + len(batch)


def _by_stream(conn: Connection, chosen: Sequence[Projection]) -> int:
    """Replay stream by stream (each stream's events in order, whole when they fit)."""
    if not chosen:
        return 0
    wanted = _union_types(chosen)
    key, replayed, went_on = ("", 0), 0, False  # went_on: the last chunk ended inside a stream
    order = (events.c.stream_id, events.c.stream_version)
    while True:
        query = select(*statements.ROW).where(tuple_(*order) > tuple_(*map(literal, key)))
        if wanted is not None:
            query = query.where(events.c.event_type.in_(wanted))
        rows = conn.execute(query.order_by(*order).limit(STREAM_CHUNK)).all()
        if not rows:
            return replayed
        batch = [row_to_event(*row) for row in rows]
        full, one_stream = len(rows) == STREAM_CHUNK, batch[0].stream_id == batch[-1].stream_id
        if full and not one_stream:
            cut = batch[-1].stream_id  # may go on in the next chunk: replay it whole there
            batch = [e for e in batch if e.stream_id != cut]
        # A stream longer than a chunk goes in parts, each applied to what the last left.
        goes_on = full and one_stream
        _apply(chosen, conn, batch, whole_streams=not (went_on or goes_on))
        key, replayed = (batch[-1].stream_id, batch[-1].stream_version), replayed + len(batch)
        went_on = goes_on


def _apply(
    chosen: Sequence[Projection],
    conn: Connection,
    batch: Sequence[RecordedEvent],
    *,
    whole_streams: bool = False,
) -> None:
    """Apply ``batch`` to each projection; ``whole_streams``: it holds the whole history of
    its streams, replayed into cleared tables (so a ``Replaying`` projection need not read)."""
    for projection in chosen:
        relevant = _relevant(projection, batch)
        if not relevant:
            continue
        if whole_streams and isinstance(projection, Replaying):
            projection.replay(conn, relevant)
        else:
            projection.apply(conn, relevant)


def _relevant(projection: Projection, batch: Sequence[RecordedEvent]) -> list[RecordedEvent]:
    types = projection.event_types
    return list(batch) if types is None else [e for e in batch if e.event_type in types]


def _union_types(chosen: Sequence[Projection]) -> list[str] | None:
    if any(p.event_types is None for p in chosen):
        return None
    return sorted({t for p in chosen for t in (p.event_types or ())})


def _clear(conn: Connection, projection: Projection) -> None:
    for table in reversed(projection.tables):
        conn.execute(delete(table))


def _set_checkpoint(conn: Connection, name: str, position: int, *, insert: bool = False) -> None:
    table = projection_checkpoints
    if insert:
        conn.execute(table.insert().values(name=name, position=position))
    else:
        conn.execute(update(table).where(table.c.name == name).values(position=position))
