"""What the benches on the demo data share: a fresh PostgreSQL database filled by
``tumbuh seed-demo``'s generator with a bench client, the API served on it with that
client's token, and percentiles.

Seeding a million events takes many minutes. With ``TUMBUH_BENCH_REUSE=1`` the seeded
database is kept as a template (``tumbuh_bench_seeded_<children>``) and each bench starts
from a copy of it; drop the template (``dropdb``) whenever the code that writes it changes.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import httpx
import psycopg
import raw_insert as raw
from children import KEY, Installation, server

from api.demo import data as demo_data
from api.identity.accounts import operator_meta
from api.services import build_services
from api.settings import Settings
from domain.access import Role
from migrations import runner as migrate

KOTA = "32.79"


@dataclass(frozen=True)
class Demo:
    """A filled database: where it is, what the seed wrote, the log's length, the client."""

    url: str
    folder: Path
    seeded: demo_data.SeedResult
    events: int
    client: str
    secret: str
    scopes: str


def settings(url: str, folder: Path) -> Settings:
    """The bench's own settings: no webhook worker, a small pool."""
    return Settings(
        database_url=url,
        master_key=KEY,
        key_dir=folder / "keys",
        db_pool_size=4,
        webhook_worker=False,
    )


@contextmanager
def demo_database(
    name: str, children: int, client: str, role: Role, scopes: str, reports: bool = True
) -> Iterator[Demo]:
    """A fresh database ``name`` with the demo of ``children`` children (the camats' rakor
    reports only with ``reports``) and a client of ``role`` holding ``scopes``; dropped
    afterwards."""
    reuse = os.environ.get("TUMBUH_BENCH_REUSE") == "1"
    template = f"tumbuh_bench_seeded_{children}" + ("" if reports else "_without_reports")
    with psycopg.connect(raw.pg_conninfo("postgres"), autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (template,))
        kept = reuse and found.fetchone() is not None
    url = raw.fresh_pg_database(name, template if kept else None)
    try:
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as scratch:
            folder = Path(scratch)
            seeded = _seeded(url) if kept else _seed(url, folder, children, reports)
            if reuse and not kept:
                _keep(url, seeded, template)
            yield _with_client(url, folder, seeded, client, role, scopes)
    finally:
        raw.drop_pg_database(name)


def _seed(url: str, folder: Path, children: int, reports: bool) -> demo_data.SeedResult:
    services = build_services(settings(url, folder))
    try:
        migrate.upgrade(services.engine)
        services.projections.catch_up(services.store)
        seeded = demo_data.seed(services, children=children, reports=reports)
        gc.collect()  # the seed leaves millions of cyclic objects: not inside a timed request
        print(
            f"  seeded {seeded.children} children, {seeded.events} events, "
            f"{seeded.meetings} meetings in {seeded.seconds:.0f} s; its rebuild of every "
            f"projection: {seeded.events / seeded.rebuild_seconds:,.0f} events/s "
            f"({seeded.rebuild_seconds:.0f} s)",
            flush=True,
        )
        return seeded
    finally:
        services.close()


def _keep(url: str, seeded: demo_data.SeedResult, template: str) -> None:
    """Note what the seed wrote in the database and copy it as the template."""
    conninfo = url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_seed (result text NOT NULL)")
        conn.execute(
            "INSERT INTO bench_seed VALUES (%s)", (json.dumps(asdict(seeded), default=str),)
        )
    with psycopg.connect(raw.pg_conninfo("postgres"), autocommit=True) as admin:
        name = conninfo.rsplit("/", 1)[1]
        admin.execute(f"CREATE DATABASE {template} TEMPLATE {name}")


def _seeded(url: str) -> demo_data.SeedResult:
    """What the seed of a copied template wrote."""
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        row = conn.execute("SELECT result FROM bench_seed").fetchone()
    assert row is not None
    found = json.loads(row[0])
    for name in ("first_month", "last_month"):
        found[name] = date.fromisoformat(found[name])
    print(f"  copied the kept seed of {found['children']} children, {found['events']} events")
    return demo_data.SeedResult(**found)


def _with_client(
    url: str, folder: Path, seeded: demo_data.SeedResult, client: str, role: Role, scopes: str
) -> Demo:
    services = build_services(settings(url, folder))
    try:
        migrate.upgrade(services.engine)  # a kept template may predate the newest migration
        secret = services.principals.add_client(
            client, role, [KOTA], meta=operator_meta(), scopes=scopes.split()
        )
        # A settled store, as autovacuum keeps a served one: the seed's million appends in a
        # few minutes leave the hot sums' pages full of dead row versions.
        with psycopg.connect(
            url.replace("postgresql+psycopg", "postgresql"), autocommit=True
        ) as conn:
            conn.execute("VACUUM (ANALYZE)")
        return Demo(url, folder, seeded, services.store.head().position, client, secret, scopes)
    finally:
        services.close()


@contextmanager
def api_client(demo: Demo) -> Iterator[httpx.Client]:
    """One uvicorn worker serving the database, and an HTTP client with the bench client's
    token."""
    with server(Installation(demo.url, demo.folder, [], demo.secret)) as base:
        grant = {"grant_type": "client_credentials", "scope": demo.scopes}
        answer = httpx.post(f"{base}/v1/auth/token", auth=(demo.client, demo.secret), data=grant)
        answer.raise_for_status()
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
            yield client


def p50_p99(times: list[float]) -> tuple[float, float]:
    """The median and the 99th percentile."""
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[98]
