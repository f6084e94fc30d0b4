"""The ``tumbuh`` command: serve, migrate, verify, rebuild, seed-demo, replay, stats and
the identity commands.

Each command imports what it needs when it runs: loading the application takes seconds,
and ``tumbuh --help`` or a mistyped option should answer at once (a test checks that
neither imports FastAPI, SQLAlchemy nor pydantic). Help is plain text: no Rich boxes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.demo import seed_demo
from api.cli.exchange import imports
from api.cli.identity import keys, principals
from api.cli.personal import erase

if TYPE_CHECKING:
    from api.audit.replay import Replayed

app = typer.Typer(
    help="Tumbuh: the stunting-reduction programme's system of record.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(principals, name="principals")
app.add_typer(keys, name="keys")
app.add_typer(imports, name="import")
app.add_typer(erase, name="erase")
PERIOD = re.compile(r"\d{4}(-\d{2}|-Q[1-4])?")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int | None = typer.Option(
        None, min=1, help="Worker processes (default: one per core on PostgreSQL, one on SQLite)."
    ),
) -> None:
    """Serve the HTTP API on the store TUMBUH_DATABASE_URL names."""
    import uvicorn

    from api.services import build_services, usable_cores
    from api.settings import Settings

    # Once, before any worker: the migrations, the projections' catch-up, the demo seed and
    # the keys, so that no two workers race to generate a key. Several workers on SQLite
    # would queue in its busy handler: one serves there unless told otherwise.
    services = build_services(Settings())
    try:
        services.start()
        services.auth.keys.refresh()
        sqlite = services.engine.dialect.name == "sqlite"
    finally:
        services.close()
    uvicorn.run(
        "api.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers or (1 if sqlite else usable_cores()),
        proxy_headers=True,
    )


@app.command()
def migrate() -> None:
    """Bring the database to the newest schema."""
    from api.services import build_services
    from api.settings import Settings
    from migrations import runner as migrations

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
    from api.services import build_services
    from api.settings import Settings

    services = build_services(Settings())
    try:
        verdict = services.store.verify(first, last, columns=not chain_only)
    finally:
        services.close()
    if verdict.ok:
        head = f"head {verdict.last_position} {verdict.last_hash}"
        typer.echo(f"ok: {verdict.checked} events verified, {head}")
        return
    typer.echo(
        f"BROKEN at position {verdict.first_bad_position}: {verdict.reason} "
        f"({verdict.checked} events verified before it)",
        err=True,
    )
    raise typer.Exit(code=1)


@app.command()
def rebuild(
    projection: Annotated[
        list[str] | None,
        typer.Option(
            "--projection", metavar="NAME", help="A projection to rebuild (repeat; default: all)."
        ),
    ] = None,
) -> None:
    """Clear and replay the projections from the log (appends wait meanwhile)."""
    import time

    from api.services import build_services
    from api.settings import Settings

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


app.command("seed-demo")(seed_demo)


@app.command()
def worker() -> None:
    """Deliver webhooks apart from "tumbuh serve" (set TUMBUH_WEBHOOK_WORKER=false there);
    stops on Ctrl-C or SIGTERM."""
    import signal
    import threading

    from api.exchange.webhooks import Deliverer
    from api.services import build_services
    from api.settings import Settings

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
    database: Annotated[
        Path, typer.Option("--db", metavar="FILE", help="The SQLite file to create.")
    ],
    to: int | None = typer.Option(None, "--to", min=1, help="Last position (default: all)."),
    export: str | None = typer.Option(
        None,
        "--export",
        metavar="FILE",
        help="NDJSON export to replay (- for stdin; default: this store).",
    ),
) -> None:
    """Replay the log into a new SQLite file, checking the chain, and rebuild the figures."""
    import sys
    import time

    from api.audit.replay import ReplayRefused
    from api.audit.replay import replay as replay_export

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
    typer.echo(
        f"replayed {done.events} events{withheld} into {database} in "
        f"{time.perf_counter() - began:.1f} s; chain verified to position "
        f"{done.last_position}, hash {done.last_hash}"
    )


def _replay_own_store(database: Path, to: int | None) -> Replayed:
    from api.audit.replay import replay as replay_export
    from api.services import build_services
    from api.settings import Settings
    from events import feed

    services = build_services(Settings())
    try:
        head = feed.head_position(services.engine)
        lines = feed.export(services.engine, feed.Selection(reach=("*",)), 0, min(to or head, head))
        return replay_export((line for chunk in lines for line in chunk.split(b"\n")), database, to)
    finally:
        services.close()


def _period(text: str) -> str:
    if not PERIOD.fullmatch(text):
        raise typer.BadParameter("give YYYY-MM, YYYY-Qn or YYYY, e.g. 2025-05")
    return text


@app.command()
def stats(
    code: str = typer.Argument(..., metavar="CODE", help="A desa, kecamatan or kota code."),
    period: str = typer.Option(..., callback=_period, help="YYYY-MM, YYYY-Qn or YYYY."),
    known_at: str | None = typer.Option(
        None, "--known-at", metavar="TIME", help="RFC 3339 time or log position."
    ),
    database: Annotated[
        Path | None,
        typer.Option("--db", metavar="FILE", help="A replay file (default: the store)."),
    ] = None,
) -> None:
    """Print an area's figures as GET /v1/areas/{code}/stats answers them (JSON)."""
    from api.areas.figures import stats_answer
    from api.audit.replay import replay_services
    from api.identity.access import Principal
    from api.services import build_services
    from api.settings import Settings
    from domain.access import SCOPES, Reach, Role
    from domain.fact import DomainError

    services = build_services(Settings()) if database is None else replay_services(database)
    operator = Principal(
        id="tumbuh-cli",
        role=Role.ADMIN,
        scopes=frozenset(SCOPES),
        reach=Reach.of(["*"]),
        client=None,
        issuer="tumbuh-cli",
    )
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
