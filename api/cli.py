"""The ``tumbuh`` command: serve, migrate, verify, rebuild, seed-demo, replay, stats and
the identity commands."""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from api import demo_data
from api.access import Principal
from api.cli_exchange import imports
from api.cli_identity import keys, principals
from api.cli_personal import erase
from api.replay import Replayed, ReplayRefused, replay_services
from api.replay import replay as replay_export
from api.routers.area_stats import stats_answer
from api.services import build_services
from api.settings import Settings
from api.webhooks import Deliverer
from domain.access import SCOPES, Reach, Role
from domain.fact import DomainError
from events import feed
from events import migrate as migrations

app = typer.Typer(help="Tumbuh: the stunting-reduction programme's system of record.",
                  no_args_is_help=True)  # fmt: skip
app.add_typer(principals, name="principals")
app.add_typer(keys, name="keys")
app.add_typer(imports, name="import")
app.add_typer(erase, name="erase")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes."),
) -> None:
    """Serve the HTTP API on the store TUMBUH_DATABASE_URL names."""
    uvicorn.run("api.app:app_from_environment", factory=True, host=host, port=port,
                workers=workers, proxy_headers=True)  # fmt: skip


@app.command()
def migrate() -> None:
    """Bring the database to the newest schema."""
    services = build_services(Settings())
    try:
        migrations.upgrade(services.engine)
        services.projections.catch_up(services.store)
        typer.echo(f"migrated: {services.engine.dialect.name} is at the newest revision")
    finally:
        services.close()


@app.command()
def verify(
    first: int = typer.Option(1, "--from", help="First position to check."),
    last: int | None = typer.Option(None, "--to", help="Last position (default: the head)."),
    chain_only: bool = typer.Option(
        False, "--chain-only", help="Check links and hashes only, not the indexed columns."
    ),
) -> None:
    """Check the hash chain; exit 1 naming the first bad position if it is broken."""
    services = build_services(Settings())
    try:
        verdict = services.store.verify(first, last, columns=not chain_only)
    finally:
        services.close()
    if verdict.ok:
        typer.echo(f"ok: {verdict.checked} events verified, head {verdict.last_position} "
                   f"{verdict.last_hash}")  # fmt: skip
        return
    typer.echo(f"BROKEN at position {verdict.first_bad_position}: {verdict.reason} "
               f"({verdict.checked} events verified before it)", err=True)  # fmt: skip
    raise typer.Exit(code=1)


@app.command()
def rebuild(
    projection: Annotated[
        list[str] | None,
        typer.Option("--projection", help="A projection to rebuild (repeatable; default: all)."),
    ] = None,
) -> None:
    """Clear and replay the projections from the log (appends wait meanwhile)."""
    services = build_services(Settings())
    try:
        known = [p.name for p in services.projections.projections]
        unknown = sorted(set(projection or ()) - set(known))
        if unknown:
            typer.echo(f"unknown projection {unknown[0]}; known: {', '.join(known)}", err=True)
            raise typer.Exit(code=2)
        began = time.perf_counter()
        replayed = services.projections.rebuild(services.store, projection or None)
        seconds = time.perf_counter() - began
    finally:
        services.close()
    typer.echo(f"rebuilt {', '.join(projection or known)}: {replayed} events in {seconds:.1f} s")


