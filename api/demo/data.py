"""Demo data for Kota Banjar (``tumbuh seed-demo``): areas, fictitious children, 24 months.

Every fact comes from the deciders and is written with ``SqlEventStore.append_streams`` (hash
chain, sealed personal fields); the projections are rebuilt from the log at the end. The
store gets a simulated clock, so each event's ``recorded_at`` is when a kader would have
entered it: the events are written in that order, month by month, and only into an empty
log. Deterministic: the same seed and the same ``today`` give the same facts. See
docs/demo.md. The children are drawn in ``children.py``, the areas' events queued in
``areas.py``, the meetings and sponsors in ``meetings.py`` and ``sponsors.py``; ``writer.py``
writes them all in recording order, and Kota Banjar's tables are in ``kota_banjar.json``.
"""

from __future__ import annotations

import gc
import logging
import random
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import NamedTuple, Protocol

import orjson
from sqlalchemy import func, select

from api.demo.areas import schedule_areas
from api.demo.children import Children
from api.demo.kota import AREAS, KECAMATAN, KOTA
from api.demo.meetings import MeetingYear, Place, add_reports
from api.demo.size import DEFAULT_CHILDREN, DEFAULT_MONTHS, DEFAULT_SEED
from api.demo.sponsors import Kid, SponsorHalfYear
from api.demo.writer import SEED_META, SimulatedClock, Writer, add_months, at
from api.meetings.figures import WIB
from api.services import Services
from events.projections.children import children as proj_children
from events.projections.children import measurements as proj_measurements
from events.store import SqlEventStore

__all__ = [
    "AREAS",
    "WIB",
    "AlreadySeeded",
    "Prevalence",
    "SeedProgress",
    "SeedResult",
    "StoreNotEmpty",
    "interrupted_seed",
    "prevalence",
    "seed",
]

log = logging.getLogger("tumbuh")


class AlreadySeeded(Exception):
    """The store holds children already; seeding again would mix two demos."""

    def __init__(self, children: int) -> None:
        super().__init__(f"the store holds {children} children")
        self.children = children


class StoreNotEmpty(Exception):
    """The log holds events recorded after the demo's first simulated instant."""


class SeedProgress(Protocol):
    """Told how far the seed has come (``tumbuh seed-demo`` draws progress bars)."""

    def month_written(self, written: int, months: int, events: int) -> None:
        """``written`` of the window's ``months`` are in the log, ``events`` in all."""

    def rebuilding(self, replayed: int, events: int) -> None:
        """The projections' rebuild has read ``replayed`` of the log's ``events``."""

    def reporting(self) -> None:
        """The camats' rakor reports are being added (a few seconds)."""


class _Silent:
    def month_written(self, written: int, months: int, events: int) -> None:
        pass

    def rebuilding(self, replayed: int, events: int) -> None:
        pass

    def reporting(self) -> None:
        pass


@dataclass(frozen=True)
class SeedResult:
    """What a seed wrote and how long it took."""

    children: int
    events: int
    seconds: float
    first_month: date
    last_month: date
    late: int
    corrections: int
    voids: int
    moves: int
    exits: int
    meetings: int = 0
    resolutions: int = 0
    rebuild_seconds: float = 0.0  # the rebuild of every projection once the history is written


def seed(
    services: Services,
    *,
    children: int = DEFAULT_CHILDREN,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    inline: bool = False,
    reports: bool = True,
    progress: SeedProgress | None = None,
) -> SeedResult:
    """Write the demo into an empty store: the ``months`` before ``today``'s month (WIB).

    The projections are rebuilt once at the end, stream by stream, which leaves the rows the
    inline updates would have left (the runner's contract) in a fraction of the time;
    ``inline`` applies them in every append instead, as the API does. Without ``reports``
    the camats' rakor reports are left out: each computes its kecamatan's figures as known
    at a past day, which takes most of the seed's time at millions of events. ``progress``
    is told how far it has come.
    """
    began = time.perf_counter()
    today = today or datetime.now(UTC).astimezone(WIB).date()
    with services.engine.connect() as conn:
        registered = conn.execute(select(func.count()).select_from(proj_children)).scalar_one()
    if registered:
        raise AlreadySeeded(registered)
    seeder = _Seeder(
        services, children=children, months=months, seed=seed, today=today, inline=inline
    )
    head = services.store.head()
    if head.recorded_at is not None and head.recorded_at > seeder.clock.now:
        raise StoreNotEmpty(
            f"the log holds {head.position} events recorded up to {head.recorded_at:%Y-%m-%d}, "
            f"after the demo's first simulated day {seeder.start}; seed an empty store"
        )
    seeder.progress = progress or _Silent()
    collecting = gc.isenabled()
    gc.disable()  # the seed keeps every child's state: cyclic GC passes would cost a third
    try:
        seeder.run()
        rebuilding = time.perf_counter()
        if not inline:
            total = seeder.writer.events
            services.projections.rebuild(
                services.store, progress=partial(seeder.progress.rebuilding, events=total)
            )
        rebuild_seconds = time.perf_counter() - rebuilding
        seeder.clock.now = seeder.end_at - timedelta(hours=1)  # still inside the window
        if reports:
            seeder.progress.reporting()
        written = _reports(services, seeder) if reports else 0
    finally:
        if collecting:
            gc.enable()
    return SeedResult(
        children=len(seeder.children.kids),
        events=seeder.writer.events + written,
        seconds=time.perf_counter() - began,
        meetings=seeder.year.meetings,
        resolutions=seeder.year.resolutions,
        first_month=seeder.start,
        last_month=seeder.months[-1],
        **asdict(seeder.children.counts),
        rebuild_seconds=rebuild_seconds,
    )


