"""The peer's side of the foundation benchmarks: the ``eventsourcing`` library (9.5.x).

The foundation benchmarks (docs/scaling.md) compare our event store with ``eventsourcing``
doing the same work on the same PostgreSQL server and SQLite build, in the same run. This
module measures the peer, used the way its documentation recommends: an ``Application``
subclass whose command methods load an ``Aggregate`` from its stream (``repository.get``),
call an ``@event`` decorated method and ``save()``; persistence configured through the
application's environment (``PERSISTENCE_MODULE``, ``POSTGRES_*``, ``SQLITE_DBNAME``);
library defaults otherwise: no snapshotting, no aggregate cache (every command reads the
stream from the database), JSON transcoding, no compression or encryption.

- ``peer_single_appends``: events/s of "load stream, decide, append one event" commands,
  one transaction each, with ``writers`` concurrent threads (or processes, PostgreSQL
  only). Each writer owns a disjoint share of a pool of aggregates that already hold
  several events, picking one at random per command, so there are no version conflicts.
- ``peer_batch_appends``: events/s when each ``save()`` commits ``batch`` new events
  (one new aggregate with ``batch`` events), single writer.
- ``peer_projection_rate``: events/s of a durable projection catching up on N recorded
  events, keeping a count per aggregate in its own tables and recording its tracking
  position in the same transaction as each update (the library's exactly-once scheme).
  ``style="view"`` (default) uses the ``Projection`` API with a materialised view (a
  ``TrackingRecorder`` subclass); ``style="process"`` uses a ``ProcessApplication`` in a
  ``System`` run by a ``SingleThreadedRunner``, with one event-sourced counter aggregate
  per source aggregate. The view style is the faster of the two, so it is the default
  (comparing against the peer's best option).

Durability is matched to ours: PostgreSQL at server defaults (``synchronous_commit`` on);
SQLite in WAL mode (the library's default for file databases) with ``synchronous=NORMAL``,
which is what our store uses. The library leaves SQLite at ``synchronous=FULL``; pass
``sqlite_synchronous="FULL"`` to measure that default instead.

Event size is matched to the raw baseline (``bench/raw_insert.py``): each stored event's
state is about 400 bytes of JSON.

Honesty rules: only the timed window counts (set-up, seeding, warm-up are outside it);
an event counts once the ``save()`` that commits it has returned. Each call creates its
own PostgreSQL schema in database ``tumbuh_bench`` (or SQLite files in a fresh temporary
directory) and drops it afterwards. Connection settings can be overridden with
``BENCH_PG_HOST``, ``BENCH_PG_PORT``, ``BENCH_PG_USER``, ``BENCH_PG_PASSWORD`` and
``BENCH_PG_DBNAME``.

Run standalone: ``python bench/peer_eventsourcing.py``.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import tempfile
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

import psycopg
from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import Aggregate, DomainEventProtocol, event
from eventsourcing.persistence import InfrastructureFactory, Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.projection import Projection, ProjectionRunner
from eventsourcing.sqlite import (
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteDatastore,
    SQLiteFactory,
    SQLiteTrackingRecorder,
)
from eventsourcing.system import ProcessApplication, SingleThreadedRunner, System
from eventsourcing.utils import Environment, get_topic
from psycopg import sql
from raw_insert import ensure_pg_database as _ensure_pg_database
from raw_insert import pg_conninfo as _pg_conninfo

Db = Literal["postgres", "sqlite"]
Synchronous = Literal["NORMAL", "FULL"]

POOL_AGGREGATES = 1000  # aggregates the single-append writers pick from
PRIOR_EVENTS = 8  # events per aggregate before the timed commands start (1 created + 7)
WARMUP_SECONDS = 0.5
SEED_CHUNK = 100  # aggregates per save() while seeding (not timed)
# ~270 characters of note: with the library's JSON envelope (originator id, version,
# timestamp) each stored event's state is ~400 bytes, like the raw baseline's payload.
NOTE = ("Berat 9.4 kg, tinggi 78.2 cm, LiLA 14.1 cm; kunjungan posyandu bulanan. " * 4)[:270]


# --------------------------------------------------------------------------- domain


class PeerStream(Aggregate):
    """Stand-in for one of our streams: each event carries a short note."""

    @event("Opened")
    def __init__(self, note: str) -> None:
        self.note = note
        self.count = 0

    @event("Noted")
    def add_note(self, note: str) -> None:
        self.note = note
        self.count += 1


class PeerApp(Application[UUID]):
    """The peer application whose commands are measured."""

    def open_stream(self, prior_events: int = PRIOR_EVENTS) -> PeerStream:
        """Build (without saving) a stream holding ``prior_events`` events."""
        stream = PeerStream(NOTE)
        for _ in range(prior_events - 1):
            stream.add_note(NOTE)
        return stream

    def note(self, stream_id: UUID) -> None:
        """The measured command: load from the database, decide, append one event."""
        stream: PeerStream = self.repository.get(stream_id)
        if stream.count < 1_000_000_000:  # a (trivial) decision on the loaded state
            stream.add_note(NOTE)
        self.save(stream)


# ------------------------------------------------------------------ infrastructure


class _SQLitePoolWithSynchronous(SQLiteConnectionPool):
    """The library's SQLite pool (WAL mode), plus a ``PRAGMA synchronous`` per connection."""

    def __init__(self, *, synchronous: Synchronous, **kwargs: Any) -> None:
        self.synchronous = synchronous
        super().__init__(**kwargs)

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        cursor = connection.cursor()
        with cursor as c:
            c.execute(f"PRAGMA synchronous={self.synchronous}")
        return connection


