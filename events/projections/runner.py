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

import gc
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, ClassVar, Protocol, runtime_checkable

from sqlalchemy import Connection, Table, delete, literal, select, tuple_, update

from events import sql, statements
from events.envelope import RecordedEvent, StreamAppend
from events.rows import all_query, row_to_event
from events.schema import events, projection_checkpoints
from events.store import SqlEventStore

REPLAY_CHUNK = 5000
STREAM_CHUNK = 20000
Progress = Callable[[int], None]
"""Told how many events a replay has read so far."""


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


Prefetched = Mapping[str, object]
"""Rows read before the lock, by projection name."""


class ProjectionRunner:
    """The inline projections of one store."""

    def __init__(self, projections: Sequence[Projection], *, replay_workers: int = 1) -> None:
        names = [p.name for p in projections]
        if len(set(names)) != len(names):
            raise ValueError("projection names must be unique")
        self.projections = tuple(projections)
        # Checked once: isinstance against a runtime protocol costs ~0.1 ms a call.
        self._prefetchers = {p.name: p for p in projections if isinstance(p, Prefetching)}
        self._replaying = {p.name for p in projections if isinstance(p, Replaying)}
        self.replay_workers = replay_workers

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

    def rebuild(
        self,
        store: SqlEventStore,
        names: Sequence[str] | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Clear and replay the named projections (all if None); returns events replayed.

        Appends wait meanwhile (the rebuild holds the append lock), so the projection is
        never seen half-built and no event slips between replay and resumption.
        ``progress`` is told the events read so far, stream by stream, after each chunk.
        """
        chosen = [p for p in self.projections if names is None or p.name in names]
        with store.writer() as conn:
            for projection in chosen:
                _clear(conn, projection)
                _set_checkpoint(conn, projection.name, 0)
            return self._replay(conn, chosen, progress)

    def catch_up(self, store: SqlEventStore) -> int:
        """Build projections that were never built (e.g. newly added) up to the log's head."""
        with store.writer() as conn:
            built = self.checkpoints(conn)
            new = [p for p in self.projections if p.name not in built]
            for projection in new:
                _clear(conn, projection)  # rows held without a checkpoint are not its own
                _set_checkpoint(conn, projection.name, 0, insert=True)
            return self._replay(conn, new)

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
    with _Replayer(conn, replaying, workers) as replayer:
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


_Rows = list[tuple[Any, ...]]


def _stream_chunks(
    conn: Connection, wanted: list[str] | None
) -> Iterator[tuple[_Rows, list[str], bool, bool]]:
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


_FORKED: list[Replaying] = []  # a worker's projections, as the rebuilding process had them


class _Replayer:
    """Computes the ``Replaying`` projections' rows of chunks of whole streams, here or in
    forked worker processes, and writes them on ``conn`` in the order of the chunks.

    The workers only decode events and compute rows (``replayed`` without a connection);
    every write stays in the rebuild's one transaction, so the projections are still never
    seen half-built. Forked, the workers start in milliseconds with the projections as
    they are here; the garbage collector is frozen across the fork so that a worker never
    finalises a connection object it inherited.
    """

    def __init__(self, conn: Connection, projections: Sequence[Replaying], workers: int) -> None:
        self.conn, self.projections = conn, projections
        self.workers = workers if "fork" in multiprocessing.get_all_start_methods() else 1
        self.pool: Pool | None = None
        self.pending: deque[AsyncResult[list[object | None]]] = deque()
        self.kept: dict[str, object] = {}  # for end_replay

    def __enter__(self) -> _Replayer:
        return self

    def __exit__(self, *failed: object) -> None:
        if self.pool is not None:
            self.pool.terminate()  # after drain() nothing is left to compute
            self.pool.join()

    def replay(self, rows: _Rows, *, more: bool) -> None:
        """Compute and write the projections' rows of the events ``rows`` hold, or hand
        them to a worker and write what the workers finished before."""
        if self.pool is None and more and self.workers > 1 and self.projections:
            self.pool = self._fork()
        if self.pool is None:
            batch = [row_to_event(*row) for row in rows]
            self._write(_computed(self.projections, batch, self.conn.info, self.conn))
            return
        self.pending.append(self.pool.apply_async(_computed_in_worker, (rows,)))
        while len(self.pending) > self.workers:  # a chunk ahead for each worker, no more
            self._write(self.pending.popleft().get())

    def drain(self) -> None:
        """Write everything handed to the workers, and what was kept for the end."""
        while self.pending:
            self._write(self.pending.popleft().get())
        for projection in self.projections:
            projection.end_replay(self.conn, self.kept)

    def _fork(self) -> Pool:
        _FORKED[:] = self.projections
        gc.freeze()
        try:
            return multiprocessing.get_context("fork").Pool(self.workers, _ignore_interrupts)
        finally:
            gc.unfreeze()

    def _write(self, parts: list[object | None]) -> None:
        for projection, part in zip(self.projections, parts, strict=True):
            if part is not None:
                projection.write_replayed(self.conn, part, self.kept)


def _ignore_interrupts() -> None:
    """A worker leaves Ctrl-C to the rebuilding process, which ends the pool (no traceback
    from every worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _computed_in_worker(rows: _Rows) -> list[object | None]:
    return _computed(_FORKED, [row_to_event(*row) for row in rows], {}, None)


def _computed(
    projections: Sequence[Replaying],
    batch: Sequence[RecordedEvent],
    shared: MutableMapping[str, object],
    conn: Connection | None,
) -> list[object | None]:
    """Each projection's rows of ``batch`` (None: no event of the batch is its)."""
    found: list[object | None] = []
    for projection in projections:
        relevant = _relevant(projection, batch)
        found.append(projection.replayed(relevant, shared, conn) if relevant else None)
    return found


def _apply(chosen: Sequence[Projection], conn: Connection, batch: Sequence[RecordedEvent]) -> None:
    """Apply ``batch`` to each projection."""
    for projection in chosen:
        relevant = _relevant(projection, batch)
        if relevant:
            projection.apply(conn, relevant)


class _Reading(Protocol):
    event_types: ClassVar[frozenset[str] | None]  # None: every event


def _relevant(projection: _Reading, batch: Sequence[RecordedEvent]) -> list[RecordedEvent]:
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
