"""Children benchmarks (issue #6): measurements, posyandu sessions and reads over real HTTP.

For PostgreSQL and SQLite in turn: fills a fresh store with ``--events`` child events
through the store's own write path in bulk (registrations and measurements decided by
``ChildDecider``, turned into events by the registry, appended 100 children per
``append_streams``, so the hash chain and the inline projections are what the API would
have written; the chain is verified after the fill), registers a third-party client with
the identity services, starts ONE uvicorn worker on the store as a subprocess (the app
factory ``tumbuh serve`` runs, settings through ``TUMBUH_*``, no access log), takes a token
from ``POST /v1/auth/token`` (client credentials) and prints the medians of ``--runs`` runs:

1. ``POST /v1/children/{id}/measurements`` from ``--clients`` (16) concurrent clients:
   events/s and p50/p99 latency, against the ``eventsourcing`` peer's in-process
   single-command rate (``peer_eventsourcing.py``, 1 and 16 threads, the better counts),
   measured in the same run while the server idles. Goal: ratio >= 1, p99 <= 25 ms.
   Then the floor: the same measurements to a route of ``bench/floor_app.py`` that goes
   through the same middleware, authentication, body model and assessment but stores
   nothing; what any store behind this stack could reach at most.
2. ``POST /v1/posyandu-sessions`` of 100 measurements each, ``--clients`` concurrent
   clients: measurements/s. Goal >= 10 000/s.
3. ``GET /v1/children/{id}`` of random children, ``--readers`` (4) concurrent clients,
   with the store holding ``--events`` events: p99 latency. Goal <= 10 ms.

The clients are one aiohttp session in this process, on the same machine as the server and
the database: its CPU time competes with theirs, so figures are lower bounds. The client
is aiohttp, not httpx: against a FastAPI endpoint that does nothing, 16 httpx clients
reached about 540 requests/s with a p99 of 150 ms, aiohttp about 2,850/s with a p99 of 12 ms
(docs/scaling.md), so httpx would have measured itself.
Run: ``make bench`` or ``python bench/children.py [--events 100000] [--db postgres]``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import aiohttp
import httpx
import numpy as np
import orjson
import peer_eventsourcing as peer
import raw_insert as raw

from api.identity.accounts import operator_meta
from api.services import Services, build_services
from api.settings import Settings
from domain.access import Role
from domain.area.commands import RegisterArea
from domain.area.decider import AreaDecider
from domain.area.decider import stream_id as area_stream
from domain.child import commands as c
from domain.child.decider import ChildDecider, stream_id
from domain.child.events import ChildPersonal, Measurement
from domain.growth import Sex
from events.envelope import NO_STREAM, JsonObject, NewEvent, StreamAppend
from events.handling import execute, new_event_id
from events.registry import Registry
from migrations import runner as migrate

Db = Literal["postgres", "sqlite"]
Step = Callable[[aiohttp.ClientSession, int], Awaitable[int]]
FillJob = tuple[int, list["Child"], date, int, "Cohort"]  # first number, children, today, seed
ROOT = Path(__file__).resolve().parent.parent
KEY = base64.b64encode(bytes(32)).decode()
PG_DB = "tumbuh_bench_children"
CLIENT = "bench-children"
SCOPES = "children:read children:write measurements:write"
DESAS = tuple(f"32.79.02.{1001 + i}" for i in range(10))  # kelurahan of Kota Banjar
EVENTS_PER_CHILD = 10  # a registration and nine measurements
FILL_CHILDREN = 100  # children per append_streams transaction while filling
SESSION_ITEMS = 100
PEER_WRITERS = (1, 16)
# Roughly the WHO median length (cm) and weight (kg) by age in months: plausible values.
_MONTHS = (0.0, 3.0, 6.0, 12.0, 24.0, 36.0, 48.0, 60.0)
_LENGTHS = (50.0, 61.0, 67.0, 76.0, 88.0, 96.0, 103.0, 110.0)
_WEIGHTS = (3.3, 6.4, 7.9, 9.6, 12.2, 14.3, 16.3, 18.3)


@dataclass(frozen=True)
class Child:
    """A child of the filled store, as the clients know it."""

    id: str
    birth_date: date


@dataclass(frozen=True)
class Cohort:
    """How the fill writes each child's history: ``per_child`` events (a registration and
    measurements spread evenly from birth to today), registered on the day it was filled
    or, with ``registered_at_birth``, on its date of birth (then it is on the register, and
    counts in the area's figures, every month since)."""

    per_child: int = 10
    registered_at_birth: bool = False


@dataclass(frozen=True)
class Installation:
    """A filled store: where it is, its children, and the bench client's secret."""

    url: str
    folder: Path
    children: list[Child]
    secret: str


@dataclass(frozen=True)
class Window:
    """One timed load window: units (events, measurements, reads) per second and latency."""

    rate: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class Figures:
    """One run's figures on one database."""

    writes: float
    write_p50: float
    write_p99: float
    peer: float
    peer_1: float
    peer_16: float
    floor: float
    sessions: float
    session_p99: float
    reads: float
    read_p50: float
    read_p99: float


def utc_today() -> date:
    """Today in UTC: never after the server's ``today`` (the easternmost Indonesian date)."""
    return datetime.now(UTC).date()


def measurement(rng: random.Random, birth: date, on: date) -> dict[str, Any]:
    """A plausible measurement of a child born on ``birth``, taken on ``on`` (JSON form)."""
    months = (on - birth).days / 30.4375
    length = float(np.interp(months, _MONTHS, _LENGTHS)) * rng.uniform(0.9, 1.04)
    weight = float(np.interp(months, _MONTHS, _WEIGHTS)) * rng.uniform(0.85, 1.15)
    return {
        "measured_on": on.isoformat(),
        "weight_kg": round(weight, 1),
        "length_cm": round(length, 1),
        "position": "lying" if months < 24 else "standing",
        "oedema": False,
    }


# ------------------------------------------------------------------------------ fill


def _personal(n: int, sex: Sex, birth: date) -> ChildPersonal:
    day = birth.day + (40 if sex is Sex.FEMALE else 0)  # women's NIKs add 40 to the day
    nik = f"327902{day:02d}{birth.month:02d}{birth.year % 100:02d}{n % 9999 + 1:04d}"
    return ChildPersonal(
        name=f"Anak Bench {n}",
        nik=nik,
        mother_name=f"Ibu Bench {n}",
        address=f"RT {n % 20 + 1:02d}/RW 03 Hegarsari",
    )


def _child_events(
    registry: Registry,
    rng: random.Random,
    n: int,
    child: Child,
    today: date,
    meta: JsonObject,
    cohort: Cohort,
) -> tuple[NewEvent, ...]:
    """A registration and measurements, decided by the child's own decider (pure)."""
    sex = rng.choice((Sex.MALE, Sex.FEMALE))
    registered = child.birth_date if cohort.registered_at_birth else today
    commands: list[tuple[str, c.ChildCommand]] = [
        (
            new_event_id(),
            c.RegisterChild(
                today=registered,
                sex=sex,
                birth_date=child.birth_date,
                desa=DESAS[n % len(DESAS)],
                posyandu=f"Melati {n % 5 + 1}",
                personal=_personal(n, sex, child.birth_date),
            ),
        )
    ]
    age = (today - child.birth_date).days
    for k in range(1, cohort.per_child):
        on = child.birth_date + timedelta(days=age * k // cohort.per_child)
        values = Measurement.model_validate(
            {**measurement(rng, child.birth_date, on), "measured_by": "kader"}
        )
        event_id = new_event_id()
        commands.append(
            (
                event_id,
                c.RecordMeasurement(today=today, measurement_id=event_id, measurement=values),
            )
        )
    decider = ChildDecider()
    state, new = decider.initial_state(), list[NewEvent]()
    for event_id, command in commands:
        for fact in decider.decide(command, state):
            state = decider.evolve(state, fact)
            new.append(registry.to_new(fact, event_id, meta))
    return tuple(new)


_FILLER: list[Services] = []  # the fill worker process's own services


def _fill_worker_start(url: str, folder: Path) -> None:
    _FILLER.append(build_services(settings(url, folder)))


def _fill_chunk(job: FillJob) -> int:
    """Append one transaction of children; each chunk has its own random stream."""
    first, chunk, today, seed, cohort = job
    services, rng = _FILLER[0], random.Random(seed * 1_000_003 + first)
    meta = operator_meta("bench/children.py")
    try:
        services.store.append_streams(
            [
                StreamAppend(
                    stream_id(child.id),
                    ChildDecider.stream_type,
                    NO_STREAM,
                    _child_events(services.registry, rng, n, child, today, meta, cohort),
                )
                for n, child in enumerate(chunk, first)
            ]
        )
    except Exception as error:  # the pool cannot always pickle the driver's errors
        raise RuntimeError(f"filling children {first}..: {error!r}"[:2000]) from None
    return len(chunk) * cohort.per_child


def new_children(rng: random.Random, count: int, today: date, youngest: int = 31) -> list[Child]:
    """``count`` children with random ids, born ``youngest`` to 1,740 days before ``today``."""
    return [
        Child(str(uuid.UUID(int=rng.getrandbits(128), version=4)), _born(rng, today, youngest))
        for _ in range(count)
    ]


def _born(rng: random.Random, today: date, youngest: int) -> date:
    return today - timedelta(days=rng.randint(youngest, 1740))


def fill(url: str, folder: Path, events: int, seed: int, workers: int) -> list[Child]:
    """Append ``events`` child events, ``EVENTS_PER_CHILD`` a child (see ``fill_children``)."""
    children = new_children(random.Random(seed), max(1, events // EVENTS_PER_CHILD), utc_today())
    fill_children(url, folder, children, (seed, workers), Cohort(EVENTS_PER_CHILD))
    return children


def fill_children(
    url: str,
    folder: Path,
    children: Sequence[Child],
    seed_and_workers: tuple[int, int],
    cohort: Cohort,
    first: int = 0,
) -> None:
    """Append the histories of ``children`` (numbered from ``first``), ``FILL_CHILDREN`` per
    transaction.

    ``workers`` processes append concurrently (each transaction still takes the append
    lock): building the events, their canonical bodies and the sealing run in parallel.
    """
    (seed, workers), today = seed_and_workers, utc_today()
    chunks = [
        (first + i, list(children[i : i + FILL_CHILDREN]), today, seed, cohort)
        for i in range(0, len(children), FILL_CHILDREN)
    ]
    start, done, report = time.perf_counter(), 0, max(len(chunks) // 10, 1)
    with _fill_pool(url, folder, workers) as appending:
        for n, appended in enumerate(appending(chunks), 1):
            done += appended
            if n % report == 0 or n == len(chunks):
                rate = done / (time.perf_counter() - start)
                print(f"  filled {done:>9} events ({rate:.0f} ev/s)", flush=True)


@contextmanager
def _fill_pool(
    url: str, folder: Path, workers: int
) -> Iterator[Callable[[list[FillJob]], Iterator[int]]]:
    """Runs fill jobs in this process (one worker) or in ``workers`` spawned processes."""
    if workers <= 1:
        _fill_worker_start(url, folder)
        try:
            yield lambda jobs: map(_fill_chunk, jobs)
        finally:
            _FILLER.pop().close()
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, _fill_worker_start, (url, folder)) as pool:
        yield lambda jobs: pool.imap_unordered(_fill_chunk, jobs)


def _register_areas(services: Services) -> None:
    for code in DESAS:
        command = RegisterArea(
            at=datetime.now(UTC),
            code=code,
            name=f"Kelurahan {code[-4:]}",
            kecamatan="Pataruman",
            kota="Kota Banjar",
        )
        execute(services.store, AreaDecider(), area_stream(code), command, operator_meta())


@contextmanager
def installation(db: Db, events: int, seed: int, workers: int) -> Iterator[Installation]:
    """A fresh, migrated, filled store on ``db`` with the bench client registered."""
    with scratch_database(db) as (url, folder):
        yield prepare(url, folder, lambda: fill(url, folder, events, seed, workers))


@contextmanager
def scratch_database(db: Db) -> Iterator[tuple[str, Path]]:
    """An empty database on ``db`` (PostgreSQL: ``PG_DB``, created and dropped; SQLite: a
    temporary file) and a scratch folder beside it: the URL and the folder."""
    with tempfile.TemporaryDirectory(prefix="tumbuh-bench-children-") as scratch:
        folder = Path(scratch)
        url = f"sqlite:///{folder / 'bench.db'}"
        if db == "postgres":
            url = raw.fresh_pg_database(PG_DB)
        try:
            yield url, folder
        finally:
            if db == "postgres":
                raw.drop_pg_database(PG_DB)


def settings(url: str, folder: Path) -> Settings:
    """The settings of a bench's services on the store at ``url``."""
    return Settings(database_url=url, master_key=KEY, key_dir=folder / "keys", db_pool_size=2)


def prepare(url: str, folder: Path, filling: Callable[[], list[Child]]) -> Installation:
    """Migrate the empty store at ``url``, register the areas and the bench client, fill it
    with ``filling`` (which returns the children it wrote), verify the chain and ANALYZE."""
    services = build_services(settings(url, folder))
    try:
        migrate.upgrade(services.engine)
        services.start()
        _register_areas(services)
        secret = services.principals.add_client(
            CLIENT, Role.INTEGRATOR, ["32.79"], meta=operator_meta(), scopes=SCOPES.split()
        )
        start = time.perf_counter()
        children = filling()
        filled = time.perf_counter() - start
        verdict = services.store.verify(columns=False)
        if not verdict.ok:
            raise RuntimeError(f"the filled chain does not verify: {verdict}")
        if services.engine.dialect.name == "postgresql":
            # What autovacuum would do after a load. Committed: statistics gathered in a
            # transaction that rolls back are lost, and the planner then scanned whole
            # tables for a group's rows (6 December).
            with services.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        print(
            f"  store: {verdict.checked} events ({len(children)} children, filled in "
            f"{filled:.0f} s), chain verified",
            flush=True,
        )
        return Installation(url, folder, children, secret)
    finally:
        services.close()


# ---------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(
    store: Installation,
    factory: str = "api.app:app_from_environment",
    pids: list[int] | None = None,
) -> Iterator[str]:
    """One uvicorn worker serving ``store`` with the app ``factory`` builds; yields its base
    URL (and adds the server's process id to ``pids``, for a bench that reads its CPU)."""
    port, log_path = _free_port(), store.folder / "server.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "bench"),  # for floor_app
        "TUMBUH_DATABASE_URL": store.url,
        "TUMBUH_MASTER_KEY": KEY,
        "TUMBUH_KEY_DIR": str(store.folder / "keys"),
        "TUMBUH_MIGRATE_ON_START": "false",
        "TUMBUH_LOG_LEVEL": "WARNING",
        "TUMBUH_ACCESS_TOKEN_TTL": "3600",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        factory,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
        if pids is not None:
            pids.append(process.pid)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, process, log_path)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(base: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    give_up = time.monotonic() + 120
    while time.monotonic() < give_up:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not become ready:\n{log_path.read_text()[-3000:]}")


def token(base: str, secret: str, scope: str = SCOPES, client: str = CLIENT) -> str:
    """An access token from the token endpoint, as a third-party app gets one."""
    answer = httpx.post(
        f"{base}/v1/auth/token",
        auth=(client, secret),
        timeout=60,
        data={"grant_type": "client_credentials", "scope": scope},
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


# ------------------------------------------------------------------------------ load


async def drive(base: str, bearer: str, clients: int, seconds: float, step: Step) -> Window:
    """``clients`` concurrent loops of ``step``: warm up, then time a window of ``seconds``."""
    timing, stop, done, latencies = False, False, 0, list[float]()
    headers = {"Authorization": f"Bearer {bearer}"}

    async def loop(session: aiohttp.ClientSession, slot: int) -> None:
        nonlocal done
        while not stop:
            start = time.perf_counter()
            units = await step(session, slot)
            if timing:
                latencies.append(time.perf_counter() - start)
                done += units

    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(
        base, headers=headers, connector=connector, timeout=timeout
    ) as session:
        tasks = [asyncio.create_task(loop(session, slot)) for slot in range(clients)]
        await asyncio.sleep(min(2.0, seconds / 2))  # warm-up: connections, caches, JIT paths
        timing, begun = True, time.perf_counter()
        await asyncio.sleep(seconds)
        timing, elapsed, stop = False, time.perf_counter() - begun, True
        await asyncio.gather(*tasks)
    if not latencies:
        raise RuntimeError("no request completed inside the window")
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return Window(done / elapsed, cuts[49] * 1000, cuts[98] * 1000)


async def _call(
    session: aiohttp.ClientSession, method: str, path: str, status: int, body: Any = None
) -> Any:
    """One request; its JSON answer, or an error naming what came back instead."""
    async with session.request(method, path, json=body) as response:
        text = await response.text()
        if response.status != status:
            raise RuntimeError(f"{method} {path}: {response.status} {text[:500]}")
        return orjson.loads(text)


def measurements_step(shares: Sequence[Sequence[Child]], seed: int) -> Step:
    """One measurement of a random child of the client's own share (no version races)."""
    rngs, today = [random.Random(seed + i) for i in range(len(shares))], utc_today()

    async def step(session: aiohttp.ClientSession, slot: int) -> int:
        child = rngs[slot].choice(shares[slot])
        body = measurement(rngs[slot], child.birth_date, today)
        await _call(session, "POST", f"/v1/children/{child.id}/measurements", 201, body)
        return 1

    return step


def floor_step(shares: Sequence[Sequence[Child]], seed: int) -> Step:
    """The same measurements to ``bench/floor_app.py``'s route, which stores nothing."""
    rngs, today = [random.Random(seed + i) for i in range(len(shares))], utc_today()

    async def step(session: aiohttp.ClientSession, slot: int) -> int:
        child = rngs[slot].choice(shares[slot])
        body = measurement(rngs[slot], child.birth_date, today)
        path = f"/bench/floor/{child.id}?sex={rngs[slot].choice('MF')}&born={child.birth_date}"
        await _call(session, "POST", path, 201, body)
        return 1

    return step


def sessions_step(shares: Sequence[Sequence[Child]], seed: int) -> Step:
    """A posyandu day of ``SESSION_ITEMS`` children of the client's share; all accepted."""
    rngs, today = [random.Random(seed + i) for i in range(len(shares))], utc_today()

    async def step(session: aiohttp.ClientSession, slot: int) -> int:
        rng = rngs[slot]
        items = [
            {
                **measurement(rng, child.birth_date, today),
                "event_id": str(uuid.uuid4()),
                "child_id": child.id,
            }
            for child in rng.sample(shares[slot], SESSION_ITEMS)
        ]
        body = {"posyandu": "Melati 1", "items": items}
        answer = await _call(session, "POST", "/v1/posyandu-sessions", 200, body)
        if answer["accepted"] != SESSION_ITEMS:
            raise RuntimeError(f"a session was not wholly accepted: {str(answer)[:500]}")
        return SESSION_ITEMS

    return step


def reads_step(children: Sequence[Child], readers: int, seed: int) -> Step:
    """The child view of a random child of the whole store."""
    rngs = [random.Random(seed + i) for i in range(readers)]

    async def step(session: aiohttp.ClientSession, slot: int) -> int:
        await _call(session, "GET", f"/v1/children/{rngs[slot].choice(children).id}", 200)
        return 1

    return step


# ------------------------------------------------------------------------------ runs


def one_run(db: Db, base: str, bearer: str, store: Installation, args: Any, run: int) -> Figures:
    """The three figures once, with the peer's rate measured between them."""
    clients, seconds, seed = args.clients, args.seconds, args.seed * 1000 + run * 100
    shares = [store.children[i::clients] for i in range(clients)]
    writes = asyncio.run(drive(base, bearer, clients, seconds, measurements_step(shares, seed)))
    peers = [float(peer.peer_single_appends(db, n, seconds)) for n in PEER_WRITERS]
    floor = asyncio.run(drive(base, bearer, clients, seconds, floor_step(shares, seed + 30)))
    step = sessions_step(shares, seed + 50)
    sessions = asyncio.run(drive(base, bearer, clients, seconds, step))
    step = reads_step(store.children, args.readers, seed + 70)
    reads = asyncio.run(drive(base, bearer, args.readers, seconds, step))
    figures = Figures(
        writes.rate,
        writes.p50_ms,
        writes.p99_ms,
        max(peers),
        peers[0],
        peers[-1],
        floor.rate,
        sessions.rate,
        sessions.p99_ms,
        reads.rate,
        reads.p50_ms,
        reads.p99_ms,
    )
    print(
        f"  run {run + 1}: POST {writes.rate:.0f} ev/s p99 {writes.p99_ms:.1f} ms | peer "
        f"{max(peers):.0f} ev/s | floor {floor.rate:.0f}/s | sessions {sessions.rate:.0f} "
        f"meas/s | GET p99 "
        f"{reads.p99_ms:.1f} ms",
        flush=True,
    )
    return figures


def measure_database(db: Db, args: Any) -> Figures:
    """Fill a store on ``db``, serve it, and return the medians of ``args.runs`` runs."""
    # SQLite: one process; its writers take turns anyway (BEGIN IMMEDIATE), and the second
    # process would mostly sleep in SQLite's busy handler.
    workers = args.fill_workers if db == "postgres" else 1
    print(f"{db}: filling {args.events} events", flush=True)
    with (
        installation(db, args.events, args.seed, workers) as store,
        server(store, "floor_app:app_with_floor") as base,
    ):
        bearer = token(base, store.secret)
        runs = [one_run(db, base, bearer, store, args, run) for run in range(args.runs)]
    medians = {f.name: statistics.median(getattr(r, f.name) for r in runs) for f in fields(Figures)}
    return Figures(**medians)


ROWS: tuple[tuple[str, str, str, Callable[[Figures], bool] | None], ...] = (
    ("1 POST measurements ev/s", "writes", "", None),
    ("1 POST measurements p50 ms", "write_p50", "", None),
    ("1 POST measurements p99 ms", "write_p99", "<= 25", lambda f: f.write_p99 <= 25),
    ("1 peer ev/s, 1 thread", "peer_1", "", None),
    ("1 peer ev/s, 16 threads", "peer_16", "", None),
    ("1 ratio ours / peer (better)", "ratio", ">= 1", lambda f: f.writes >= f.peer),
    ("1 floor: same POST, no store, /s", "floor", "", None),
    ("1 ratio floor / peer", "floor_ratio", "", None),
    ("2 sessions x100 measurements/s", "sessions", ">= 10000", lambda f: f.sessions >= 10_000),
    ("2 sessions p99 ms", "session_p99", "", None),
    ("3 GET child req/s", "reads", "", None),
    ("3 GET child p50 ms", "read_p50", "", None),
    ("3 GET child p99 ms", "read_p99", "<= 10", lambda f: f.read_p99 <= 10),
)


def table(results: dict[Db, Figures], args: Any) -> None:
    """The figures per database, with the goals met or not."""
    print(
        f"\nchildren bench: {args.events} events filled, {args.clients} clients ("
        f"{args.readers} readers), 1 uvicorn worker, median of {args.runs} runs of "
        f"{args.seconds:g} s"
    )
    print(f"{'figure':32}" + "".join(f"{db:>16}" for db in results) + "  goal")
    for label, name, goal, met in ROWS:
        cells = ""
        for figures in results.values():
            ratios = {"ratio": figures.writes, "floor_ratio": figures.floor}
            value = ratios[name] / figures.peer if name in ratios else getattr(figures, name)
            mark = "" if met is None else (" ok" if met(figures) else " NO")
            places = 2 if name in ratios else 1 if "_p" in name else 0
            cells += f"{value:>13.{places}f}{mark:3}"
        print(f"{label:32}{cells}  {goal}")


def main() -> None:
    """Measure the three figures of issue #6 on each database and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the store")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of a timed window")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--fill-workers", type=int, default=2, help="processes filling PostgreSQL")
    args = parser.parse_args()
    if args.events // EVENTS_PER_CHILD < args.clients * SESSION_ITEMS:
        parser.error(
            f"--events must give each client {SESSION_ITEMS} children of its own: "
            f"at least {args.clients * SESSION_ITEMS * EVENTS_PER_CHILD}"
        )
    databases: list[Db] = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    results = {db: measure_database(db, args) for db in databases}
    table(results, args)


if __name__ == "__main__":
    main()
