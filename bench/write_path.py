"""The write path's cost against a child's history (issue #29), and the rebuild's.

For each database: fills one store with cohorts of children, each cohort with ``--levels``
events per child (a registration at birth and measurements spread from birth to today:
60 events is a child measured monthly for five years), through ``bench/children.py``'s
fill. Then, in this process, on the paths the routes use, for each cohort in turn and
``--runs`` times (medians printed):

- a posyandu session of 100 measurements (``execute_batch``, as
  ``POST /v1/posyandu-sessions``), ``--sessions`` of them a run;
- single measurements (``GroupCommit.execute`` with one caller, as one
  ``POST …/measurements`` alone, and the answer's assessment), ``--singles`` a run;
- 16 threads writing single measurements at once (grouped by ``GroupCommit``).

Every write goes to a child not written to since the fill, so each cohort's history stays
what it was filled with. Each figure is CPU per item: this process's (all threads) and,
on PostgreSQL, its backends' (from ``/proc``); beside them the statements sent per
session or POST (``bench/sql_tally.py``), the rows read back, and how long the append lock
was held. The ratio of the longest history's cost to the shortest's is the issue's "cost
per item at ~40 vs ~3 events a child" (goal: within 1.1).

With ``--http``, the same over real HTTP against one uvicorn worker (``children.server``):
sessions of 100 from ``--clients`` concurrent clients, and single POSTs one at a time;
measurements/s and the server's and database's CPU per item.

Then the rebuild: ``--rebuilds`` full rebuilds of every projection of the store, events/s,
and the size of the event table and the projection tables (PostgreSQL:
``pg_total_relation_size``; SQLite: the file's pages) before and after them (goals at 1M
events: >= 30,000 events/s, size after 3 rebuilds <= 1.1 times before). Beside it the
``eventsourcing`` peer's single command, in the same run.

Run: ``python bench/write_path.py [--db postgres|sqlite|both] [--runs N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import aiohttp
import children as bench
import peer_eventsourcing as peer
import raw_insert as raw
from children import Child, Cohort, Db, measurement, utc_today
from sql_tally import Tally, backend_cpu, process_cpu

from api.services import Services, build_services
from domain.child import commands as c
from domain.child.decider import ChildDecider, ChildState, stream_id
from domain.child.events import Measurement
from domain.fact import NotFound
from events.envelope import JsonObject
from events.handling import Job, execute_batch
from events.projections.children import written_measurement

bench.PG_DB = PG_DB = "tumbuh_bench_write_path"  # its own database: the others drop theirs
ITEMS = 100  # a posyandu session
THREADS = 16
PER_THREAD = 8
META: JsonObject = {
    "actor": bench.CLIENT,
    "role": "integrator",
    "client": bench.CLIENT,
    "issuer": "tumbuh",
    "correlation_id": str(uuid.uuid4()),
}


@dataclass
class Cost:
    """What some writes cost: CPU here and in the database, wall time, statements."""

    items: int = 0
    cpu: float = 0.0
    db_cpu: float = 0.0
    wall: float = 0.0
    statements: int = 0
    rows_read: int = 0
    lock: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)

    def per_item_us(self) -> tuple[float, float]:
        """CPU per item, µs: this process's, the database's."""
        return self.cpu / self.items * 1e6, self.db_cpu / self.items * 1e6


@dataclass
class Pool:
    """A cohort's children not yet written to since the fill."""

    cohort: Cohort
    fresh: list[Child]

    def take(self, count: int) -> list[Child]:
        """``count`` children never written to by the bench (refused if none are left)."""
        if count > len(self.fresh):
            raise RuntimeError(f"the {self.cohort.per_child}-event cohort ran out of children")
        taken, self.fresh = self.fresh[:count], self.fresh[count:]
        return taken


