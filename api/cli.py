"""The ``tumbuh`` command: serve, migrate, verify (and more as features land)."""

from __future__ import annotations

import time
from typing import Annotated

import typer
import uvicorn

from api import demo_data
from api.cli_identity import keys, principals
from api.services import build_services
from api.settings import Settings
from events import migrate as migrations

app = typer.Typer(help="Tumbuh: the stunting-reduction programme's system of record.",
                  no_args_is_help=True)  # fmt: skip
app.add_typer(principals, name="principals")
app.add_typer(keys, name="keys")


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
        f"{result.seconds:.1f} s ({result.first_month:%Y-%m} to {result.last_month:%Y-%m})"
    )
    shown = ", ".join(f"{p.area} {p.percent:.1f} % ({p.stunted}/{p.counted})" for p in figures)
    typer.echo(f"stunted among children measured in {result.last_month:%Y-%m}: {shown}")


def main() -> None:
    """Entry point of the ``tumbuh`` console script."""
    app(prog_name="tumbuh")


if __name__ == "__main__":
    main()
