"""Foundation benchmarks: our event store against the ``eventsourcing`` peer, same run.

Prints, for PostgreSQL and SQLite, the medians of ``--runs`` alternating runs of:
- single-event commands (load stream + decide + append, one transaction each) with 1 and 8
  writers (threads sharing one store; on PostgreSQL also 8 processes), ours and the peer's;
- 100-event batch appends, ours against a raw 100-rows-per-transaction INSERT;
- reading the whole log and verifying the chain (PostgreSQL);
- rebuilding a simple projection (the stream index) from ``--events`` events, against
  the peer's durable projection rate.
The peer's side and the raw baselines are in ``peer_eventsourcing.py`` and
``raw_insert.py`` beside this file. Run: ``make bench`` or ``python bench/foundation.py``.
"""

from __future__ import annotations

import argparse
import base64
import multiprocessing
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, Literal

import peer_eventsourcing as peer
import raw_insert as raw

from api.services import Services, build_services
from api.settings import Settings
from domain.fact import Command, Fact
from events.envelope import NO_STREAM, NewEvent, StreamAppend
from events.handling import execute, new_event_id
from migrations import runner as migrate

Db = Literal["postgres", "sqlite"]
Counter = Any  # multiprocessing.Value("q")
Sync = Any  # multiprocessing Semaphore / Event
KEY = base64.b64encode(bytes(32)).decode()
PG_DB = "tumbuh_bench_ours"
NOTE = peer.NOTE
POOL = peer.POOL_AGGREGATES
PRIOR = peer.PRIOR_EVENTS
WHEN = datetime(2025, 5, 10, tzinfo=UTC)


class Noted(Fact):
    """The bench's fact: a note of about the peer's event size."""

    event_type: ClassVar[str] = "bench.noted"
    note: str


class Note(Command):
    """The bench's command."""


@dataclass(frozen=True)
class Count:
    """The bench's state: how many notes."""

    n: int = 0


class NoteDecider:
    """Decides one note per command, after folding the stream (as the peer does)."""

    stream_type: ClassVar[str] = "bench"

    def initial_state(self) -> Count:
        """No notes yet."""
        return Count()

    def evolve(self, state: Count, fact: Fact) -> Count:
        """Count the note."""
        return Count(state.n + 1)

    def decide(self, command: Note, state: Count) -> Sequence[Fact]:
        """A trivial decision on the loaded state."""
        return (
            [Noted(occurred_at=WHEN, wilayah="32.79.02.1001", note=NOTE)] if state.n < 10**9 else []
        )


def _note(event_id: str) -> NewEvent:
    return NewEvent(
        event_id=event_id,
        event_type="bench.noted",
        occurred_at=WHEN,
        payload={"note": NOTE},
        wilayah="32.79.02.1001",
    )


