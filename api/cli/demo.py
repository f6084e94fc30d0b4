"""``tumbuh seed-demo``: fill an empty store with the demo, showing how far it has come.

A seed takes a minute or two. Into a SQLite file that does not exist yet it writes
``<file>.seeding`` beside it and renames that into place only once complete, so an
interrupted seed (Ctrl-C, a closed terminal, a crash) never leaves a half-filled store: the
next run removes the leftover and starts again, saying so. A store that exists already is
seeded in place; if it holds nothing but an interrupted seed (no child yet, every event the
seed's own), a SQLite file is removed and seeded again, while a PostgreSQL database, whose
log is append-only, has to be dropped and created anew.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer

from api.demo.size import DEFAULT_CHILDREN, DEFAULT_MONTHS, DEFAULT_SEED

if TYPE_CHECKING:
    from typer._click._termui_impl import ProgressBar

    from api.demo.data import Prevalence, SeedResult
    from api.services import Services
    from api.settings import Settings

SEEDING_SUFFIX = ".seeding"
SIDE_FILES = ("", "-wal", "-shm", "-journal")  # SQLite's own files beside a database
INTERRUPTED = 130  # the exit status of a command ended by Ctrl-C
Shown = Callable[[int | None], str | None]


@dataclass(frozen=True)
class Plan:
    """What to seed."""

    children: int
    months: int
    seed: int


def seed_demo(
    children: int = typer.Option(DEFAULT_CHILDREN, min=1, help="Children to register."),
    months: int = typer.Option(DEFAULT_MONTHS, min=1, help="Months of posyandu data."),
    seed: int = typer.Option(DEFAULT_SEED, help="Seed of the random generator."),
) -> None:
    """Fill an empty store with demo Kota Banjar data: fictitious children, monthly posyandu."""
    from api.settings import Settings

    settings = Settings()
    plan = Plan(children, months, seed)
    target = sqlite_file(settings)
    if target is None:
        _seed_in_place(settings, plan)
        return
    leftover = seeding_file(target)
    if any(_side(leftover, s).exists() for s in SIDE_FILES):
        typer.echo(f"an earlier seed was interrupted: removing {leftover.name}, starting again")
        remove_database(leftover)
    if target.exists() and not _interrupted_file(settings, target):
        _seed_in_place(settings, plan)
        return
    _seed_beside(settings, target, plan)


def sqlite_file(settings: Settings) -> Path | None:
    """The SQLite file of the store, or None for PostgreSQL (or an in-memory SQLite)."""
    from sqlalchemy.engine import make_url

    database = make_url(settings.database_url).database
    if not settings.is_sqlite or not database or database == ":memory:":
        return None
    return Path(database)


def seeding_file(target: Path) -> Path:
    """Where a seed of ``target`` is written until it is complete."""
    return target.with_name(target.name + SEEDING_SUFFIX)


def remove_database(path: Path) -> None:
    """Remove a SQLite file with its journal files."""
    for suffix in SIDE_FILES:
        _side(path, suffix).unlink(missing_ok=True)


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _interrupted_file(settings: Settings, target: Path) -> bool:
    """Whether ``target`` holds an interrupted seed, then removed (saying so)."""
    from api.demo import data as demo_data
    from api.services import build_services
    from migrations import runner as migrations

    services = build_services(settings)
    try:
        if settings.migrate_at_start:  # an empty file, or one an older version seeded
            migrations.upgrade(services.engine)
        current = migrations.at_head(services.engine)
        left = demo_data.interrupted_seed(services) if current else None
    finally:
        services.close()
    if left is None:
        return False
    typer.echo(
        f"{target.name} holds an interrupted seed ({left} events, no child yet): "
        "removing it, starting again"
    )
    remove_database(target)
    return True


def _seed_beside(settings: Settings, target: Path, plan: Plan) -> None:
    """Seed a new file beside ``target`` and rename it into place once complete."""
    from api.services import build_services

    partial = seeding_file(target)
    beside = settings.model_copy(
        update={"database_url": f"sqlite:///{partial}", "key_dir": settings.key_directory()}
    )
    typer.echo(f"seeding the demo into {partial.name}; it becomes {target.name} once complete")
    try:
        services = build_services(beside)
        try:
            told = _seed(services, plan)
        finally:
            services.close()
    except KeyboardInterrupt:
        remove_database(partial)
        typer.echo("interrupted: nothing was kept; run it again to start over", err=True)
        raise typer.Exit(code=INTERRUPTED) from None
    os.replace(partial, target)
    for suffix in SIDE_FILES[1:]:  # closed cleanly, SQLite has folded its journal in
        with suppress(FileNotFoundError):
            _side(partial, suffix).replace(_side(target, suffix))
    _report(told)


def _seed_in_place(settings: Settings, plan: Plan) -> None:
    from api.demo import data as demo_data
    from api.services import build_services

    services = build_services(settings)
    try:
        left = demo_data.interrupted_seed(services)
        if left is not None:
            typer.echo(
                f"not seeded: the store holds an interrupted seed ({left} events, no child "
                "yet); its log is append-only: drop and create the database, then seed again",
                err=True,
            )
            raise typer.Exit(code=1)
        told = _seed(services, plan)
    except KeyboardInterrupt:
        again = (
            "the next run removes the partial demo and starts again"
            if settings.is_sqlite
            else "drop and create the database before seeding again (its log is append-only)"
        )
        typer.echo(f"interrupted: {again}", err=True)
        raise typer.Exit(code=INTERRUPTED) from None
    finally:
        services.close()
    _report(told)


def _seed(services: Services, plan: Plan) -> list[str]:
    """Migrate if configured, then seed; what to tell (nothing if it was seeded already)."""
    from api.demo import data as demo_data
    from migrations import runner as migrations

    if services.settings.migrate_at_start:
        migrations.upgrade(services.engine)
    if not migrations.at_head(services.engine):
        typer.echo("the database is not at the newest migration: run `tumbuh migrate`", err=True)
        raise typer.Exit(code=1)
    services.projections.catch_up(services.store)
    bars = Bars()
    try:
        result = demo_data.seed(
            services, children=plan.children, months=plan.months, seed=plan.seed, progress=bars
        )
    except demo_data.AlreadySeeded as seeded:
        typer.echo(f"already seeded: the store holds {seeded.children} children; nothing written")
        return []
    except demo_data.StoreNotEmpty as refused:
        typer.echo(f"not seeded: {refused}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        bars.close()
    return _told(result, demo_data.prevalence(services, result.last_month))


def _told(result: SeedResult, figures: list[Prevalence]) -> list[str]:
    shown = ", ".join(f"{p.area} {p.percent:.1f} % ({p.stunted}/{p.counted})" for p in figures)
    return [
        f"seeded {result.children} children, {result.events} events in "
        f"{result.seconds:.1f} s ({result.first_month:%Y-%m} to {result.last_month:%Y-%m}), "
        f"with {result.meetings} meetings and {result.resolutions} resolutions",
        f"stunted among children measured in {result.last_month:%Y-%m}: {shown}",
    ]


def _report(lines: list[str]) -> None:
    for line in lines:
        typer.echo(line)


class Bars:
    """The seed's progress as two bars on standard error: the months written, then the
    events the projections' rebuild has read; each with counts and the time left."""

    def __init__(self, file: TextIO | None = None) -> None:
        self.file = file or typer.get_text_stream("stderr")
        self.bar: ProgressBar[int] | None = None
        self.label = ""
        self.events = 0

    def month_written(self, written: int, months: int, events: int) -> None:
        """A month more is in the log."""
        self.events = events
        self._advance("1/3 writing the months", months, written, self._events_so_far)

    def rebuilding(self, replayed: int, events: int) -> None:
        """The rebuild read up to ``replayed`` events."""
        self._advance("2/3 building the figures", events, replayed, lambda _: "events")

    def reporting(self) -> None:
        """The last step, a few seconds."""
        self.close()
        typer.echo("3/3 adding the camats' rakor reports", file=self.file)

    def close(self) -> None:
        """End the bar being drawn."""
        if self.bar is not None:
            self.bar.render_finish()
            self.bar = None

    def _events_so_far(self, _: int | None) -> str:
        return f"{self.events:,} events"

    def _advance(self, label: str, length: int, done: int, show: Shown) -> None:
        if self.bar is None or self.label != label:
            self.close()
            self.label = label
            self.bar = typer.progressbar(
                length=length,
                label=label,
                show_pos=True,
                item_show_func=show,
                file=self.file,
            )
            self.bar.render_progress()
        self.bar.current_item = done
        self.bar.update(done - self.bar.pos)