class SQLiteNormalSyncFactory(SQLiteFactory):
    """The library's SQLite factory with ``synchronous=NORMAL`` (our store's setting).

    Selected with ``PERSISTENCE_MODULE`` set to this class's topic, which the library
    supports for custom factories. Only the connection pragma differs.
    """

    synchronous: Synchronous = "NORMAL"

    def __init__(self, env: Environment | dict[str, str] | None) -> None:
        super().__init__(env)
        default_pool = self.datastore.pool  # lazily connecting: nothing opened yet
        self.datastore.pool = _SQLitePoolWithSynchronous(
            synchronous=self.synchronous,
            db_name=default_pool.db_name,
            lock_timeout=default_pool.lock_timeout,
        )
        default_pool.close()


@contextmanager
def _peer_env(db: Db, sqlite_synchronous: Synchronous = "NORMAL") -> Iterator[dict[str, str]]:
    """Yield an application environment on fresh storage; remove the storage afterwards.

    PostgreSQL: a new schema in the benchmark database (tables are named after each
    application, so several applications can share it). SQLite: the library always
    names its tables ``stored_events``/``tracking``, so every application gets its own
    file via name-prefixed keys (``<APPNAME>_SQLITE_DBNAME``); ``SQLITE_DBNAME`` is the
    default used by ``PeerApp``.
    """
    if db == "postgres":
        _ensure_pg_database()
        schema = f"peer_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        info = psycopg.conninfo.conninfo_to_dict(_pg_conninfo())
        try:
            yield {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": str(info["dbname"]),
                "POSTGRES_HOST": str(info["host"]),
                "POSTGRES_PORT": str(info["port"]),
                "POSTGRES_USER": str(info["user"]),
                "POSTGRES_PASSWORD": str(info.get("password") or ""),
                "POSTGRES_SCHEMA": schema,
            }
        finally:
            with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )
    elif db == "sqlite":
        with tempfile.TemporaryDirectory(prefix="tumbuh-bench-peer-") as tmp:
            if sqlite_synchronous == "NORMAL":
                module = get_topic(SQLiteNormalSyncFactory)
            else:
                module = "eventsourcing.sqlite"  # library default: synchronous=FULL
            yield {
                "PERSISTENCE_MODULE": module,
                "SQLITE_DBNAME": str(Path(tmp) / "peer.db"),
                "PEERCOUNTSPROCESS_SQLITE_DBNAME": str(Path(tmp) / "peer_counts.db"),
            }
    else:
        raise ValueError(f"unknown db {db!r}")


def _seed(app: PeerApp, aggregates: int, events_each: int) -> list[UUID]:
    """Create ``aggregates`` streams with ``events_each`` events each (not timed)."""
    ids: list[UUID] = []
    for start in range(0, aggregates, SEED_CHUNK):
        chunk = [app.open_stream(events_each) for _ in range(min(SEED_CHUNK, aggregates - start))]
        app.save(*chunk)
        ids.extend(s.id for s in chunk)
    return ids


def _measure_window(
    counters: Sequence[Callable[[], int]], seconds: float, errors: list[BaseException]
) -> float:
    """Warm up, then count committed events across writers over ``seconds``."""
    time.sleep(WARMUP_SECONDS)
    before = sum(c() for c in counters)
    start = time.perf_counter()
    time.sleep(seconds)
    after = sum(c() for c in counters)
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return (after - before) / elapsed


# ------------------------------------------------------------------ single appends