@app.command("seed-demo")
def seed_demo(
    children: int = typer.Option(demo_data.DEFAULT_CHILDREN, min=1, help="Children to register."),
    months: int = typer.Option(demo_data.DEFAULT_MONTHS, min=1, help="Months of posyandu data."),
    seed: int = typer.Option(demo_data.DEFAULT_SEED, help="Seed of the random generator."),
) -> None:
    """Fill an empty store with demo Kota Banjar data: fictitious children, monthly posyandu."""
    services = build_services(Settings())
    try:
        if services.settings.migrate_at_start:
            migrations.upgrade(services.engine)
        if not migrations.at_head(services.engine):
            typer.echo("the database is not at the newest migration: run `tumbuh migrate`",
                       err=True)  # fmt: skip
            raise typer.Exit(code=1)
        services.projections.catch_up(services.store)
        result = demo_data.seed(services, children=children, months=months, seed=seed)
        figures = demo_data.prevalence(services, result.last_month)
    except demo_data.AlreadySeeded as seeded:
        typer.echo(f"already seeded: the store holds {seeded.children} children; nothing written")
        return
    except demo_data.StoreNotEmpty as refused:
        typer.echo(f"not seeded: {refused}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        services.close()
    typer.echo(
        f"seeded {result.children} children, {result.events} events in "
        f"{result.seconds:.1f} s ({result.first_month:%Y-%m} to {result.last_month:%Y-%m}), "
        f"with {result.meetings} meetings and {result.resolutions} resolutions"
    )
    shown = ", ".join(f"{p.area} {p.percent:.1f} % ({p.stunted}/{p.counted})" for p in figures)
    typer.echo(f"stunted among children measured in {result.last_month:%Y-%m}: {shown}")


@app.command()
def worker() -> None:
    """Deliver webhooks (for deployments that run it apart from ``tumbuh serve``, with
    ``TUMBUH_WEBHOOK_WORKER=false`` there); stops on Ctrl-C or SIGTERM."""
    services = build_services(Settings())
    deliverer = Deliverer(services)
    deliverer.start()
    typer.echo("delivering webhooks; Ctrl-C stops")
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        while not stopped.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        deliverer.stop()
        services.close()


@app.command()
def replay(
    database: Annotated[Path, typer.Option("--db", help="The SQLite file to create.")],
    to: int | None = typer.Option(None, "--to", min=1, help="Last position (default: all)."),
    export: str | None = typer.Option(
        None, "--export", help="NDJSON export to replay (- for stdin; default: this store)."
    ),
) -> None:
    """Replay the log into a new SQLite file, checking the chain, and rebuild the figures."""
    began = time.perf_counter()
    try:
        if export is None:
            done = _replay_own_store(database, to)
        elif export == "-":
            done = replay_export(sys.stdin.buffer, database, to)
        else:
            with Path(export).open("rb") as handle:
                done = replay_export(handle, database, to)
    except (ReplayRefused, OSError) as refused:
        typer.echo(f"not replayed: {refused}", err=True)
        raise typer.Exit(code=1) from None
    withheld = f" ({done.withheld} with withheld members, links checked)" if done.withheld else ""
    typer.echo(f"replayed {done.events} events{withheld} into {database} in "
               f"{time.perf_counter() - began:.1f} s; chain verified to position "
               f"{done.last_position}, hash {done.last_hash}")  # fmt: skip


def _replay_own_store(database: Path, to: int | None) -> Replayed:
    services = build_services(Settings())
    try:
        head = feed.head_position(services.engine)
        lines = feed.export(services.engine, feed.Selection(reach=("*",)), 0, min(to or head, head))
        return replay_export((line for chunk in lines for line in chunk.split(b"\n")), database, to)
    finally:
        services.close()


@app.command()
def stats(
    code: str = typer.Argument(..., help="A desa, kecamatan or kota code."),
    period: str = typer.Option(..., help="YYYY-MM, YYYY-Qn or YYYY."),
    known_at: str | None = typer.Option(None, "--known-at", help="RFC 3339 time or position."),
    database: Annotated[
        Path | None, typer.Option("--db", help="A replay file (default: the store).")
    ] = None,
) -> None:
    """Print an area's figures as ``GET /v1/areas/{code}/stats`` answers them (JSON)."""
    services = build_services(Settings()) if database is None else replay_services(database)
    operator = Principal(id="tumbuh-cli", role=Role.ADMIN, scopes=frozenset(SCOPES),
                         reach=Reach.of(["*"]), client=None, issuer="tumbuh-cli")  # fmt: skip
    try:
        answer = stats_answer(services, operator, code, period, known_at)
    except DomainError as refused:
        typer.echo(f"no figures: {refused.detail}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        services.close()
    typer.echo(answer.model_dump_json(indent=2))


def main() -> None:
    """Entry point of the ``tumbuh`` console script."""
    app(prog_name="tumbuh")


if __name__ == "__main__":
    main()