@contextmanager
def _store(db: Db, pool: int = 10) -> Iterator[Services]:
    """A fresh, migrated store of ours on ``db``."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        if db == "postgres":
            url = raw.fresh_pg_database(PG_DB)
        services = build_services(Settings(database_url=url, master_key=KEY, db_pool_size=pool))
        services.registry.register(Noted)
        migrate.upgrade(services.engine)
        services.start()
        try:
            yield services
        finally:
            services.close()


def _seed(services: Services, streams: int, each: int) -> list[str]:
    ids = [f"bench-{i}" for i in range(streams)]
    for start in range(0, streams, 100):
        services.store.append_streams(
            [
                StreamAppend(
                    s, "bench", NO_STREAM, tuple(_note(new_event_id()) for _ in range(each))
                )
                for s in ids[start : start + 100]
            ]
        )
    return ids


def _command_loop(
    services: Services,
    ids: list[str],
    seed: int,
    stop: Callable[[], bool],
    count: Callable[[], None],
) -> None:
    rng, decider = random.Random(seed), NoteDecider()
    while not stop():
        execute(services.store, decider, rng.choice(ids), Note(), {"actor": "bench"})
        count()


def ours_single_appends(db: Db, writers: int, seconds: float) -> float:
    """Events/s of load-decide-append commands, ``writers`` threads sharing one store."""
    with _store(db, pool=writers + 2) as services:
        ids = _seed(services, POOL, PRIOR)
        counts, halt, errors = [0] * writers, threading.Event(), []

        def writer(slot: int) -> None:
            def bump() -> None:
                counts[slot] += 1

            try:
                _command_loop(services, ids[slot::writers], slot, halt.is_set, bump)
            except BaseException as error:
                errors.append(error)
                halt.set()

        threads = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(writers)]
        for thread in threads:
            thread.start()
        try:
            getters = [lambda i=i: counts[i] for i in range(writers)]
            return float(peer._measure_window(getters, seconds, errors))
        finally:
            halt.set()
            for thread in threads:
                thread.join()


def _process_writer(
    url: str, ids: list[str], seed: int, counter: Counter, ready: Sync, go: Sync, stop: Sync
) -> None:
    services = build_services(Settings(database_url=url, master_key=KEY, db_pool_size=2))
    services.registry.register(Noted)
    ready.release()
    go.wait()

    def bump() -> None:
        counter.value += 1

    try:
        _command_loop(services, ids, seed, stop.is_set, bump)
    finally:
        services.close()


def ours_single_appends_processes(writers: int, seconds: float) -> float:
    """Events/s of load-decide-append commands, ``writers`` processes on PostgreSQL."""
    with _store("postgres") as services:
        ids, url = _seed(services, POOL, PRIOR), services.settings.database_url
    context = multiprocessing.get_context("spawn")
    ready, go, stop = context.Semaphore(0), context.Event(), context.Event()
    counters = [context.Value("q", 0, lock=False) for _ in range(writers)]
    processes = [
        context.Process(
            target=_process_writer, args=(url, ids[i::writers], i, counters[i], ready, go, stop)
        )
        for i in range(writers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire()
    go.set()
    try:
        return float(peer._measure_window([lambda c=c: c.value for c in counters], seconds, []))
    finally:
        stop.set()
        for process in processes:
            process.join()


def ours_batch_appends(db: Db, seconds: float, batch: int = 100) -> float:
    """Events/s appending ``batch`` events per transaction (a new stream each)."""
    with _store(db) as services:
        store, done, stop_at = services.store, 0, 0.0
        _seed(services, 10, PRIOR)  # warm the pool and caches
        start = time.perf_counter()
        stop_at = start + seconds
        while time.perf_counter() < stop_at:
            store.append(
                new_event_id(), "bench", NO_STREAM, [_note(new_event_id()) for _ in range(batch)]
            )
            done += batch
        return done / (time.perf_counter() - start)


def ours_verify_and_rebuild(db: Db, events: int) -> tuple[float, float, float]:
    """Events/s verifying the whole log (chain only; with columns) and rebuilding."""
    with _store(db) as services:
        _seed(services, events // 100, 100)
        rates = []
        for columns in (False, True):
            start = time.perf_counter()
            verdict = services.store.verify(columns=columns)
            rates.append(verdict.checked / (time.perf_counter() - start))
            assert verdict.ok, verdict
        start = time.perf_counter()
        replayed = services.projections.rebuild(services.store, ["streams"])
        return rates[0], rates[1], replayed / (time.perf_counter() - start)


def _median(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def _line(name: str, ours: float, theirs: float, goal: float, unit: str = "ev/s") -> None:
    ratio = ours / theirs if theirs else float("nan")
    verdict = "meets" if ratio >= goal else "BELOW"
    print(
        f"{name:44} ours {ours:>9.0f} {unit}  peer/base {theirs:>9.0f}  "
        f"ratio {ratio:5.2f} (goal >= {goal}: {verdict})",
        flush=True,
    )


def main() -> None:
    """Run every figure of the foundation issue and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--peer-projection-events", type=int, default=50_000)
    parser.add_argument("--only", choices=["single", "batch", "verify"], default=None)
    args = parser.parse_args()
    runs, seconds = args.runs, args.seconds
    databases: tuple[Db, ...] = ("postgres", "sqlite")
    if args.only in (None, "single"):
        for db in databases:
            for writers in (1, 8):
                ours = _median(runs, partial(ours_single_appends, db, writers, seconds))
                theirs = _median(runs, partial(peer.peer_single_appends, db, writers, seconds))
                _line(f"single appends {db} {writers} writer(s), threads", ours, theirs, 2.0)
        ours = _median(runs, lambda: ours_single_appends_processes(8, seconds))
        theirs = _median(
            runs, lambda: peer.peer_single_appends("postgres", 8, seconds, processes=True)
        )
        _line("single appends postgres 8 writers, processes", ours, theirs, 2.0)
    if args.only in (None, "batch"):
        for db in databases:
            ours = _median(runs, partial(ours_batch_appends, db, seconds))
            base = _median(runs, partial(raw.raw_batch_insert, db, seconds))
            _line(f"batch appends {db} 100/txn vs raw INSERT", ours, base, 0.25)
    if args.only in (None, "verify"):
        chain, full, rebuild = ours_verify_and_rebuild("postgres", args.events)
        theirs = _median(
            runs, lambda: peer.peer_projection_rate("postgres", args.peer_projection_events)
        )
        print(
            f"{'read + verify chain postgres':44} ours {chain:>9.0f} ev/s  "
            f"(goal >= 100000: {'meets' if chain >= 100_000 else 'BELOW'})"
        )
        print(f"{'read + verify chain and columns postgres':44} ours {full:>9.0f} ev/s")
        _line(f"rebuild projection postgres {args.events} ev", rebuild, theirs, 5.0)


if __name__ == "__main__":
    main()