def _thread_writer(
    app: PeerApp,
    ids: list[UUID],
    counts: list[int],
    slot: int,
    stop: threading.Event,
    errors: list[BaseException],
) -> None:
    rng = random.Random(slot)
    try:
        while not stop.is_set():
            app.note(rng.choice(ids))
            counts[slot] += 1  # after save() returned: committed
    except BaseException as e:
        errors.append(e)
        stop.set()


def _process_writer(
    env: dict[str, str],
    ids: list[str],
    count: Any,  # multiprocessing.Value("q")
    ready: Any,  # multiprocessing.Semaphore
    go: Any,  # multiprocessing.Event
    stop: Any,  # multiprocessing.Event
    seed: int,
) -> None:
    # CREATE_TABLE=no: the parent already created the tables, and the library's
    # create-if-missing DDL (tables, composite type, plpgsql function) fails with "tuple
    # concurrently updated" when several processes construct applications at once.
    app = PeerApp(env={**env, "CREATE_TABLE": "no"})
    try:
        stream_ids = [UUID(i) for i in ids]
        rng = random.Random(seed)
        ready.release()
        go.wait()
        while not stop.is_set():
            app.note(rng.choice(stream_ids))
            count.value += 1  # only this process writes it
    finally:
        app.close()


def peer_single_appends(
    db: Db,
    writers: int,
    seconds: float,
    *,
    processes: bool = False,
    sqlite_synchronous: Synchronous = "NORMAL",
) -> float:
    """Events/s of load-decide-append commands (one event, one transaction each).

    ``writers`` threads share one ``PeerApp`` (as a web server's request threads would),
    or with ``processes=True`` (PostgreSQL only) each writer is a process with its own
    ``PeerApp``. Writer *i* picks at random from its own share of ``POOL_AGGREGATES``
    aggregates, each seeded with ``PRIOR_EVENTS`` events.
    """
    if writers < 1:
        raise ValueError("writers must be >= 1")
    if processes and db != "postgres":
        raise ValueError("processes=True is supported for PostgreSQL only")
    with _peer_env(db, sqlite_synchronous) as env:
        app = PeerApp(env=env)
        try:
            ids = _seed(app, POOL_AGGREGATES, PRIOR_EVENTS)
            shares = [ids[i::writers] for i in range(writers)]
            if processes:
                app.close()
                return _single_appends_processes(env, shares, seconds)
            stop = threading.Event()
            errors: list[BaseException] = []
            counts = [0] * writers
            threads = [
                threading.Thread(
                    target=_thread_writer,
                    args=(app, shares[i], counts, i, stop, errors),
                    daemon=True,
                )
                for i in range(writers)
            ]
            for t in threads:
                t.start()
            try:
                getters = [lambda i=i: counts[i] for i in range(writers)]
                return _measure_window(getters, seconds, errors)
            finally:
                stop.set()
                for t in threads:
                    t.join()
        finally:
            app.close()


def _single_appends_processes(
    env: dict[str, str], shares: list[list[UUID]], seconds: float
) -> float:
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Semaphore(0)
    go, stop = ctx.Event(), ctx.Event()
    counts = [ctx.Value("q", 0, lock=False) for _ in shares]
    procs = [
        ctx.Process(
            target=_process_writer,
            args=(env, [str(i) for i in share], counts[n], ready, go, stop, n),
            daemon=True,
        )
        for n, share in enumerate(shares)
    ]
    for p in procs:
        p.start()
    try:
        started = 0
        give_up = time.monotonic() + 120
        while started < len(procs):  # every writer has built its application (not timed)
            if ready.acquire(timeout=0.2):
                started += 1
            elif any(p.exitcode is not None for p in procs) or time.monotonic() > give_up:
                raise RuntimeError("a peer writer process failed to start")
        go.set()
        getters = [lambda c=c: int(c.value) for c in counts]
        rate = _measure_window(getters, seconds, [])
        if any(p.exitcode not in (None, 0) for p in procs):
            raise RuntimeError("a peer writer process failed during the run")
        return rate
    finally:
        stop.set()
        go.set()
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()


# ------------------------------------------------------------------- batch appends


def peer_batch_appends(
    db: Db,
    seconds: float,
    batch: int = 100,
    *,
    sqlite_synchronous: Synchronous = "NORMAL",
) -> float:
    """Events/s when each ``save()`` commits ``batch`` new events (single writer).

    Each transaction records one new aggregate triggered ``batch`` times (its created
    event plus ``batch - 1`` further events).
    """
    if batch < 1:
        raise ValueError("batch must be >= 1")
    with _peer_env(db, sqlite_synchronous) as env:
        app = PeerApp(env=env)
        try:
            warm_until = time.perf_counter() + WARMUP_SECONDS
            while time.perf_counter() < warm_until:
                app.save(app.open_stream(batch))
            events = 0
            start = time.perf_counter()
            deadline = start + seconds
            now = start
            while now < deadline:
                app.save(app.open_stream(batch))
                events += batch
                now = time.perf_counter()
            return events / (now - start)
        finally:
            app.close()


