"""Area figures benchmark (issue #7), on PostgreSQL with the demo data scaled up.

Fills a fresh PostgreSQL database with ``tumbuh seed-demo``'s generator (Kota Banjar, 25
desa/kelurahan, ``--children`` children with monthly posyandu measurements, late entries,
corrections, voids, moves and exits; every event through the store's own write path), then
prints:

1. ``GET /v1/areas/32.79/stats?period=<last month>`` (the kota) and a desa's, over real HTTP
   against one uvicorn worker with a client-credentials token: p50/p99 of ``--requests``;
   the kota again with ``children:read``, as a TPPS officer reads it (the new cases carry
   their initials, decrypted from each child's personal part);
2. ``GET /v1/children/{id}`` of random children (issue #6 sets its read goal at 1M events),
   by 1 and by 4 concurrent aiohttp readers for ``--seconds`` each: p50/p99;
3. ``known_at`` for the month a year back, answered as known a month after it, for a desa
   and for the whole kota: median seconds of ``--runs``;
4. the full rebuild of every projection (z-scores included): events/s, median of ``--runs``
   (the seed's own rebuild is printed as it ends).

Goals: kota stats p99 <= 20 ms at 1M events; known_at <= 1 s (desa), <= 5 s (kota) at 1M
events; rebuild >= 50 000 events/s. The demo writes about 15 events a child: ``--children
66000`` gives about 1M events. Run: ``python bench/figures.py [--children 66000] [--runs 3]``.
"""

from __future__ import annotations

import asyncio
import statistics
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import httpx
import psycopg
from arguments import arguments
from children import Child, Window, drive, reads_step
from demo_store import api_client, demo_database, p50_p99, settings

from api.services import build_services
from domain.access import Role
from domain.figures import Period
from domain.figures.periods import month_end, month_of
from events.area_figures import AsOf, position_at, unit_of

PG_DB = "tumbuh_bench_figures"
CLIENT = "bench-figures"
SCOPES = "areas:read children:read"  # children:read: the new cases carry their initials
KOTA, DESA = "32.79", "32.79.02.1001"


def _rebuild(url: str, folder: Path, runs: int) -> float:
    services = build_services(settings(url, folder))
    rates = []
    try:
        for _ in range(runs):
            began = clock.perf_counter()
            services.projections.rebuild(services.store)
            seconds = clock.perf_counter() - began
            rates.append(services.store.head().position / seconds)
            print(
                f"  rebuild: {rates[-1]:,.0f} events/s ({seconds:.1f} s, "
                f"{services.projections.replay_workers} replay workers)",
                flush=True,
            )
    finally:
        services.close()
    return statistics.median(rates)


def _latencies(
    client: httpx.Client, code: str, month: str, requests: int, headers: dict[str, str] | None
) -> tuple[float, float]:
    times = []
    for n in range(requests + 20):
        began = clock.perf_counter()
        answer = client.get(f"/v1/areas/{code}/stats", params={"period": month}, headers=headers)
        answer.raise_for_status()
        if n >= 20:  # warm-up first
            times.append((clock.perf_counter() - began) * 1000)
    return p50_p99(times)


def _child_reads(client: httpx.Client, url: str, seconds: float) -> dict[int, Window]:
    """``GET /v1/children/{id}`` of random children of the store (issue #6's read goal is
    set at 1M events), by 1 and by 4 concurrent readers (aiohttp, as bench/children.py)."""
    conninfo = url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT child_id, birth_date FROM proj_children").fetchall()
    children = [Child(str(i), born) for i, born in rows]
    bearer = str(client.headers["Authorization"]).removeprefix("Bearer ")
    found = {}
    for readers in (1, 4):
        step = reads_step(children, readers, seed=readers)
        found[readers] = asyncio.run(drive(str(client.base_url), bearer, readers, seconds, step))
        print(
            f"  GET child, {readers} reader(s): p50 {found[readers].p50_ms:.1f} ms, "
            f"p99 {found[readers].p99_ms:.1f} ms",
            flush=True,
        )
    return found


