"""Audit trail benchmarks (issue #8): export, independent verification, tailing, read log.

Fills a fresh store (PostgreSQL by default) with ``--events`` child events through the
store's own write path (``children.installation``: registrations with sealed personal
parts and measurements, hash chain and inline projections as the API writes them),
registers a third-party client with ``events:read children:read pii:read
measurements:write``, starts ONE uvicorn worker and prints the medians of ``--runs`` runs:

1. ``GET /v1/events`` with ``Accept: application/x-ndjson``: the whole log streamed over
   HTTP into a file, events/s. Goal >= 50 000/s on PostgreSQL at 1M events.
2. ``tools/verify_export.py`` over that file, in this process: events/s, with orjson's first
   try and with the standard library alone (one process per CPU each, the tool's default).
   Goal >= 100 000/s.
3. Tail latency: a subscriber long-polls ``GET /v1/events?after=…&wait=30`` while
   ``--appends`` measurements are posted one at a time at random 20-120 ms gaps; latency
   is the subscriber's receipt time minus the event's ``recorded_at`` (same machine clock):
   p50/p99. Goal p99 <= 100 ms.
4. The read-access log's cost: ``GET /v1/children/{id}`` with a ``pii:read`` token (the
   answer is unmasked, so each read is queued for the access log and appended in batches)
   against the same reads with a token without it (masked: nothing recorded), alternating
   request by request over ``--reads`` random children; the ratio of mean latencies.
   Goal: at most 10 % slower.

Run: ``python bench/audit.py [--events 1000000] [--db postgres] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time
from datetime import datetime
from pathlib import Path

import children
import httpx
import orjson
from children import KEY, Installation, installation, measurement, server, utc_today

from api.identity.accounts import operator_meta
from api.services import build_services
from api.settings import Settings
from domain.access import Role
from tests.support.verifier import verifier

CLIENT = "bench-audit"
children.PG_DB = "tumbuh_bench_audit"  # its own database: the children bench drops its own
SCOPES = "events:read children:read pii:read measurements:write"


def _client(store: Installation) -> str:
    services = build_services(
        Settings(
            database_url=store.url, master_key=KEY, key_dir=store.folder / "keys", db_pool_size=1
        )
    )
    try:
        return services.principals.add_client(
            CLIENT, Role.INTEGRATOR, ["*"], meta=operator_meta(), scopes=SCOPES.split()
        )
    finally:
        services.close()


def export(base: str, bearer: str, target: Path) -> tuple[int, float]:
    """Stream the whole log to ``target``: (events, seconds)."""
    headers = {"Authorization": f"Bearer {bearer}", "Accept": "application/x-ndjson"}
    began = time.perf_counter()
    lines = 0
    with (
        httpx.stream("GET", f"{base}/v1/events", headers=headers, timeout=600) as answer,
        target.open("wb") as out,
    ):
        answer.raise_for_status()
        for chunk in answer.iter_bytes(1 << 20):
            out.write(chunk)
            lines += chunk.count(b"\n")
    return lines, time.perf_counter() - began


def verify(source: Path, *, pure: bool) -> tuple[int, float]:
    """Run the independent verifier over ``source``: (events, seconds).

    ``pure``: the standard library's json only; otherwise orjson's first try. Both in one
    process per CPU, the tool's default.
    """
    tool = verifier()
    before, tool.ACCELERATED[0] = tool.ACCELERATED[0], not pure
    began = time.perf_counter()
    try:
        with source.open(encoding="utf-8", newline="\n") as handle:
            verdict = tool.walk(handle, jobs=os.cpu_count() or 1)
    finally:
        tool.ACCELERATED[0] = before
    seconds = time.perf_counter() - began
    if not verdict.ok:
        raise RuntimeError(f"the export does not verify: {verdict.reason}")
    return verdict.checked, seconds


def tail_latency(
    base: str, bearer: str, store: Installation, appends: int, seed: int
) -> list[float]:
    """Milliseconds from each event's recorded_at to a long-polling subscriber's receipt."""
    headers = {"Authorization": f"Bearer {bearer}"}
    rng = random.Random(seed)
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        head = client.get("/v1/audit/head").json()["position"]
    seen: list[float] = []
    done = threading.Event()

    def subscribe() -> None:
        after = head
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            while not done.is_set() or len(seen) < appends:
                page = client.get(
                    "/v1/events", params={"after": after, "wait": 30, "stream_type": "child"}
                ).json()
                now = time.time()
                for event in page["events"]:
                    recorded = datetime.fromisoformat(event["recorded_at"]).timestamp()
                    seen.append((now - recorded) * 1000)
                    after = event["position"]
                if len(seen) >= appends:
                    return

    subscriber = threading.Thread(target=subscribe)
    subscriber.start()
    time.sleep(0.5)
    today = utc_today()
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for _ in range(appends):
            child = rng.choice(store.children)
            answer = client.post(
                f"/v1/children/{child.id}/measurements",
                json=measurement(rng, child.birth_date, today),
            )
            if answer.status_code != 201:
                raise RuntimeError(f"append refused: {answer.status_code} {answer.text[:300]}")
            time.sleep(rng.uniform(0.02, 0.12))
    done.set()
    subscriber.join(timeout=60)
    return seen


def read_overhead(
    base: str, logged: str, masked: str, store: Installation, reads: int, seed: int
) -> tuple[float, float]:
    """Mean ms of unmasked (logged) and masked reads, alternating request by request."""
    rng = random.Random(seed)
    times: dict[str, list[float]] = {logged: [], masked: []}
    with httpx.Client(base_url=base, timeout=60) as client:
        for n in range(reads + 40):
            child = rng.choice(store.children)
            for bearer in (logged, masked) if n % 2 else (masked, logged):
                began = time.perf_counter()
                answer = client.get(
                    f"/v1/children/{child.id}", headers={"Authorization": f"Bearer {bearer}"}
                )
                answer.raise_for_status()
                if n >= 40:  # warm-up first
                    times[bearer].append((time.perf_counter() - began) * 1000)
    personal = orjson.loads(answer.content)["personal"]
    if personal is None:
        raise RuntimeError("the bench children carry no personal part")
    return statistics.mean(times[logged]), statistics.mean(times[masked])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    """Fill, serve, measure; print the medians against the goals."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--appends", type=int, default=200)
    parser.add_argument("--reads", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2, help="processes filling the store")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    exports: list[float] = []
    checks: list[float] = []
    pure_checks: list[float] = []
    tails: list[float] = []
    ratios: list[float] = []
    with installation(args.db, args.events, args.seed, args.workers) as store:
        secret = _client(store)
        with server(store) as base:
            everything = children.token(base, secret, SCOPES, CLIENT)
            masked = children.token(base, secret, "children:read", CLIENT)
            for run in range(args.runs):
                target = store.folder / "export.ndjson"
                count, seconds = export(base, everything, target)
                exports.append(count / seconds)
                checked, verifying = verify(target, pure=False)
                checks.append(checked / verifying)
                checked, verifying = verify(target, pure=True)
                pure_checks.append(checked / verifying)
                latencies = tail_latency(base, everything, store, args.appends, args.seed + run)
                tails.append(_percentile(latencies, 0.99))
                logged_ms, masked_ms = read_overhead(
                    base, everything, masked, store, args.reads, args.seed + run
                )
                ratios.append(logged_ms / masked_ms)
                print(
                    f"  run {run + 1}: export {count:,} events {exports[-1]:,.0f}/s; "
                    f"verifier {checks[-1]:,.0f}/s (stdlib only {pure_checks[-1]:,.0f}/s); "
                    f"tail p50 "
                    f"{_percentile(latencies, 0.5):.0f} ms p99 {tails[-1]:.0f} ms "
                    f"({len(latencies)} events); reads logged {logged_ms:.2f} ms vs masked "
                    f"{masked_ms:.2f} ms",
                    flush=True,
                )
    print(f"\n{args.db}, {count:,} events, medians of {args.runs} runs")
    print(
        f"  NDJSON export over HTTP  {statistics.median(exports):>9,.0f} events/s  "
        "(goal >= 50 000/s)"
    )
    print(
        f"  independent verifier     {statistics.median(checks):>9,.0f} events/s  "
        f"(goal >= 100 000/s; orjson's first try, {os.cpu_count()} processes)"
    )
    print(
        f"    standard library only  {statistics.median(pure_checks):>9,.0f} events/s  "
        f"({os.cpu_count()} processes)"
    )
    print(f"  tail latency p99         {statistics.median(tails):>9.0f} ms        (goal <= 100 ms)")
    print(f"  logged / masked reads    {statistics.median(ratios):>9.3f}           (goal <= 1.10)")


if __name__ == "__main__":
    main()
