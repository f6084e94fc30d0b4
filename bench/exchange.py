"""Data exchange benchmark (issue #11), on PostgreSQL with the demo data.

Fills a fresh PostgreSQL database with ``tumbuh seed-demo`` (``--children`` children, 24
months, meetings and sponsors), then prints:

1. indicators for the whole kota and the last full year (``GET /v1/exchange/indicators``
   over HTTP, JSON): seconds, median of ``--runs`` (goal <= 1 s);
2. a 10,000-row KRS file over HTTP: rows/s new and rows/s again (unchanged), medians of
   ``--runs`` fresh files (goal >= 2,000 rows/s);
3. webhooks to a local keep-alive receiver (synthetic ``child.`` events appended straight
   to the store, read by no projection): a backlog of ``--backlog`` events
   delivered by one worker, events/s (goal >= 500/s); then ``--latency`` events appended
   one by one (20 a second) with the worker running: append -> received p50/p99 (goal p99
   <= 500 ms).

Run: ``python bench/exchange.py [--children 12000] [--runs 3]``.
"""

from __future__ import annotations

import random
import statistics
import threading
import time as clock
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson
from arguments import arguments
from demo_store import KOTA, api_client, demo_database, p50_p99, settings

from api.demo import data as demo_data
from api.exchange.webhooks import Deliverer
from api.identity.accounts import operator_meta
from api.services import Services, build_services
from domain.access import Role
from domain.sponsor.krs import HEADER
from domain.webhook.decider import PREFIX, CreateSubscription, SubscriptionDecider
from events.envelope import NO_STREAM, NewEvent
from events.handling import execute, new_event_id

PG_DB = "tumbuh_bench_exchange"
CLIENT = "bench-exchange"
SCOPES = "exchange:read exchange:write"
KRS_ROWS = 10_000
WEBHOOK_OWNER = "bench-webhooks"


ARRIVALS: dict[str, float] = {}
"""When each event id first reached the receiver (perf_counter seconds)."""


class _Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ARRIVALS.setdefault(orjson.loads(body)["id"], clock.perf_counter())
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        return None


def _krs_file(run: int) -> bytes:
    rng = random.Random(run)
    desa = [a.code for a in demo_data.AREAS]
    lines = [",".join(HEADER)]
    for n in range(KRS_ROWS):
        flags = ",".join(str(rng.randint(0, 1)) for _ in range(6))
        lines.append(f"BENCH-{run}-{n},{rng.choice(desa)},2025,{flags},1,2,{rng.randint(0, 1)}")
    return "\n".join(lines).encode()


def _over_http(
    client: httpx.Client, year: str, runs: int
) -> tuple[list[float], list[float], list[float]]:
    indicators: list[float] = []
    fresh: list[float] = []
    again: list[float] = []
    for run in range(runs):
        began = clock.perf_counter()
        client.get(
            "/v1/exchange/indicators", params={"prefix": KOTA, "period": year}
        ).raise_for_status()
        indicators.append(clock.perf_counter() - began)
        body = _krs_file(run)
        for sink in (fresh, again):
            began = clock.perf_counter()
            answer = client.post(
                "/v1/exchange/krs", content=body, headers={"Content-Type": "text/csv"}
            )
            answer.raise_for_status()
            sink.append(KRS_ROWS / (clock.perf_counter() - began))
        print(
            f"  run {run + 1}: indicators {indicators[-1]:.2f} s, KRS {fresh[-1]:,.0f} rows/s new, "
            f"{again[-1]:,.0f} again",
            flush=True,
        )
    return indicators, fresh, again


def _subscribe(services: Services, target: str) -> None:
    # The owner is checked before every batch: a client that may read children in the kota.
    scopes = ["webhooks:manage", "children:read"]
    services.principals.add_client(
        WEBHOOK_OWNER, Role.INTEGRATOR, [KOTA], meta=operator_meta(), scopes=scopes
    )
    command = CreateSubscription(
        at=datetime.now(UTC),
        target_url=target,
        event_types=("child.",),
        area_prefix=KOTA,
        owner=WEBHOOK_OWNER,
        secret="b" * 43,
    )
    execute(services.store, SubscriptionDecider(), PREFIX + "bench", command, operator_meta())


def _child_event(n: int) -> NewEvent:
    """A synthetic ``child.bench_marker`` event: sent like any child event, read by no
    projection, so the bench times the delivery and not the projections."""
    return NewEvent(
        event_id=new_event_id(),
        event_type="child.bench_marker",
        schema_version=1,
        occurred_at=datetime.now(UTC),
        wilayah="32.79.02.1001",
        payload={"n": n},
        personal=None,
        meta=operator_meta(),
    )


def _webhooks(url: str, folder: Path, backlog: int, latency: int) -> tuple[float, float, float]:
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    target = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    loopback = {"webhook_allowed_networks": "127.0.0.0/8"}  # the receiver is local
    services = build_services(settings(url, folder).model_copy(update=loopback))
    try:
        _subscribe(services, target)
        raw_store = services.store
        for start in range(0, backlog, 500):  # appended without projections: raw stream events
            raw_store.append(
                f"bench-webhook-{start}",
                "child",
                NO_STREAM,
                [_child_event(n) for n in range(start, min(backlog, start + 500))],
            )
        worker = Deliverer(services)
        began = clock.perf_counter()
        while len(ARRIVALS) < backlog:
            if not worker.run_once():
                clock.sleep(0.01)
        rate = backlog / (clock.perf_counter() - began)
        print(f"  webhooks: {backlog} events delivered at {rate:,.0f} events/s", flush=True)
        worker.start()
        delays = []
        for n in range(latency):
            event = _child_event(n)
            raw_store.append(f"bench-latency-{n}", "child", NO_STREAM, [event])
            appended = clock.perf_counter()
            while event.event_id not in ARRIVALS:
                clock.sleep(0.001)
            delays.append((ARRIVALS[event.event_id] - appended) * 1000)
            clock.sleep(0.05)
        worker.stop()
    finally:
        services.close()
        receiver.shutdown()
    return (rate, *p50_p99(delays))


def main() -> None:
    """Fill, then print the exchange's figures against the goals."""
    args = arguments(__doc__, children=12_000, runs=3, backlog=5_000, latency=200).parse_args()
    with demo_database(PG_DB, args.children, CLIENT, Role.BKKBN, SCOPES) as demo:
        year = str(demo.seeded.last_month.year - 1)
        with api_client(demo) as client:
            indicators, fresh, again = _over_http(client, year, args.runs)
        rate, p50, p99 = _webhooks(demo.url, demo.folder, args.backlog, args.latency)
    events = demo.events
    print(f"\nPostgreSQL, {events:,} events ({args.children:,} children)")
    print(
        f"  indicators, kota, year {year}   {statistics.median(indicators):.2f} s   (goal <= 1 s)"
    )
    print(
        f"  KRS import, {KRS_ROWS:,} rows      {statistics.median(fresh):,.0f} rows/s new, "
        f"{statistics.median(again):,.0f} again   (goal >= 2,000 rows/s)"
    )
    print(f"  webhooks, backlog             {rate:,.0f} events/s   (goal >= 500/s)")
    print(
        f"  webhooks, append -> received  p50 {p50:.0f} ms  p99 {p99:.0f} ms   (goal p99 <= 500 ms)"
    )


if __name__ == "__main__":
    main()
