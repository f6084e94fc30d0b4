"""TPPS evaluation benchmark (issue #9), on PostgreSQL with the demo data scaled up.

Fills a fresh PostgreSQL database with ``tumbuh seed-demo``'s generator (Kota Banjar,
``--children`` children with monthly posyandu measurements, and a year of rakor, kecamatan
meetings and their resolutions up to today), registers a client, starts one uvicorn worker
and times ``GET /v1/areas/32.79/evaluation`` over real HTTP with a client-credentials token:

1. warm: the last full quarter of the demo, ``--requests`` times after 5 warm-up requests
   (the service keeps an answer until an area, child or resolution event changes what it
   rests on): p50/p99 per run, median of ``--runs``;
2. cold: ``--cold`` times, progress on an open resolution (which changes what the kept
   answer rests on), then one timed GET of the quarter: p50/p99 and max; the same for the
   whole year, ``YEAR_COLD`` times;
3. ``known_at`` a month after the quarter ended: the first (cold) call, then p50/p99 of
   ``KNOWN_AT_REPEATS`` repeats.

Goal: p99 <= 50 ms with the demo data at 1M events. The demo writes about 15 events a
child: ``--children 66000`` (the default) gives about 1M events.
Run: ``python bench/meetings.py [--children 66000] [--requests 300] [--cold 200]``.
"""

from __future__ import annotations

import statistics
import time as clock
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
from arguments import arguments
from demo_store import KOTA, api_client, demo_database, p50_p99

from api.demo import data as demo_data
from domain.access import Role
from domain.figures import Period, parse_period
from domain.figures.periods import month_end, month_of, previous

PG_DB = "tumbuh_bench_meetings"
CLIENT = "bench-meetings"
SCOPES = "areas:read meetings:read meetings:write"
PATH = f"/v1/areas/{KOTA}/evaluation"
WARM_UP = 5
YEAR_COLD = 50
KNOWN_AT_REPEATS = 50
Params = dict[str, str]


def _last_full_quarter(last_month: date) -> Period:
    """The last quarter whose three months the demo holds."""
    holding = parse_period(f"{last_month.year}-Q{(last_month.month - 1) // 3 + 1}")
    return holding if holding.months[-1] == month_of(last_month) else previous(holding)


def _get(client: httpx.Client, params: Params) -> tuple[float, httpx.Response]:
    """One evaluation: milliseconds and the answer (raises unless 2xx)."""
    began = clock.perf_counter()
    answer = client.get(PATH, params=params)
    seconds = clock.perf_counter() - began
    answer.raise_for_status()
    return seconds * 1000, answer


def _warm(client: httpx.Client, params: Params, requests: int) -> tuple[float, float]:
    for _ in range(WARM_UP):
        _get(client, params)
    return p50_p99([_get(client, params)[0] for _ in range(requests)])


def _cold(client: httpx.Client, params: Params, resolution: str, times: int) -> list[float]:
    """Milliseconds of a GET right after progress on ``resolution``, ``times`` times."""
    found = []
    for _ in range(times):
        progress = {"text": "bench", "percent": 50}
        client.post(f"/v1/resolutions/{resolution}/progress", json=progress).raise_for_status()
        found.append(_get(client, params)[0])
    return found


def _open_resolution(client: httpx.Client) -> str:
    answer = client.get("/v1/resolutions", params={"status": "open", "limit": "1"})
    answer.raise_for_status()
    items = answer.json()["items"]
    if not items:
        raise RuntimeError("the demo has no open resolution to report progress on")
    return str(items[0]["id"])


@dataclass(frozen=True)
class Figures:
    """What one bench measured, in milliseconds."""

    warm: list[tuple[float, float]]  # p50, p99 per run
    cold: list[float]
    cold_year: list[float]
    known_first: float
    known: tuple[float, float]


def _measure(client: httpx.Client, quarter: Period, known_at: str, args: Any) -> Figures:
    """The three figures, printed as they come."""
    first, answer = _get(client, {"period": quarter.name})
    body = answer.json()
    print(
        f"  {quarter.name}: first GET {first:.0f} ms, {len(body['rows'])} kecamatan, "
        f"{body['total']['measured']} measured, {body['total']['resolutions']['due']} "
        f"resolutions due",
        flush=True,
    )
    warm = []
    for run in range(args.runs):
        warm.append(_warm(client, {"period": quarter.name}, args.requests))
        print(
            f"  run {run + 1}: warm p50 {warm[-1][0]:.1f} ms  p99 {warm[-1][1]:.1f} ms", flush=True
        )
    resolution = _open_resolution(client)
    cold = _cold(client, {"period": quarter.name}, resolution, args.cold)
    print(f"  cold quarter: median {statistics.median(cold):.0f} ms", flush=True)
    cold_year = _cold(client, {"period": quarter.name[:4]}, resolution, YEAR_COLD)
    print(f"  cold year: median {statistics.median(cold_year):.0f} ms", flush=True)
    then = {"period": quarter.name, "known_at": known_at}
    known_first, answer = _get(client, then)
    print(
        f"  known_at {known_at}: log position {answer.json()['log_position']}, first "
        f"{known_first:.0f} ms",
        flush=True,
    )
    return Figures(warm, cold, cold_year, known_first, _warm(client, then, KNOWN_AT_REPEATS))


def _summary(figures: Figures, seeded: demo_data.SeedResult, events: int, quarter: str) -> None:
    p50 = statistics.median(w[0] for w in figures.warm)
    p99 = statistics.median(w[1] for w in figures.warm)
    cold, year = figures.cold, figures.cold_year
    print(
        f"\nPostgreSQL, {events:,} events ({seeded.children:,} children, "
        f"{seeded.resolutions} resolutions), GET {PATH}?period={quarter}"
    )
    print(
        f"  warm             p50 {p50:.1f} ms  p99 {p99:.1f} ms   (goal p99 <= 50 ms; "
        f"median of {len(figures.warm)} runs)"
    )
    cold_p50, cold_p99 = p50_p99(cold)
    year_p50, year_p99 = p50_p99(year)
    print(
        f"  cold, quarter    p50 {cold_p50:.1f} ms  p99 {cold_p99:.1f} ms  max {max(cold):.0f} ms"
        f"   (goal p99 <= 50 ms; {len(cold)} samples)"
    )
    print(
        f"  cold, year {quarter[:4]}  p50 {year_p50:.1f} ms  p99 {year_p99:.1f} ms  "
        f"max {max(year):.0f} ms   ({len(year)} samples)"
    )
    print(f"  known_at, first  {figures.known_first:.0f} ms   (cold)")
    print(
        f"  known_at, warm   p50 {figures.known[0]:.1f} ms  p99 {figures.known[1]:.1f} ms   "
        f"({KNOWN_AT_REPEATS} requests)"
    )


def main() -> None:
    """Fill, then print the evaluation's latencies against the goal."""
    args = arguments(__doc__, children=66_000, runs=3, requests=300, cold=200).parse_args()
    with demo_database(PG_DB, args.children, CLIENT, Role.INTEGRATOR, SCOPES) as demo:
        quarter = _last_full_quarter(demo.seeded.last_month)
        following = month_of(month_end(quarter.months[-1]) + timedelta(days=1))
        known_at = f"{month_end(following).isoformat()}T23:59:59+07:00"
        with api_client(demo) as client:
            figures = _measure(client, quarter, known_at, args)
    _summary(figures, demo.seeded, demo.events, quarter.name)


if __name__ == "__main__":
    main()