# --------------------------------------------------------------------- projection


class PeerCountsView(TrackingRecorder, ABC):
    """Materialised view: events seen per aggregate, updated with its tracking record."""

    @abstractmethod
    def incr_count(self, originator_id: UUID, tracking: Tracking) -> None:
        """Add one to the aggregate's count and record ``tracking``, atomically."""

    @abstractmethod
    def total(self) -> int:
        """Sum of all counts (for checking the run)."""


class PostgresPeerCountsView(PostgresTrackingRecorder, PeerCountsView):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.counts_table_name = self.tracking_table_name.replace("_tracking", "") + "_counts"
        self.check_identifier_length(self.counts_table_name)
        table = sql.SQL("{}.{}").format(
            sql.Identifier(self.datastore.schema), sql.Identifier(self.counts_table_name)
        )
        self.sql_create_statements.append(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (originator_id uuid PRIMARY KEY, n bigint NOT NULL)"
            ).format(table)
        )
        self.incr_statement = sql.SQL(
            "INSERT INTO {0} AS t VALUES (%s, 1) "
            "ON CONFLICT (originator_id) DO UPDATE SET n = t.n + 1"
        ).format(table)
        self.total_statement = sql.SQL("SELECT COALESCE(SUM(n), 0) AS total FROM {}").format(table)

    def incr_count(self, originator_id: UUID, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            self._insert_tracking(curs, tracking)
            curs.execute(self.incr_statement, (originator_id,), prepare=True)

    def total(self) -> int:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.total_statement)
            row = curs.fetchone()
            assert row is not None
            return int(row["total"])


