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

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, delete, literal, select, tuple_, update

from domain.fact import Decider
from events import sql, statements
from events.envelope import RecordedEvent, StreamAppend
from events.projections.kinds import (
    KeepsNothing,
    Prefetched,
    Prefetching,
    Projection,
    Replaying,
    events_read_by,
)
from events.projections.replayer import Replayer, Rows
from events.projections.snapshots import derive
from events.rows import all_query, row_to_event
from events.schema import events, projection_checkpoints
from events.store import SqlEventStore

__all__ = [
    "REPLAY_CHUNK",
    "STREAM_CHUNK",
    "KeepsNothing",
    "Prefetched",
    "Prefetching",
    "Progress",
    "Projection",
    "ProjectionRunner",
    "Replaying",
]

REPLAY_CHUNK = 5000
STREAM_CHUNK = 20000
Progress = Callable[[int], None]
"""Told how many events a replay has read so far."""


class ProjectionRunner:
    """The inline projections of one store."""

    def __init__(
        self,
        projections: Sequence[Projection],
        *,
        replay_workers: int = 1,
        deciders: Sequence[Decider[Any, Any]] = (),
    ) -> None:
        names = [p.name for p in projections]
        if len(set(names)) != len(names):
            raise ValueError("projection names must be unique")
        self.projections = tuple(projections)
        # Checked once: isinstance against a runtime protocol costs ~0.1 ms a call.
        self._prefetchers = {p.name: p for p in projections if isinstance(p, Prefetching)}
        self._replaying = {p.name for p in projections if isinstance(p, Replaying)}
        self.replay_workers = replay_workers
        self.deciders = tuple(deciders)  # whose streams' decision snapshots it derives

    def apply(
        self,
        conn: Connection,
        batch: Sequence[RecordedEvent],
        prefetched: Prefetched | None = None,
    ) -> None:
        """Update every projection with a freshly appended batch (inside its transaction)."""
        prefetched = prefetched or {}
        for projection in self.projections:
            relevant = events_read_by(projection, batch)
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
        return all(
            p.write_only or p.name in ready for p in self.projections if events_read_by(p, batch)
        )

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

    def rebuild(
        self,
        store: SqlEventStore,
        names: Sequence[str] | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Clear and replay the named projections (all if None: the streams' decision
        snapshots too, ``events/projections/snapshots.py``); returns events replayed.

        Appends wait meanwhile (the rebuild holds the append lock), so the projection is
        never seen half-built and no event slips between replay and resumption.
        ``progress`` is told the events read so far, stream by stream, after each chunk.
        """
        chosen = [p for p in self.projections if names is None or p.name in names]
        with store.writer() as conn:
            for projection in chosen:
                _clear(conn, projection)
                _set_checkpoint(conn, projection.name, 0)
            replayed = self._replay(conn, chosen, progress)
            derive(conn, store.registry, self.deciders)  # what the replay left to fold
            return replayed

    def catch_up(self, store: SqlEventStore) -> int:
        """Build projections that were never built (e.g. newly added) up to the log's head,
        and the decision snapshots of streams that have none."""
        with store.writer() as conn:
            built = self.checkpoints(conn)
            new = [p for p in self.projections if p.name not in built]
            for projection in new:
                _clear(conn, projection)  # rows held without a checkpoint are not its own
                _set_checkpoint(conn, projection.name, 0, insert=True)
            replayed = self._replay(conn, new)
            derive(conn, store.registry, self.deciders)  # streams that have none
            return replayed

    def _replay(
        self, conn: Connection, chosen: Sequence[Projection], progress: Progress | None = None
    ) -> int:
        """Replay the log into ``chosen``; the number of events the replays read."""
        if not chosen:
            return 0
        local = [p for p in chosen if p.stream_local]
        replayed = _by_log_order(conn, [p for p in chosen if not p.stream_local])
        # Workers compute rows only from what the batch's earlier projections share:
        # only when every Replaying projection is replayed (none has to read another's).
        every = self._replaying <= {p.name for p in chosen}
        workers = self.replay_workers if every else 1
        replayed = max(replayed, _by_stream(conn, local, workers, progress or _unheard))
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


def _unheard(_: int) -> None:
    """No one follows this replay's progress."""


def _by_stream(
    conn: Connection, chosen: Sequence[Projection], workers: int, progress: Progress
) -> int:
    """Replay stream by stream (each stream's events in order, whole when they fit); the
    rows of the ``Replaying`` projections are computed by ``workers`` processes if more
    than one (and the log fills more than one chunk)."""
    if not chosen:
        return 0
    replaying = [p for p in chosen if isinstance(p, Replaying)]
    others = [p for p in chosen if not isinstance(p, Replaying)]
    types_read = _union_types(others)
    read_here = None if types_read is None else set(types_read)  # by the others, here
    replayed = 0
    with Replayer(conn, replaying, workers) as replayer:
        for rows, types, whole, more in _stream_chunks(conn, _union_types(chosen)):
            if whole:  # here, decode only the events of the projections that are not Replaying
                wanted = [
                    r
                    for r, t in zip(rows, types, strict=True)
                    if read_here is None or t in read_here
                ]
                _apply(others, conn, [row_to_event(*row) for row in wanted])
                replayer.replay(rows, more=more)
            else:  # part of a stream longer than a chunk: after what came before it
                replayer.drain()
                _apply(chosen, conn, [row_to_event(*row) for row in rows])
            replayed += len(rows)
            progress(replayed)
        replayer.drain()
    return replayed


def _stream_chunks(
    conn: Connection, wanted: list[str] | None
) -> Iterator[tuple[Rows, list[str], bool, bool]]:
    """The log's rows (``row_to_event``'s arguments) stream by stream, a chunk at a time:
    with their event types, whether the chunk holds whole streams, and whether more chunks
    may follow."""
    key, went_on = ("", 0), False  # went_on: the last chunk ended inside a stream
    order = (events.c.stream_id, events.c.stream_version)
    columns = (*order, events.c.event_type, *statements.ROW)
    while True:
        query = select(*columns).where(tuple_(*order) > tuple_(*map(literal, key)))
        if wanted is not None:
            query = query.where(events.c.event_type.in_(wanted))
        rows = conn.execute(query.order_by(*order).limit(STREAM_CHUNK)).all()
        if not rows:
            return
        full, one_stream = len(rows) == STREAM_CHUNK, rows[0][0] == rows[-1][0]
        if full and not one_stream:
            cut = rows[-1][0]  # may go on in the next chunk: replay it whole there
            rows = [r for r in rows if r[0] != cut]
        # A stream longer than a chunk goes in parts, each applied to what the last left.
        goes_on = full and one_stream
        types = [r[2] for r in rows]
        yield [tuple(r[3:]) for r in rows], types, not (went_on or goes_on), full
        key, went_on = (rows[-1][0], rows[-1][1]), goes_on


def _apply(chosen: Sequence[Projection], conn: Connection, batch: Sequence[RecordedEvent]) -> None:
    """Apply ``batch`` to each projection."""
    for projection in chosen:
        relevant = events_read_by(projection, batch)
        if relevant:
            projection.apply(conn, relevant)


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