def interrupted_seed(services: Services) -> int | None:
    """The events an interrupted seed left, when the log holds nothing else and no child is
    in the projections yet (they are built at the seed's end); None otherwise."""
    head = services.store.head()
    if head.position == 0:
        return None
    with services.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(proj_children)).scalar_one():
            return None
    ends = [*services.store.read_all(limit=1), *services.store.read_all(head.position - 1, 1)]
    if all(e.meta.get("actor") == SEED_META["actor"] for e in ends):
        return head.position
    return None


def _reports(services: Services, seeder: _Seeder) -> int:
    """Append the camats' rakor reports at the seed's last hour, inline projections on."""
    reporting = SqlEventStore(
        services.engine,
        services.store.keyring,
        services.registry,
        clock=seeder.clock,
        inline=services.projections,
    )
    return add_reports(
        reporting,
        services,
        seeder.year,
        SEED_META,
        partial(seeder.writer.event_id, rng=seeder.meeting_ids),
    )


class Prevalence(NamedTuple):
    """Register prevalence of stunting in one month: measured children with a valid HAZ."""

    area: str
    stunted: int
    counted: int

    @property
    def percent(self) -> float:
        """Stunted per hundred counted (0 when nobody was counted)."""
        return 100.0 * self.stunted / self.counted if self.counted else 0.0


def prevalence(services: Services, month: date) -> list[Prevalence]:
    """Stunting in ``month`` per kecamatan and for the kota, from the projections."""
    first = month.replace(day=1)
    query = (
        select(proj_children.c.desa, proj_measurements.c.assessment)
        .join(proj_children, proj_children.c.child_id == proj_measurements.c.child_id)
        .where(
            proj_measurements.c.measured_on >= first,
            proj_measurements.c.measured_on < add_months(first, 1),
            proj_measurements.c.state != "voided",
        )
    )
    tally = {k.code: [0, 0] for k in KECAMATAN}
    with services.engine.connect() as conn:
        for desa, assessment in conn.execute(query):
            stunted = None if assessment is None else orjson.loads(assessment)["stunted"]
            if stunted is not None and desa[:8] in tally:
                tally[desa[:8]][0] += int(stunted)
                tally[desa[:8]][1] += 1
    rows = [Prevalence(k.name, *tally[k.code]) for k in KECAMATAN]
    return [*rows, Prevalence(KOTA, sum(r.stunted for r in rows), sum(r.counted for r in rows))]


class _Seeder:
    """Generates the demo month by month and writes it in simulated recording order."""

    def __init__(
        self,
        services: Services,
        *,
        children: int,
        months: int,
        seed: int,
        today: date,
        inline: bool,
    ) -> None:
        if children < 1 or months < 1:
            raise ValueError("seed at least one child over at least one month")
        self.rng = random.Random(seed)  # noqa: S311 - demo data, reproducible by design
        current = today.replace(day=1)
        self.months = [add_months(current, -k) for k in range(months, 0, -1)]
        self.start, self.end_at = self.months[0], at(current, 0)
        self.clock = SimulatedClock(at(self.start, 8))
        self.writer = Writer(services, self.clock, inline=inline)
        self.progress: SeedProgress = _Silent()
        self.children = Children(
            self.writer, self.rng, count=children, months=self.months, end_at=self.end_at
        )
        self.meeting_ids = random.Random(seed + 1)  # noqa: S311 - the children's draws stay
        push = partial(self.writer.push, rng=self.meeting_ids)
        self.year = MeetingYear(
            kota=Place(AREAS[0].code[:5], KOTA),
            kecamatan=[Place(k.code, k.name) for k in KECAMATAN],
            desa=[Place(a.code, a.name, a.kecamatan.code) for a in AREAS],
            months=self.months,
            seed=seed,
            push=push,
        )
        self.sponsors = SponsorHalfYear(
            kota=AREAS[0].code[:5],
            kids=[
                Kid(
                    k.stream.stream_id.removeprefix("child-"),
                    AREAS[k.desa].code,
                    k.haz_level,
                    k.registered_on,
                    k.birth,
                    k.exit[0] if k.exit else (k.move[0] if k.move else None),
                )
                for k in self.children.kids
            ],
            months=self.months,
            end=self.end_at.date(),
            seed=seed,
            push=push,
        )

    def run(self) -> None:
        """Generate each month, then write everything recorded before the next one."""
        self.progress.month_written(0, len(self.months), 0)
        schedule_areas(self.writer, self.rng, kids=self.children.kids, months=self.months)
        self.year.schedule()
        self.sponsors.schedule()
        self.children.open()
        for done, first in enumerate(self.months, start=1):
            self.children.month(first)
            self._flush(min(at(add_months(first, 1), 0), self.end_at))
            if done == len(self.months):
                self._flush(self.end_at)
            log.info("seed-demo: %s written, %d events so far", first, self.writer.events)
            self.progress.month_written(done, len(self.months), self.writer.events)

    def _flush(self, until: datetime) -> None:
        """Write what is queued before ``until``: a step of the seed an interruption may cut."""
        self.writer.flush(until)