class Meter:
    """Measures a piece of work: this process's CPU, the database's, statements, lock."""

    def __init__(self, services: Services, tally: Tally) -> None:
        self.tally, self.postgres = tally, services.engine.dialect.name == "postgresql"
        self.conninfo = raw.pg_conninfo("postgres")

    def _db(self) -> float:
        return backend_cpu(self.conninfo, PG_DB) if self.postgres else 0.0

    def __call__(self, work: Callable[[], int]) -> Cost:
        """Run ``work`` (which returns the items it wrote) and say what it cost."""
        db_before = self._db()
        self.tally.reset()
        wall, cpu = time.perf_counter(), time.process_time()
        items = work()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        t = self.tally
        cost = Cost(items, cpu, self._db() - db_before, wall)
        cost.statements, cost.rows_read, cost.lock = t.statements, t.rows_read, t.lock_seconds
        cost.kinds = Counter(t.kinds)
        return cost


def database_cpu(url: str) -> float:
    """Seconds of CPU of the bench database's PostgreSQL backends (0 on SQLite)."""
    if not url.startswith("postgresql"):
        return 0.0
    return backend_cpu(raw.pg_conninfo("postgres"), PG_DB)


def in_reach(state: ChildState) -> None:
    """The reach check the routes make (an integrator of Kota Banjar)."""
    if not state.exists or not state.desa.startswith("32.79"):
        raise NotFound("there is no such child")


def _command(rng: random.Random, child: Child, today: date) -> tuple[str, c.RecordMeasurement]:
    event_id = str(uuid.uuid4())
    fields = {**measurement(rng, child.birth_date, today), "measured_by": bench.CLIENT}
    values = Measurement.model_validate(fields)
    return event_id, c.RecordMeasurement(today=today, measurement_id=event_id, measurement=values)


def session(services: Services, kids: Sequence[Child], rng: random.Random) -> Callable[[], int]:
    """A posyandu session's write (its jobs built first, as the route's body model does)."""
    jobs = []
    for child in kids:
        event_id, command = _command(rng, child, utc_today())
        jobs.append(Job(stream_id(child.id), command, (event_id,)))

    def work() -> int:
        answers = execute_batch(services.store, ChildDecider(), jobs, META, guard=in_reach)
        if not all(hasattr(a, "events") for a in answers):
            raise RuntimeError(f"a session item was refused: {answers}")
        return len(jobs)

    return work


def singles(services: Services, kids: Sequence[Child], rng: random.Random) -> Callable[[], int]:
    """Single measurements one after another, each answered with its assessment."""
    commands = [(child, *_command(rng, child, utc_today())) for child in kids]

    def work() -> int:
        for child, event_id, command in commands:
            outcome = services.child_writes.execute(
                stream_id(child.id), command, META, event_ids=[event_id], guard=in_reach
            )
            state = outcome.state
            values = command.measurement
            written_measurement(event_id, "recorded", state.sex, state.birth_date, values)
        return len(commands)

    return work


def grouped(services: Services, kids: Sequence[Child], rng: random.Random) -> Callable[[], int]:
    """``THREADS`` threads writing single measurements at once (``GroupCommit`` groups them)."""
    shares = [singles(services, kids[i::THREADS], rng) for i in range(THREADS)]

    def work() -> int:
        threads = [threading.Thread(target=share) for share in shares]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return len(kids)

    return work


@dataclass
class Results:
    """Per cohort (events a child), per kind of write, the costs of each run."""

    costs: dict[int, dict[str, list[Cost]]] = field(default_factory=dict)

    def add(self, level: int, what: str, cost: Cost) -> None:
        """Keep one run's cost."""
        self.costs.setdefault(level, {}).setdefault(what, []).append(cost)

    def median(self, level: int, what: str, pick: Callable[[Cost], float]) -> float:
        """The median over runs of ``pick`` of the costs of ``what`` at ``level``."""
        return statistics.median(pick(cost) for cost in self.costs[level][what])


WRITES: dict[str, Callable[[Services, Sequence[Child], random.Random], Callable[[], int]]] = {
    "session": session,
    "post": singles,
    "grouped": grouped,
}


