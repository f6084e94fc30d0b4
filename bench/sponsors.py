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

import statistics
import time as clock

import httpx
from arguments import arguments
from demo_store import KOTA, api_client, demo_database, p50_p99

from domain.access import Role

PG_DB = "tumbuh_bench_sponsors"
CLIENT = "bench-sponsors"
SCOPES = "areas:read sponsors:read sponsors:write"
KECAMATAN = "32.79.02"
WARM_UP = 5
STATS_REPEATS = 30


def _ms(client: httpx.Client, path: str, params: dict[str, str]) -> tuple[float, httpx.Response]:
    began = clock.perf_counter()
    answer = client.get(path, params=params)
    seconds = clock.perf_counter() - began
    answer.raise_for_status()
    return seconds * 1000, answer


def _repeat(client: httpx.Client, path: str, params: dict[str, str], n: int) -> tuple[float, float]:
    for _ in range(WARM_UP):
        _ms(client, path, params)
    return p50_p99([_ms(client, path, params)[0] for _ in range(n)])


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
    args = arguments(__doc__, children=66_000, runs=3, requests=300, changes=15).parse_args()
    queue = f"/v1/areas/{KOTA}/queues/unsponsored-stunted"
    with demo_database(PG_DB, args.children, CLIENT, Role.INTEGRATOR, SCOPES) as demo:
        month = demo.seeded.last_month.strftime("%Y-%m")
        with api_client(demo) as client:
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
    p50, p99 = (statistics.median(r[i] for r in runs) for i in (0, 1))
    print(f"\nPostgreSQL, {demo.events:,} events ({demo.seeded.children:,} children)")
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
