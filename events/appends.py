"""The write path of the event store: appends under the lock, the hash chain extended, the
inline projections run in the same transaction (a part of ``SqlEventStore``).

Appends are serialised (PostgreSQL: a transaction-level advisory lock; SQLite:
``BEGIN IMMEDIATE``), so ``position`` is gap-free and equals commit order, and
``recorded_at`` never goes backwards.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from sqlalchemy import Connection, select

from events import decisions, sql, statements, timefmt
from events.chain import GENESIS_HASH, BodyTemplate, link_hash
from events.database import IMMEDIATE, WriterGate, is_sqlite
from events.envelope import (
    ExpectedVersion,
    Head,
    JsonObject,
    NewEvent,
    RecordedEvent,
    SealedPersonal,
    StreamAppend,
)
from events.errors import EventIdConflict, InvalidAppend, WrongExpectedVersion
from events.personal import opened_part, present
from events.registry import Registry
from events.rows import check_expected, check_shape, content, instant, row_to_event, to_row
from events.schema import events
from events.sealing import Sealing


@dataclass(frozen=True)
class Seen:
    """Streams as a decision sees them (under the append lock for ``append_decided``): each
    stream read whole, or its state and version from its decision snapshot."""

    histories: dict[str, list[RecordedEvent]]  # streams read whole (empty: no stream)
    owners: dict[str, str]  # the stream of each given event id already stored, if known
    open_personal: Callable[[Sequence[RecordedEvent]], dict[str, JsonObject | None]]
    snapshots: dict[str, tuple[Any, int]] = field(default_factory=dict)  # the other streams


class InlineProjections(Protocol):
    """What the store calls inside the append transaction (and just before it)."""

    def apply(
        self,
        conn: Connection,
        batch: Sequence[RecordedEvent],
        prefetched: Mapping[str, object] | None = None,
    ) -> None: ...

    def write_only(
        self, batch: Sequence[RecordedEvent], prefetched: Mapping[str, object] | None = None
    ) -> bool:
        """Whether applying ``batch`` only writes (so it may be pipelined with the COMMIT)."""
        ...

    def prefetches(self, appends: Sequence[StreamAppend]) -> bool:
        """Whether some projection ``appends`` touch can read its rows before the lock."""
        ...

    def prefetch(self, reader: sql.Reader, appends: Sequence[StreamAppend]) -> Mapping[str, object]:
        """The rows those projections need, read before the lock."""
        ...


class Appends(Sealing):
    """The store's appends (a part of ``SqlEventStore``)."""

    registry: Registry
    inline: InlineProjections | None
    _gate: WriterGate | None
    _integrity_errors: tuple[type[Exception], type[Exception]]

    # -- writing ---------------------------------------------------------------------

    def append(
        self,
        stream_id: str,
        stream_type: str,
        expected_version: ExpectedVersion,
        new_events: Sequence[NewEvent],
    ) -> list[RecordedEvent]:
        """Append events to one stream atomically."""
        return self.append_streams(
            [StreamAppend(stream_id, stream_type, expected_version, tuple(new_events))]
        )

    def append_streams(
        self,
        appends: Sequence[StreamAppend],
        also: Callable[[Connection], None] | None = None,
    ) -> list[RecordedEvent]:
        """Append to several streams in one transaction: all of it is stored, or nothing.
        ``also`` runs in that transaction, under the append lock (an erasure's key update)."""
        check_shape(appends)
        sealed = self._seal_personal(appends)
        templates = [
            BodyTemplate(content(a, n, sealed.get(n.event_id))) for a in appends for n in a.events
        ]
        seen, prefetched = self._prefetch(appends)
        try:
            with self.writer(lock=False) as conn:
                head, versions = self._lock_and_read_head(conn, appends)
                recorded = self._build(head, appends, versions, templates, sealed)
                if also is not None:
                    also(conn)
                self._write(conn, appends, recorded, prefetched if seen == versions else None)
        except (*self._integrity_errors, WrongExpectedVersion) as refused:
            # Under the append lock only a reused event_id violates a constraint, and a
            # retry of a stored append finds its stream moved on: both may be replays.
            replayed = self._replayed(appends)
            if replayed is not None:
                return replayed
            if isinstance(refused, WrongExpectedVersion):
                raise
            raise InvalidAppend("the append violates a constraint of the event table") from None
        return recorded

    def append_decided(
        self,
        stream_ids: Collection[str],
        event_ids: Collection[str],
        decide: Callable[[Seen], Sequence[StreamAppend]],
    ) -> list[RecordedEvent]:
        """Read the streams, ``decide`` the appends and append them, all under the append lock.

        No other writer can move the streams between the read and the append, so this never
        races: the way out for a batch that raced an optimistic append (a posyandu day under
        concurrent sessions). It keeps every other writer waiting while ``decide`` runs.
        """
        with self.writer() as conn:
            reader = sql.Reader.within(conn)
            histories: dict[str, list[RecordedEvent]] = {s: [] for s in stream_ids}
            for row in reader.rows_among(statements.STREAMS, events.c.stream_id, list(histories)):
                event = row_to_event(*row.values())
                histories[event.stream_id].append(event)
            taken = reader.rows_among(statements.EVENT_STREAMS, events.c.event_id, list(event_ids))
            owners = {row["event_id"]: row["stream_id"] for row in taken}
            view = Seen(histories, owners, partial(self.open_personal_in, conn))
            appends = decide(view)
            if not appends:
                return []
            check_shape(appends)
            sealed = self._seal_in(conn, appends)
            templates = [
                BodyTemplate(content(a, n, sealed.get(n.event_id)))
                for a in appends
                for n in a.events
            ]
            head, versions = self._lock_and_read_head(conn, appends)
            recorded = self._build(head, appends, versions, templates, sealed)
            self._write(conn, appends, recorded, None)
        return recorded

    @contextmanager
    def writer(self, *, lock: bool = True) -> Iterator[Connection]:
        """A transaction that holds the append lock until it commits or rolls back."""
        gate = nullcontext() if self._gate is None else self._gate.held()
        with gate, self.engine.connect() as conn:
            conn.execution_options(**{IMMEDIATE: True})  # SQLite: BEGIN IMMEDIATE is the lock
            with conn.begin():
                if lock and not is_sqlite(self.engine):
                    sql.run(conn, statements.APPEND_LOCK, {})
                yield conn

    @contextmanager
    def reader(self) -> Iterator[Any]:
        """A bare driver connection for single-statement reads: autocommit, no BEGIN."""
        pooled = self.engine.raw_connection()
        driver: Any = pooled.driver_connection
        postgres = not is_sqlite(self.engine)
        try:
            if postgres:
                driver.autocommit = True
            yield driver
        finally:
            if postgres:
                driver.autocommit = False
            pooled.close()

    def _prefetch(
        self, appends: Sequence[StreamAppend]
    ) -> tuple[dict[str, int] | None, Mapping[str, object] | None]:
        """The streams' versions, then the projection rows for them, read before the lock.

        The versions are read first: the rows, read after, are at least that current. If
        under the lock every stream is still at the version seen here, nothing was appended
        to it since, so the rows are exactly current (projections change only with appends,
        in the append's transaction) and the projections need not read them in the lock,
        where every statement keeps the other writers waiting.
        """
        inline = self.inline
        if inline is None or not inline.prefetches(appends):
            return None, None
        with self.reader() as driver:
            reader = sql.Reader(self.engine.dialect, driver)
            rows = reader.rows_among(statements.VERSIONS, events.c.stream_id, _ids(appends))
            found = inline.prefetch(reader, appends)
        return _versions(appends, rows), found

    def _replayed(self, appends: Sequence[StreamAppend]) -> list[RecordedEvent] | None:
        """The stored events of an append stored before with the same content, else None."""
        wanted = {n.event_id: (a, n) for a in appends for n in a.events}
        with self.engine.connect() as conn:
            rows = conn.execute(select(*statements.ROW).where(events.c.event_id.in_(list(wanted))))
            stored = {e.event_id: e for e in (row_to_event(*r) for r in rows)}
            if not stored:
                return None
            for event_id, (append, new) in wanted.items():
                if event_id not in stored:
                    raise EventIdConflict(
                        next(iter(stored)), "a retry must repeat the whole append"
                    )
                self._check_same(conn, stored[event_id], append, new)
        return sorted(stored.values(), key=lambda e: e.position)

    def _check_same(
        self, conn: Connection, stored: RecordedEvent, append: StreamAppend, new: NewEvent
    ) -> None:
        mine = (append.stream_id, new.event_type, new.schema_version, new.wilayah, new.payload)
        theirs = (
            stored.stream_id,
            stored.event_type,
            stored.schema_version,
            stored.wilayah,
            stored.payload,
        )
        if mine != theirs or timefmt.to_text(new.occurred_at) != timefmt.to_text(
            stored.occurred_at
        ):
            raise EventIdConflict(new.event_id, "stream, type, time or payload differ")
        if (new.personal is None) != (stored.personal is None):
            raise EventIdConflict(new.event_id, "personal part differs")
        if new.personal is not None and stored.personal is not None:
            keys = self.keyring.load(conn, stored.personal.key_ids)
            opened = opened_part(keys, stored.event_id, stored.personal)
            if opened.erased or present(opened.plain) != present(new.personal):
                raise EventIdConflict(new.event_id, "personal part differs")

    def _lock_and_read_head(
        self, conn: Connection, appends: Sequence[StreamAppend]
    ) -> tuple[Head, dict[str, int]]:
        """Take the append lock, then read the head and each stream's version (one statement
        for any number of streams).

        On PostgreSQL, BEGIN, the lock and the reads go to the server in one pipeline: one
        round trip. The reads still run after the lock is granted (statements of a pipeline
        execute in order, each with its own snapshot).
        """
        reader = sql.Reader.within(conn)
        ids = _ids(appends)
        if is_sqlite(self.engine):
            head = head_of(sql.fetch(conn, statements.HEAD, {}))
            rows = reader.rows_among(statements.VERSIONS, events.c.stream_id, ids)
        else:
            with conn.connection.driver_connection.pipeline():  # type: ignore[union-attr]
                sql.run(conn, statements.APPEND_LOCK, {})
                among = sql.narrowed(statements.VERSIONS, events.c.stream_id, postgres=True)
                tops, [rows] = reader.rows_each((statements.HEAD, [{}]), (among, [{"values": ids}]))
            head = head_of([tuple(r.values()) for r in tops[0]])
        versions = _versions(appends, rows)
        for append in appends:
            check_expected(append, versions[append.stream_id])
        return head, versions

    def _build(
        self,
        head: Head,
        appends: Sequence[StreamAppend],
        versions: dict[str, int],
        templates: Sequence[BodyTemplate],
        sealed: dict[str, SealedPersonal],
    ) -> list[RecordedEvent]:
        now = self.clock()
        recorded_at = max(now, head.recorded_at) if head.recorded_at is not None else now
        stamp = timefmt.to_text(recorded_at)
        position, prev_hash = head.position, head.hash
        recorded: list[RecordedEvent] = []
        bodies = iter(templates)
        for append in appends:
            version = versions[append.stream_id]
            for new in append.events:
                position, version = position + 1, version + 1
                body = next(bodies).fill(
                    {
                        "position": position,
                        "prev_hash": prev_hash,
                        "recorded_at": stamp,
                        "stream_version": version,
                    }
                )
                digest = link_hash(prev_hash, body)
                event = RecordedEvent(
                    position,
                    new.event_id,
                    append.stream_id,
                    append.stream_type,
                    version,
                    new.event_type,
                    new.schema_version,
                    timefmt.as_utc(new.occurred_at),
                    timefmt.as_utc(recorded_at),
                    new.wilayah,
                    new.payload,
                    sealed.get(new.event_id),
                    new.meta,
                    prev_hash,
                    digest,
                    body,
                )
                recorded.append(event)
                prev_hash = digest
        return recorded

    def _write(
        self,
        conn: Connection,
        appends: Sequence[StreamAppend],
        recorded: list[RecordedEvent],
        prefetched: Mapping[str, object] | None,
    ) -> None:
        """Insert the events, the streams' decision snapshots and the inline projections'
        rows, still inside the lock.

        On PostgreSQL, when the projections only write (their rows were prefetched, or they
        need none), the inserts, their writes and the COMMIT go to the server in one
        pipeline: one round trip (and the WAL flush).
        """
        rows = [to_row(event) for event in recorded]
        after = {event.stream_id: event.stream_version for event in recorded}
        inline = self.inline
        if is_sqlite(self.engine) or (
            inline is not None and not inline.write_only(recorded, prefetched)
        ):
            sql.execute_many(conn, statements.INSERT, rows)
            decisions.write(conn, appends, after)
            if inline is not None:
                inline.apply(conn, recorded, prefetched)
            return
        driver: Any = conn.connection.driver_connection
        with driver.pipeline():
            sql.execute_many(conn, statements.INSERT, rows)
            decisions.write(conn, appends, after)
            if inline is not None:
                inline.apply(conn, recorded, prefetched)
            # Committed here, in the same flight; SQLAlchemy's own commit then finds
            # nothing left to commit.
            driver.commit()


def head_of(rows: Sequence[Sequence[Any]]) -> Head:
    """The head from a ``statements.HEAD`` answer (no row: an empty log)."""
    if not rows:
        return Head(0, GENESIS_HASH, None)
    position, digest, recorded_at = rows[0]
    return Head(int(position), digest, timefmt.as_utc(instant(recorded_at)))


def _ids(appends: Sequence[StreamAppend]) -> list[str]:
    return [a.stream_id for a in appends]


def _versions(appends: Sequence[StreamAppend], rows: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Each stream's version from a ``statements.VERSIONS`` answer (no row: version 0)."""
    found = {a.stream_id: 0 for a in appends}
    found.update({str(row["stream_id"]): int(row["version"]) for row in rows})
    return found