def in_process(services: Services, cohorts: dict[int, Pool], args: argparse.Namespace) -> Results:
    """Each kind of write on each cohort, ``args.runs`` times, cohorts in turn."""
    tally, rng, results = Tally(), random.Random(args.seed), Results()
    tally.watch(services.engine)
    meter = Meter(services, tally)
    sizes = {"session": ITEMS * args.sessions, "post": args.singles}
    sizes["grouped"] = THREADS * PER_THREAD
    for cohort in cohorts.values():  # warm-up: statements prepared, caches filled
        for make in WRITES.values():
            make(services, cohort.take(ITEMS // 2), rng)()
    for run in range(args.runs):
        for level, cohort in cohorts.items():
            for what, make in WRITES.items():
                batches = ITEMS if what == "session" else sizes[what]
                kids = cohort.take(sizes[what])
                parts = [kids[i : i + batches] for i in range(0, len(kids), batches)]
                works = [make(services, part, rng) for part in parts]
                results.add(level, what, meter(_in_turn(works)))
        shown = [f"{lv} ev/child {_us(results.costs[lv]['session'][-1])}" for lv in cohorts]
        print(f"  run {run + 1}: {', '.join(shown)} µs a session item (here + database)")
    return results


def _in_turn(works: Sequence[Callable[[], int]]) -> Callable[[], int]:
    return lambda: sum(work() for work in works)


def _us(cost: Cost) -> str:
    here, db = cost.per_item_us()
    return f"{here:.0f}+{db:.0f}"


# ------------------------------------------------------------------------------ HTTP


def over_http(
    store: bench.Installation, cohorts: dict[int, Pool], args: argparse.Namespace
) -> dict[int, dict[str, float]]:
    """Sessions from ``args.clients`` clients and single POSTs one at a time, per cohort:
    measurements/s and the server's and database's CPU per item (medians of the runs)."""
    pids: list[int] = []
    found: dict[int, dict[str, list[float]]] = {}
    with bench.server(store, pids=pids) as base:
        bearer = bench.token(base, store.secret)
        for run in range(args.runs):
            for level, cohort in cohorts.items():
                for what in ("sessions", "posts"):
                    count = args.clients * args.sessions * ITEMS
                    count = count if what == "sessions" else args.singles
                    kids, rng = cohort.take(count), random.Random(args.seed + run)
                    db_before = database_cpu(store.url)
                    cpu, wall = process_cpu(pids[0]), time.perf_counter()
                    asyncio.run(_send(base, bearer, kids, rng, args.clients, what == "posts"))
                    wall, cpu = time.perf_counter() - wall, process_cpu(pids[0]) - cpu
                    db = database_cpu(store.url) - db_before
                    mine = found.setdefault(level, {})
                    mine.setdefault(f"{what}/s", []).append(count / wall)
                    mine.setdefault(f"{what} server µs", []).append(cpu / count * 1e6)
                    mine.setdefault(f"{what} db µs", []).append(db / count * 1e6)
    return {lv: {k: statistics.median(v) for k, v in f.items()} for lv, f in found.items()}


async def _send(
    base: str, bearer: str, kids: list[Child], rng: random.Random, clients: int, single: bool
) -> None:
    today, headers = utc_today(), {"Authorization": f"Bearer {bearer}"}
    bodies = [
        {**measurement(rng, k.birth_date, today), "event_id": str(uuid.uuid4()), "child_id": k.id}
        for k in kids
    ]
    async with aiohttp.ClientSession(base, headers=headers) as client:
        if single:
            for body in bodies:
                child = body.pop("child_id")
                await bench._call(client, "POST", f"/v1/children/{child}/measurements", 201, body)
            return
        sessions = [bodies[i : i + ITEMS] for i in range(0, len(bodies), ITEMS)]

        async def one(items: list[dict[str, object]]) -> None:
            body = {"posyandu": "Melati 1", "items": items}
            answer = await bench._call(client, "POST", "/v1/posyandu-sessions", 200, body)
            if answer["accepted"] != len(items):
                raise RuntimeError(f"a session was not wholly accepted: {str(answer)[:300]}")

        for first in range(0, len(sessions), clients):
            await asyncio.gather(*(one(s) for s in sessions[first : first + clients]))


# ---------------------------------------------------------------------------- rebuild


def store_size(services: Services) -> int:
    """Bytes of the event table and every projection table (with indexes and TOAST);
    SQLite: the database file's pages in use."""
    names = ["events", *(t.name for p in services.projections.projections for t in p.tables)]
    with services.engine.connect() as conn:
        if services.engine.dialect.name == "postgresql":
            query = "SELECT sum(pg_total_relation_size(t)) FROM unnest(%(n)s::text[]) AS t"
            return int(conn.exec_driver_sql(query, {"n": names}).scalar_one())
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
        free = conn.exec_driver_sql("PRAGMA freelist_count").scalar_one()
        size = conn.exec_driver_sql("PRAGMA page_size").scalar_one()
        return int((pages - free) * size)


def rebuilds(services: Services, count: int) -> tuple[list[float], list[int]]:
    """``count`` full rebuilds: events/s of each, and the store's size before and after each."""
    rates, sizes = [], [store_size(services)]
    events = services.store.head().position
    for _ in range(count):
        began = time.perf_counter()
        services.projections.rebuild(services.store)
        rates.append(events / (time.perf_counter() - began))
        sizes.append(store_size(services))
        print(f"  rebuild: {rates[-1]:,.0f} events/s, store {sizes[-1] / 2**20:.1f} MiB")
    return rates, sizes


# ------------------------------------------------------------------------------ main


def fill_cohorts(
    url: str, folder: Path, levels: Sequence[int], per_cohort: int, args: argparse.Namespace
) -> dict[int, Pool]:
    """One cohort of ``per_cohort`` children per level, filled into the store at ``url``."""
    rng, today, cohorts = random.Random(args.seed), utc_today(), {}
    workers = args.fill_workers if url.startswith("postgresql") else 1
    for n, level in enumerate(levels):
        cohort = Cohort(level, registered_at_birth=True)
        # Born long enough ago for one measurement a month (at most 1,740 days: under 60
        # months for the session's measurement today).
        kids = bench.new_children(rng, per_cohort, today, youngest=min(30 * level, 1700))
        print(f"  cohort of {level} events a child: {per_cohort} children", flush=True)
        bench.fill_children(url, folder, kids, (args.seed, workers), cohort, n * per_cohort)
        cohorts[level] = Pool(cohort, kids)
    return cohorts


def measure(db: Db, args: argparse.Namespace) -> None:
    """Fill a store on ``db``, measure the writes and the rebuilds, print the figures."""
    levels = [int(n) for n in args.levels.split(",")]
    per_run = ITEMS * args.sessions + args.singles + THREADS * PER_THREAD
    http = (args.clients * args.sessions * ITEMS + args.singles) * args.runs if args.http else 0
    per_cohort = per_run * args.runs + 3 * ITEMS // 2 + http
    print(f"{db}: filling {len(levels)} cohorts of {per_cohort} children", flush=True)
    with bench.scratch_database(db) as (url, folder):
        cohorts: dict[int, Pool] = {}

        def filling() -> list[Child]:
            cohorts.update(fill_cohorts(url, folder, levels, per_cohort, args))
            return [k for cohort in cohorts.values() for k in cohort.fresh]

        store = bench.prepare(url, folder, filling)
        services = build_services(bench.settings(url, folder))
        services.start()  # as the service starts: the filled streams' snapshots derived
        try:
            results = in_process(services, cohorts, args)
            http_figures = over_http(store, cohorts, args) if args.http else {}
            rates, sizes = rebuilds(services, args.rebuilds)
            events = services.store.head().position
        finally:
            services.close()
    peer_rate = peer.peer_single_appends(db, 1, args.peer_seconds)
    report(db, args, results, http_figures)
    if rates:
        rate = statistics.median(rates)
        print(
            f"  rebuild of every projection at {events:,} events: {rate:,.0f} events/s "
            f"(median of {len(rates)}; goal >= 30,000 at 1M)"
        )
        before, after = sizes[0] / 2**20, sizes[-1] / 2**20
        print(
            f"  store size: {before:.1f} MiB before, {after:.1f} MiB after {len(rates)} "
            f"rebuilds: x{after / before:.2f} (goal <= x1.1)"
        )
    print(
        f"  peer (eventsourcing), one command in one thread: {peer_rate:,.0f}/s, "
        f"{1e6 / peer_rate:,.0f} µs each (wall)\n",
        flush=True,
    )


def report(
    db: Db, args: argparse.Namespace, results: Results, http: dict[int, dict[str, float]]
) -> None:
    """The in-process table (and the HTTP one), medians of the runs."""
    print(
        f"\n{db}, in-process, medians of {args.runs} runs; CPU per item in µs "
        "(this process + the database's backends)"
    )
    head = ["ev/child", "session/item", "stmts/session", "rows read", "lock ms"]
    head += ["POST", "stmts/POST", "16 threads/item"]
    print("".join(f"{h:>16}" for h in head))
    levels = list(results.costs)
    for level in levels:
        print("".join(f"{cell:>16}" for cell in _cells(results, level)))
    first, last = levels[0], levels[-1]
    for what in WRITES:
        ratio = results.median(last, what, _total) / results.median(first, what, _total)
        print(f"  {what}: cost per item at {last} / at {first} events a child: {ratio:.2f}")
    for level in levels:
        kinds = results.costs[level]["session"][-1].kinds
        shown = ", ".join(f"{k} {n / args.sessions:g}" for k, n in kinds.most_common())
        print(f"  statements of a session at {level} events a child: {shown}")
    for level, figures in http.items():
        shown = ", ".join(f"{name} {value:,.0f}" for name, value in figures.items())
        print(f"  HTTP, {level} events a child: {shown}")


def _cells(results: Results, level: int) -> list[str]:
    """One row of the in-process table: per session of 100, or per item."""
    m = results.median

    def both(what: str) -> str:
        here = m(level, what, lambda x: x.per_item_us()[0])
        return f"{here:.0f}+{m(level, what, lambda x: x.per_item_us()[1]):.0f}"

    return [
        str(level),
        both("session"),
        f"{m(level, 'session', lambda x: x.statements * ITEMS / x.items):.0f}",
        f"{m(level, 'session', lambda x: x.rows_read * ITEMS / x.items):.0f}",
        f"{m(level, 'session', lambda x: x.lock * 1e3 * ITEMS / x.items):.1f}",
        both("post"),
        f"{m(level, 'post', lambda x: x.statements / x.items):.1f}",
        both("grouped"),
    ]


def _total(cost: Cost) -> float:
    return (cost.cpu + cost.db_cpu) / cost.items


def main() -> None:
    """Measure the write path's cost against history on each database, and the rebuild."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--levels", default="3,10,30,60", help="events a child, per cohort")
    parser.add_argument("--sessions", type=int, default=2, help="sessions of 100 a run")
    parser.add_argument("--singles", type=int, default=30, help="single POSTs a run")
    parser.add_argument("--http", action="store_true", help="also over HTTP (one worker)")
    parser.add_argument("--clients", type=int, default=4, help="HTTP: concurrent sessions")
    parser.add_argument("--rebuilds", type=int, default=3)
    parser.add_argument("--peer-seconds", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=29)
    parser.add_argument("--fill-workers", type=int, default=2, help="processes filling PostgreSQL")
    args = parser.parse_args()
    databases: list[Db] = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    for db in databases:
        measure(db, args)


if __name__ == "__main__":
    main()
