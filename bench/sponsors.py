"""Sponsor work-queue benchmark (issue #10), on PostgreSQL with the demo data scaled up.

Fills a fresh PostgreSQL database with ``tumbuh seed-demo``'s generator (Kota Banjar,
``--children`` children with monthly posyandu measurements, a year of meetings and six
months of sponsors, KRS families, commitments and deliveries), registers a client, starts
one uvicorn worker and times over real HTTP with a client-credentials token:

1. ``GET /v1/areas/32.79/queues/unsponsored-stunted`` (the kota; first page of 50):
   ``--requests`` times after 5 warm-up requests, p50/p99 per run, median of ``--runs``;
   then the same after each of ``--changes`` new commitments (the queue is a query, not a
   kept answer: a change costs nothing extra), median and max;
2. the same queue for one kecamatan, and ``…/sponsor-stats`` for the last month (p50/p99
   of ``STATS_REPEATS``).

Goal: the kota's queue p99 <= 50 ms at 1M events. The demo writes about 15 events a
child: ``--children 66000`` gives about 1M events.
Run: ``python bench/sponsors.py [--children 66000] [--requests 300]``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time as clock
from pathlib import Path

import httpx
import psycopg
import raw_insert as raw
from children import KEY, Installation, server

from api import demo_data
from api.identity import operator_meta
from api.services import build_services
from api.settings import Settings
from domain.access import Role
from events import migrate

PG_DB = "tumbuh_bench_sponsors"
CLIENT = "bench-sponsors"
SCOPES = "areas:read sponsors:read sponsors:write"
KOTA, KECAMATAN = "32.79", "32.79.02"
WARM_UP = 5
STATS_REPEATS = 30


def _fill(url: str, folder: Path, children: int) -> tuple[demo_data.SeedResult, int, str]:
    services = build_services(
        Settings(database_url=url, master_key=KEY, key_dir=folder / "keys", db_pool_size=2)
    )
    try:
        migrate.upgrade(services.engine)
        services.projections.catch_up(services.store)
        result = demo_data.seed(services, children=children)
        gc.collect()  # the seed leaves millions of cyclic objects: not inside a timed request
        print(
            f"  seeded {result.children} children, {result.events} events in "
            f"{result.seconds:.0f} s",
            flush=True,
        )
        secret = services.principals.add_client(
            CLIENT, Role.INTEGRATOR, [KOTA], meta=operator_meta(), scopes=SCOPES.split()
        )
        with services.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        return result, services.store.head().position, secret
    finally:
        services.close()


def _ms(client: httpx.Client, path: str, params: dict[str, str]) -> tuple[float, httpx.Response]:
    began = clock.perf_counter()
    answer = client.get(path, params=params)
    seconds = clock.perf_counter() - began
    answer.raise_for_status()
    return seconds * 1000, answer


def _p50_p99(times: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[98]


def _repeat(client: httpx.Client, path: str, params: dict[str, str], n: int) -> tuple[float, float]:
    for _ in range(WARM_UP):
        _ms(client, path, params)
    return _p50_p99([_ms(client, path, params)[0] for _ in range(n)])


def _after_changes(client: httpx.Client, path: str, changes: int) -> list[float]:
    """A new commitment to the first child of the queue, then one timed GET, ``changes`` times."""
    sponsor = client.get("/v1/sponsors", params={"limit": "1"}).json()["items"][0]["id"]
    found = []
    for _ in range(changes):
        first = _ms(client, path, {"limit": "50"})[1].json()["items"][0]
        body = {
            "sponsor": sponsor,
            "beneficiary": {"kind": "child", "id": first["child_id"]},
            "aid": "nutrition",
            "description": "bench",
            "amount_rupiah": 15_000,
            "frequency": "daily",
            "start": "2020-01-01",
        }
        client.post("/v1/commitments", json=body).raise_for_status()
        found.append(_ms(client, path, {"limit": "50"})[0])
    return found


def main() -> None:
    """Fill, then print the queue's latencies against the goal."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=66_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--changes", type=int, default=15)
    args = parser.parse_args()
    with psycopg.connect(raw.pg_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {PG_DB}")
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"
    queue = f"/v1/areas/{KOTA}/queues/unsponsored-stunted"
    try:
        with tempfile.TemporaryDirectory(prefix="tumbuh-bench-sponsors-") as scratch:
            folder = Path(scratch)
            seeded, events, secret = _fill(url, folder, args.children)
            month = seeded.last_month.strftime("%Y-%m")
            with server(Installation(url, folder, [], secret)) as base:
                grant = {"grant_type": "client_credentials", "scope": SCOPES}
                answer = httpx.post(f"{base}/v1/auth/token", auth=(CLIENT, secret), data=grant)
                answer.raise_for_status()
                headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
                with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
                    first = _ms(client, queue, {"limit": "50"})[1].json()
                    print(f"  kota queue: {len(first['items'])} on the first page", flush=True)
                    runs = []
                    for run in range(args.runs):
                        runs.append(_repeat(client, queue, {"limit": "50"}, args.requests))
                        print(
                            f"  run {run + 1}: p50 {runs[-1][0]:.1f} ms  p99 {runs[-1][1]:.1f} ms",
                            flush=True,
                        )
                    changed = _after_changes(client, queue, args.changes)
                    kecamatan = _repeat(
                        client,
                        f"/v1/areas/{KECAMATAN}/queues/unsponsored-stunted",
                        {"limit": "50"},
                        args.requests,
                    )
                    stats = _repeat(
                        client, f"/v1/areas/{KOTA}/sponsor-stats", {"period": month}, STATS_REPEATS
                    )
    finally:
        with psycopg.connect(raw.pg_conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    p50, p99 = (statistics.median(r[i] for r in runs) for i in (0, 1))
    print(f"\nPostgreSQL, {events:,} events ({seeded.children:,} children)")
    print(
        f"  kota unsponsored-stunted      p50 {p50:.1f} ms  p99 {p99:.1f} ms   (goal p99 <= 50 ms;"
        f" median of {len(runs)} runs)"
    )
    print(
        f"  after a new commitment        median {statistics.median(changed):.1f} ms  "
        f"max {max(changed):.1f} ms   ({len(changed)} samples)"
    )
    print(f"  kecamatan unsponsored-stunted p50 {kecamatan[0]:.1f} ms  p99 {kecamatan[1]:.1f} ms")
    print(
        f"  kota sponsor-stats {month}   p50 {stats[0]:.1f} ms  p99 {stats[1]:.1f} ms   "
        f"({STATS_REPEATS} requests)"
    )


if __name__ == "__main__":
    main()