class SQLitePeerCountsView(SQLiteTrackingRecorder, PeerCountsView):
    def __init__(self, datastore: SQLiteDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.incr_statement = (
            "INSERT INTO peer_counts AS t VALUES (?, 1) "
            "ON CONFLICT (originator_id) DO UPDATE SET n = t.n + 1"
        )

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.append(
            "CREATE TABLE IF NOT EXISTS peer_counts "
            "(originator_id TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID"
        )
        return statements

    def incr_count(self, originator_id: UUID, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            self._insert_tracking(c, tracking)
            c.execute(self.incr_statement, (originator_id.hex,))

    def total(self) -> int:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT COALESCE(SUM(n), 0) FROM peer_counts")
            return int(c.fetchone()[0])


class PeerCountsProjection(Projection[PeerCountsView]):
    name = "PeerCounts"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.incr_count(domain_event.originator_id, tracking)


class PeerCount(Aggregate):
    """Process-style projection state: one counter aggregate per source aggregate."""

    @staticmethod
    def create_id(source_id: UUID) -> UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"/peer-counts/{source_id}")

    @event("Started")
    def __init__(self, source_id: UUID) -> None:
        self.source_id = source_id
        self.n = 0

    @event("Counted")
    def count(self) -> None:
        self.n += 1


class PeerCountsProcess(ProcessApplication[UUID]):
    @singledispatchmethod
    def policy(
        self,
        domain_event: DomainEventProtocol[UUID],
        processing_event: ProcessingEvent[UUID],
    ) -> None:
        try:
            counter: PeerCount = self.repository.get(
                PeerCount.create_id(domain_event.originator_id)
            )
        except AggregateNotFoundError:
            counter = PeerCount(domain_event.originator_id)
        counter.count()
        processing_event.collect_events(counter)


def _write_events(env: dict[str, str], events: int, events_each: int = 10) -> int:
    """Record ``events`` events (``events_each`` per aggregate); return the last position."""
    app = PeerApp(env=env)
    try:
        full, rest = divmod(events, events_each)
        _seed(app, full, events_each)
        if rest:
            app.save(app.open_stream(rest))
        last = app.recorder.max_notification_id()
        assert last is not None
        return last
    finally:
        app.close()


def _projection_view_postgres(env: dict[str, str], last: int, events: int) -> float:
    # Create the view's tables first (not timed), as a deployed projection would have.
    view_env = Environment(PeerCountsProjection.name, {**os.environ, **env})
    factory = InfrastructureFactory.construct(env=view_env)
    view = factory.tracking_recorder(PostgresPeerCountsView)
    assert isinstance(view, PeerCountsView)
    try:
        start = time.perf_counter()
        with ProjectionRunner(
            application_class=PeerApp,
            projection_class=PeerCountsProjection,
            view_class=PostgresPeerCountsView,
            env=env,
        ) as runner:
            # runner.wait() polls with back-off up to 0.8 s; poll every 10 ms instead so
            # the measured time is not inflated by the wait strategy.
            while (runner.view.max_tracking_id(PeerApp.name) or 0) < last:
                if runner.is_interrupted.is_set():
                    runner.run_forever(timeout=0)  # re-raises the processing error
                    raise RuntimeError("projection runner stopped early")
                time.sleep(0.01)
            elapsed = time.perf_counter() - start
        if view.total() != events:
            raise RuntimeError(f"projection counted {view.total()} events, expected {events}")
    finally:
        factory.close()
    return events / elapsed


def _projection_view_sqlite(env: dict[str, str], last: int, events: int) -> float:
    # The library's SQLite application recorder does not support subscriptions, so its
    # ProjectionRunner cannot follow a SQLite application. Drive the same Projection the
    # way its subscription does: read notifications 500 at a time after the view's
    # tracking position, convert each with the application's mapper, process it.
    view_env = Environment(PeerCountsProjection.name, {**os.environ, **env})
    factory = InfrastructureFactory.construct(env=view_env)
    view = factory.tracking_recorder(SQLitePeerCountsView)
    assert isinstance(view, PeerCountsView)
    app = PeerApp(env=env)
    try:
        start = time.perf_counter()
        projection = PeerCountsProjection(view=view)
        position = view.max_tracking_id(app.name) or 0
        while True:
            notifications = app.recorder.select_notifications(
                start=position, limit=500, inclusive_of_start=False
            )
            for notification in notifications:
                projection.process_event(
                    app.mapper.to_domain_event(notification),
                    Tracking(app.name, notification.id),
                )
            if len(notifications) < 500:
                break
            position = notifications[-1].id
        elapsed = time.perf_counter() - start
        if view.max_tracking_id(app.name) != last or view.total() != events:
            raise RuntimeError("projection did not process every event exactly once")
        return events / elapsed
    finally:
        app.close()
        factory.close()


def _projection_process(env: dict[str, str], last: int, events: int) -> float:
    runner: SingleThreadedRunner[UUID] = SingleThreadedRunner(
        System(pipes=[[PeerApp, PeerCountsProcess]]), env=env
    )
    runner.start()
    try:
        follower = runner.get(PeerCountsProcess)
        start = time.perf_counter()
        follower.pull_and_process(PeerApp.name)  # catch up on everything recorded
        elapsed = time.perf_counter() - start
        if follower.recorder.max_tracking_id(PeerApp.name) != last:
            raise RuntimeError("process application did not reach the last event")
        return events / elapsed
    finally:
        runner.stop()


def peer_projection_rate(
    db: Db,
    events: int,
    *,
    style: Literal["view", "process"] = "view",
    sqlite_synchronous: Synchronous = "NORMAL",
) -> float:
    """Events/s of a durable projection consuming ``events`` already-recorded events.

    The events (10 per aggregate) are written first, not timed. The timed section starts
    the projection and ends when it has durably processed the last event.
    """
    if events < 1:
        raise ValueError("events must be >= 1")
    with _peer_env(db, sqlite_synchronous) as env:
        last = _write_events(env, events)
        if style == "process":
            return _projection_process(env, last, events)
        if db == "postgres":
            return _projection_view_postgres(env, last, events)
        return _projection_view_sqlite(env, last, events)


# --------------------------------------------------------------------------- main


def main() -> None:
    seconds = 3.0
    dbs: tuple[Db, ...] = ("postgres", "sqlite")
    for db in dbs:
        for writers in (1, 8):
            rate = peer_single_appends(db, writers, seconds)
            print(f"peer_single_appends  {db:8} writers={writers} threads   {rate:>9.0f} ev/s")
        if db == "postgres":
            rate = peer_single_appends(db, 8, seconds, processes=True)
            print(f"peer_single_appends  {db:8} writers=8 processes {rate:>9.0f} ev/s")
        rate = peer_batch_appends(db, seconds)
        print(f"peer_batch_appends   {db:8} batch=100           {rate:>9.0f} ev/s")
        styles: tuple[Literal["view", "process"], ...] = ("view", "process")
        for style in styles:
            rate = peer_projection_rate(db, 20_000, style=style)
            print(f"peer_projection_rate {db:8} {style:7} 20k events {rate:>9.0f} ev/s")


if __name__ == "__main__":
    main()