def _known_at(url: str, folder: Path, last_month: date, runs: int) -> dict[str, float]:
    """Seconds to answer the month a year back as it was known at the end of the next month."""
    month = month_of(date(last_month.year - 1, last_month.month, 1))
    following = month_of(month_end(month) + timedelta(days=1))
    then = datetime.combine(month_end(following), time(23, 59), UTC)
    services = build_services(settings(url, folder))
    found: dict[str, float] = {}
    try:
        position = position_at(services.engine, then)
        for code in (DESA, KOTA):
            seconds = []
            for _ in range(runs):
                began = clock.perf_counter()
                as_of = AsOf(services.store, code, position)
                as_of.figures(Period(month, (month,)), unit_of(code))
                seconds.append(clock.perf_counter() - began)
            found[code] = statistics.median(seconds)
            print(
                f"  known_at {month} as of {then:%Y-%m-%d} (position {position}), {code}: "
                f"{found[code]:.2f} s",
                flush=True,
            )
    finally:
        services.close()
    return found


def main() -> None:
    """Fill, then print the figures against the goals."""
    parser = arguments(__doc__, children=66_000, runs=3, requests=300)
    parser.add_argument("--seconds", type=float, default=20.0, help="each child-read window")
    parser.add_argument(
        "--rebuild-runs",
        type=int,
        default=None,
        help="rebuilds to time (default: --runs; 0 skips them, as at 10M "
        "events, where one takes half an hour)",
    )
    parser.add_argument(
        "--without-reports",
        action="store_true",
        help="seed without the camats' rakor reports, which compute known_at "
        "for each kecamatan: hours at 10M events",
    )
    args = parser.parse_args()
    with demo_database(
        PG_DB, args.children, CLIENT, Role.INTEGRATOR, SCOPES, reports=not args.without_reports
    ) as demo:
        events, last_month = demo.events, demo.seeded.last_month
        month = month_of(last_month)
        with api_client(demo) as client:
            # A token without children:read: the same figures, the new cases without initials.
            grant = {"grant_type": "client_credentials", "scope": "areas:read"}
            answer = client.post("/v1/auth/token", auth=(demo.client, demo.secret), data=grant)
            plain = {"Authorization": f"Bearer {answer.raise_for_status().json()['access_token']}"}
            kota = _latencies(client, KOTA, month, args.requests, plain)
            desa = _latencies(client, DESA, month, args.requests, plain)
            named = _latencies(client, KOTA, month, args.requests, None)
            reads = _child_reads(client, demo.url, args.seconds)
        known = _known_at(demo.url, demo.folder, last_month, args.runs)
        rebuilds = args.runs if args.rebuild_runs is None else args.rebuild_runs
        rebuild = _rebuild(demo.url, demo.folder, rebuilds) if rebuilds else None
    print(f"\nPostgreSQL, {events:,} events ({args.children:,} children), month {month}")
    print(f"  GET kota stats   p50 {kota[0]:.1f} ms  p99 {kota[1]:.1f} ms   (goal p99 <= 20 ms)")
    print(f"  GET desa stats   p50 {desa[0]:.1f} ms  p99 {desa[1]:.1f} ms")
    print(
        f"  GET kota stats with the new cases' initials (children:read)"
        f"   p50 {named[0]:.1f} ms  p99 {named[1]:.1f} ms"
    )
    for readers, window in reads.items():
        print(
            f"  GET child, {readers} reader(s)   p50 {window.p50_ms:.1f} ms  "
            f"p99 {window.p99_ms:.1f} ms   (issue #6: p99 <= 10 ms at 1M events)"
        )
    print(f"  known_at desa    {known[DESA]:.2f} s   (goal <= 1 s)")
    print(f"  known_at kota    {known[KOTA]:.2f} s   (goal <= 5 s)")
    if rebuild is not None:
        print(f"  rebuild          {rebuild:,.0f} events/s   (goal >= 50 000/s)")


if __name__ == "__main__":
    main()
