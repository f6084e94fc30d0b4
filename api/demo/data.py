"""Demo data for Kota Banjar (``tumbuh seed-demo``): areas, fictitious children, 24 months.

Every fact comes from the deciders and is written with ``SqlEventStore.append_streams`` (hash
chain, sealed personal fields); the projections are rebuilt from the log at the end. The
store gets a simulated clock, so each event's ``recorded_at`` is when a kader would have
entered it: the events are written in that order, month by month, and only into an empty
log. Deterministic: the same seed and the same ``today`` give the same facts. See
docs/demo.md.
"""

from __future__ import annotations

import gc
import heapq
import logging
import math
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache, partial
from statistics import NormalDist
from typing import Any, Final, NamedTuple, Protocol

import orjson
from sqlalchemy import func, select

from api.demo.meetings import DeciderStream, MeetingYear, Place, add_reports
from api.demo.size import DEFAULT_CHILDREN, DEFAULT_MONTHS, DEFAULT_SEED
from api.demo.sponsors import Kid, SponsorHalfYear
from api.services import Services
from domain.area import commands as ac
from domain.area.decider import AreaDecider, AreaState
from domain.area.decider import stream_id as area_stream
from domain.area.events import KampungKbCategory
from domain.child import commands as cc
from domain.child.decider import ChildDecider, ChildState
from domain.child.decider import stream_id as child_stream
from domain.child.events import ChildPersonal, ExitReason, Measurement
from domain.fact import Command, Fact
from domain.growth import Indicator, Position, Sex, assess
from domain.growth.lms import value_at
from domain.growth.rules import DAYS_PER_MONTH, HEIGHT_FROM_DAY
from domain.growth.tables import LmsTable, table
from events.envelope import NO_STREAM, JsonObject, StreamAppend
from events.projections.children import children as proj_children
from events.projections.children import measurements as proj_measurements
from events.store import SqlEventStore

log = logging.getLogger("tumbuh")

CHUNKS: Final = (200, 150, 100, 75, 50, 40, 30, 25, 20, 15, 10, 8, 6, 5, 4, 3, 2, 1)
"""Streams per append: a few sizes only, since the store compiles one head query per size."""
WIB: Final = timezone(timedelta(hours=7), "WIB")
KOTA: Final = "Kota Banjar"
ENTRY_HOUR: Final = 16
"""Everything of a day is entered at 16:00 WIB, after the posyandu: one instant per day."""
REFERENCE_REGISTER: Final = 12_000
"""The register size the reported e-PPGBM counts below are "out of" (docs/demo.md)."""


class Kecamatan(NamedTuple):
    """A kecamatan of Kota Banjar: its share of the demo's children and its reported count."""

    code: str
    name: str
    child_share: float  # a demo assumption, not a published figure
    stunted_reported: int  # e-PPGBM Jan-Jul 2024 (docs/demo.md, "Sources")

    @property
    def target_prevalence(self) -> float:
        """The register prevalence the demo aims at: reported count over its share of 12k."""
        return self.stunted_reported / (self.child_share * REFERENCE_REGISTER)


KECAMATAN: Final = (
    Kecamatan("32.79.01", "Banjar", 0.29, 174),
    Kecamatan("32.79.02", "Pataruman", 0.31, 267),
    Kecamatan("32.79.03", "Purwaharja", 0.13, 65),
    Kecamatan("32.79.04", "Langensari", 0.27, 233),
)
_DESA_NAMES: Final = {  # Kemendagri codes; 1xxx kelurahan, 2xxx desa
    "32.79.01": (
        "1001 Banjar",
        "1002 Mekarsari",
        "1006 Situbatu",
        "2003 Balokang",
        "2004 Cibeureum",
        "2005 Neglasari",
        "2007 Jajawar",
    ),
    "32.79.02": (
        "1001 Hegarsari",
        "1002 Pataruman",
        "2003 Mulyasari",
        "2004 Batulawang",
        "2005 Karyamukti",
        "2006 Binangun",
        "2007 Sukamukti",
        "2008 Sinartanjung",
    ),
    "32.79.03": ("1001 Purwaharja", "1004 Karangpanimbal", "2002 Raharja", "2003 Mekarharja"),
    "32.79.04": (
        "1004 Muktisari",
        "1005 Bojongkantong",
        "2001 Langensari",
        "2002 Rejasari",
        "2003 Waringinsari",
        "2006 Kujangsari",
    ),
}


class DemoArea(NamedTuple):
    """A desa/kelurahan of Kota Banjar with its real Kemendagri code and name."""

    code: str
    name: str
    kecamatan: Kecamatan


AREAS: Final = tuple(
    DemoArea(f"{k.code}.{entry[:4]}", entry[5:], k)
    for k in KECAMATAN
    for entry in _DESA_NAMES[k.code]
)

# The growth model, in z-score units: a persistent level per child, an AR(1) drift from
# month to month (children become stunted and recover), and the kader's measuring error.
LEVEL_SD: Final = 0.85
DRIFT_KEEP: Final = 0.8
DRIFT_STEP_SD: Final = 0.22
MEASURING_SD: Final = 0.12
TOTAL_SD: Final = math.sqrt(LEVEL_SD**2 + DRIFT_STEP_SD**2 / (1 - DRIFT_KEEP**2) + MEASURING_SD**2)
WHZ_MEAN: Final = -0.15
# Shares of the rarer happenings.
LATE_SHARE: Final = 0.06  # entered 1-6 weeks after the posyandu day
TYPO_SHARE: Final = 0.003  # a slipped decimal or digit: the growth rules flag it
TYPO_FIXED_SHARE: Final = 0.7  # of the typos, corrected later
MISREAD_SHARE: Final = 0.008  # a wrong reading, corrected later with a reason
DUPLICATE_SHARE: Final = 0.003  # entered twice; the second is voided
MOVE_SHARE: Final = 0.006
MOVED_OUT_SHARE: Final = 0.004
DIED_SHARE: Final = 0.001
SEED_META: Final[JsonObject] = {"actor": "seed-demo", "role": "operator", "client": "tumbuh-cli"}


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


class SimulatedClock:
    """The store's clock during the seed: the simulated time of the batch being written."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class _Stream:
    """A stream being written: its id, type and version, kept in memory."""

    def __init__(self, stream_id: str, stream_type: str) -> None:
        self.stream_id, self.stream_type, self.version = stream_id, stream_type, 0


class _ChildStream(_Stream):
    decider: Final = ChildDecider()

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id, self.decider.stream_type)
        self.state: ChildState = self.decider.initial_state()

    def decide(self, command: cc.ChildCommand) -> Sequence[Fact]:
        facts = self.decider.decide(command, self.state)
        for fact in facts:
            self.state = self.decider.evolve(self.state, fact)
        return facts


class _AreaStream(_Stream):
    decider: Final = AreaDecider()

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id, self.decider.stream_type)
        self.state: AreaState = self.decider.initial_state()

    def decide(self, command: ac.AreaCommand) -> Sequence[Fact]:
        facts = self.decider.decide(command, self.state)
        for fact in facts:
            self.state = self.decider.evolve(self.state, fact)
        return facts


class _Intent(NamedTuple):
    """A command to decide and write at the simulated instant ``at``."""

    at: datetime
    seq: int
    stream: _Stream | DeciderStream[Any]
    decide: Callable[[], Sequence[Fact]]
    event_id: str


@dataclass
class _Child:
    """A fictitious child: who, where, and the hidden state of the growth model."""

    number: int
    stream: _ChildStream
    sex: Sex
    birth: date
    desa: int
    posyandu: int
    haz_level: float
    whz_level: float
    attendance: float
    registered_on: date
    haz_drift: float = 0.0
    whz_drift: float = 0.0
    move: tuple[date, int, int] | None = None  # on, to desa, to posyandu
    exit: tuple[date, ExitReason] | None = None


class _Quota:
    """Picks a share of the cases evenly (systematic sampling from a random start).

    Small demos still get their late entries, corrections and voids, and large ones get
    the share exactly rather than a random number near it.
    """

    def __init__(self, share: float, rng: random.Random) -> None:
        self.share, self.level = share, rng.random()

    def due(self) -> bool:
        """Whether this case is one of the share."""
        self.level += self.share
        if self.level < 1.0:
            return False
        self.level -= 1.0
        return True


class _Quotas:
    def __init__(self, rng: random.Random) -> None:
        self.late = _Quota(LATE_SHARE, rng)
        self.typo = _Quota(TYPO_SHARE, rng)
        self.misread = _Quota(MISREAD_SHARE, rng)
        self.duplicate = _Quota(DUPLICATE_SHARE, rng)
        self.move = _Quota(MOVE_SHARE, rng)
        self.moved_out = _Quota(MOVED_OUT_SHARE, rng)
        self.died = _Quota(DIED_SHARE, rng)


@dataclass
class _Counts:
    events: int = 0
    late: int = 0
    corrections: int = 0
    voids: int = 0
    moves: int = 0
    exits: int = 0


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
            total = seeder.counts.events
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
    counts = seeder.counts
    return SeedResult(
        children=len(seeder.kids),
        events=counts.events + written,
        seconds=time.perf_counter() - began,
        meetings=seeder.year.meetings,
        resolutions=seeder.year.resolutions,
        first_month=seeder.start,
        last_month=seeder.months[-1],
        late=counts.late,
        corrections=counts.corrections,
        voids=counts.voids,
        moves=counts.moves,
        exits=counts.exits,
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
        partial(seeder.event_id, rng=seeder.meeting_ids),
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
            proj_measurements.c.measured_on < _add_months(first, 1),
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


def _add_months(first: date, count: int) -> date:
    index = first.year * 12 + first.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@cache
def _at(day: date, hour: int) -> datetime:
    """``hour`` o'clock WIB on ``day``: when a kader or operator would enter something."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=WIB)


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
        self.months = [_add_months(current, -k) for k in range(months, 0, -1)]
        self.start, self.end_at = self.months[0], _at(current, 0)
        self.clock = SimulatedClock(_at(self.start, 8))
        self.registry = services.registry
        self.store = SqlEventStore(
            services.engine,
            services.store.keyring,
            services.registry,
            clock=self.clock,
            inline=services.projections if inline else None,
        )
        self.heap: list[_Intent] = []
        self.progress: SeedProgress = _Silent()
        self.seq = 0
        self.counts = _Counts()
        self.quota = _Quotas(self.rng)
        self.tables = {sex: {i: table(i, sex) for i in Indicator} for sex in Sex}
        self.areas = [_AreaStream(area_stream(a.code)) for a in AREAS]
        self.kids = self._population(children)
        self.meeting_ids = random.Random(seed + 1)  # noqa: S311 - the children's draws stay
        self.year = MeetingYear(
            kota=Place(AREAS[0].code[:5], KOTA),
            kecamatan=[Place(k.code, k.name) for k in KECAMATAN],
            desa=[Place(a.code, a.name, a.kecamatan.code) for a in AREAS],
            months=self.months,
            seed=seed,
            push=self._push_decided,
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
                for k in self.kids
            ],
            months=self.months,
            end=self.end_at.date(),
            seed=seed,
            push=self._push_decided,
        )

    # -- the population ------------------------------------------------------------

    def _population(self, count: int) -> list[_Child]:
        rng = self.rng
        weights = [
            a.kecamatan.child_share * (1.3 if a.code[-4] == "1" else 1.0) * rng.uniform(0.7, 1.3)
            for a in AREAS
        ]
        for k in KECAMATAN:  # each kecamatan keeps exactly its share
            mine = [i for i, a in enumerate(AREAS) if a.kecamatan is k]
            total = sum(weights[i] for i in mine)
            for i in mine:
                weights[i] *= k.child_share / total
        homes = rng.choices(range(len(AREAS)), weights=weights, k=count)
        self.sessions = [
            [rng.randint(3, 24) for _ in range(max(1, round(homes.count(d) / 85)))]
            for d in range(len(AREAS))
        ]
        first_birth = _add_months(self.start, -60) + timedelta(days=5)
        span = (self.months[-1] - first_birth).days
        kids = [
            self._child(n + 1, d, first_birth + timedelta(days=rng.randrange(span)))
            for n, d in enumerate(homes)
        ]
        for kid in kids:
            self._plan_moves(kid)
        return kids

    def _child(self, number: int, desa: int, birth: date) -> _Child:
        rng = self.rng
        mean = -2.0 - TOTAL_SD * NormalDist().inv_cdf(AREAS[desa].kecamatan.target_prevalence)
        posyandu = rng.randrange(len(self.sessions[desa]))
        child_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        kid = _Child(
            number=number,
            stream=_ChildStream(child_stream(child_id)),
            sex=Sex.MALE if rng.random() < 0.51 else Sex.FEMALE,
            birth=birth,
            desa=desa,
            posyandu=posyandu,
            haz_level=rng.gauss(mean, LEVEL_SD),
            whz_level=rng.gauss(WHZ_MEAN, LEVEL_SD),
            attendance=rng.betavariate(8, 2),
            registered_on=self.start,
        )
        stationary = DRIFT_STEP_SD / math.sqrt(1 - DRIFT_KEEP**2)
        kid.haz_drift, kid.whz_drift = rng.gauss(0, stationary), rng.gauss(0, stationary)
        if birth >= self.start:  # born in the window: registered at the first posyandu after
            month = birth.replace(day=1)
            day = self.sessions[desa][posyandu]
            if birth.day >= day:
                month = _add_months(month, 1)
            kid.registered_on = month.replace(day=day)
        return kid

    def _plan_moves(self, kid: _Child) -> None:
        rng = self.rng
        first = kid.registered_on + timedelta(days=20)
        last = min(kid.birth + timedelta(days=1826), self.end_at.date()) - timedelta(days=2)
        if last <= first:
            return
        on = first + timedelta(days=rng.randrange((last - first).days))
        if self.quota.move.due():
            to = rng.choice([d for d in range(len(AREAS)) if d != kid.desa])
            kid.move = (on, to, rng.randrange(len(self.sessions[to])))
        elif self.quota.moved_out.due():
            kid.exit = (on, ExitReason.MOVED_OUT)
        elif self.quota.died.due():
            kid.exit = (on, ExitReason.DIED)

    # -- the simulation --------------------------------------------------------------

    def run(self) -> None:
        """Generate each month, then write everything recorded before the next one."""
        self.progress.month_written(0, len(self.months), 0)
        self._areas()
        self.year.schedule()
        self.sponsors.schedule()
        opened = _at(self.start, 9)
        for kid in self.kids:
            if kid.registered_on == self.start:  # balita already there: the initial import
                self._register(kid, opened)
        for done, first in enumerate(self.months, start=1):
            following = _add_months(first, 1)
            for kid in self.kids:
                self._month(kid, first, following)
            self._flush(min(_at(following, 0), self.end_at))
            if done == len(self.months):
                self._flush(self.end_at)
            log.info("seed-demo: %s written, %d events so far", first, self.counts.events)
            self.progress.month_written(done, len(self.months), self.counts.events)

    def _month(self, kid: _Child, first: date, following: date) -> None:
        if kid.registered_on >= following or (kid.exit and kid.exit[0] < first):
            return
        if (first - kid.birth).days >= 1827:  # 60 months and more: no longer a balita
            return
        rng = self.rng
        kid.haz_drift = DRIFT_KEEP * kid.haz_drift + rng.gauss(0, DRIFT_STEP_SD)
        kid.whz_drift = DRIFT_KEEP * kid.whz_drift + rng.gauss(0, DRIFT_STEP_SD)
        session = first.replace(day=self.sessions[kid.desa][kid.posyandu])
        newborn = kid.registered_on == session
        if newborn:  # before a move of the same month: registered where the child was born
            self._register(kid, _at(session, ENTRY_HOUR))
        if kid.move and first <= kid.move[0] < following:
            on, kid.desa, kid.posyandu = kid.move
            self._push(
                _at(on, ENTRY_HOUR),
                kid.stream,
                cc.MoveChild(today=on, to_desa=AREAS[kid.desa].code, moved_on=on),
            )
            self.counts.moves += 1
            if session >= on:
                session = first.replace(day=self.sessions[kid.desa][kid.posyandu])
                if session <= on:
                    return
        if kid.exit and first <= kid.exit[0] < following:
            on, reason = kid.exit
            self._push(
                _at(on, ENTRY_HOUR), kid.stream, cc.ExitChild(today=on, reason=reason, exited_on=on)
            )
            self.counts.exits += 1
            if session >= on:
                return
        if session < kid.registered_on or (session - kid.birth).days / DAYS_PER_MONTH >= 60:
            return
        if rng.random() < (0.9 if newborn else kid.attendance):
            self._measure(kid, session)

    def _register(self, kid: _Child, at: datetime) -> None:
        label = f"{kid.number:05d}"
        personal = ChildPersonal(
            name=f"Demo Anak {label}",
            mother_name=f"Demo Ibu {label}",
            address=f"Alamat Demo {label}",
        )
        area = AREAS[kid.desa]
        command = cc.RegisterChild(
            today=at.date(),
            sex=kid.sex,
            birth_date=kid.birth,
            desa=area.code,
            posyandu=f"Demo {area.name} {kid.posyandu + 1}",
            personal=personal,
        )
        self._push(at, kid.stream, command)

    def _measure(self, kid: _Child, day: date) -> None:
        rng = self.rng
        age = (day - kid.birth).days
        haz = kid.haz_level + kid.haz_drift + rng.gauss(0, MEASURING_SD)
        whz = kid.whz_level + kid.whz_drift + rng.gauss(0, MEASURING_SD)
        true = self._values(kid.sex, day, age, haz, whz)
        entered, reason = true, None
        if self.quota.typo.due():
            entered = self._typo(kid.sex, age, true)
            if rng.random() < TYPO_FIXED_SHARE:
                reason = "salah ketik saat entri; dikoreksi dari buku register posyandu"
        elif self.quota.misread.due():
            entered, reason = self._misread(true)
        at = _at(day, ENTRY_HOUR)
        if self.quota.late.due():
            late = _at(day + timedelta(days=rng.randint(7, 42)), ENTRY_HOUR)
            if late < self.end_at:
                at = late
                self.counts.late += 1
        measurement_id = self._push(at, kid.stream, partial(_record, entered, at.date()))
        follow_up = _at(at.date() + timedelta(days=rng.randint(2, 21)), ENTRY_HOUR)
        if follow_up >= self.end_at:
            return
        if reason is not None:
            self._push(
                follow_up,
                kid.stream,
                cc.CorrectMeasurement(
                    today=follow_up.date(),
                    measurement_id=measurement_id,
                    measurement=true,
                    reason=reason,
                ),
            )
            self.counts.corrections += 1
        elif self.quota.duplicate.due():
            duplicate = self._push(at, kid.stream, partial(_record, entered, at.date()))
            self._push(
                follow_up,
                kid.stream,
                cc.VoidMeasurement(
                    today=follow_up.date(),
                    measurement_id=duplicate,
                    reason="entri ganda: pengukuran yang sama tercatat dua kali",
                ),
            )
            self.counts.voids += 1

    def _values(self, sex: Sex, day: date, age: int, haz: float, whz: float) -> Measurement:
        """Length/height and weight at these z-scores, rounded as a kader writes them."""
        tables = self.tables[sex]
        lhfa = tables[Indicator.LHFA]
        length = value_at(haz, *lhfa.rows[age - lhfa.first_day])
        lying = age < HEIGHT_FROM_DAY
        by_length = tables[Indicator.WFL if lying else Indicator.WFH]
        row = round((length - by_length.start) * by_length.steps_per_unit)
        source: LmsTable = by_length
        if not 0 <= row < len(by_length.rows):
            source, row = tables[Indicator.WFA], age - tables[Indicator.WFA].first_day
        weight = value_at(whz, *source.rows[row])
        return Measurement(
            measured_on=day,
            weight_kg=round(weight, 1),
            length_cm=round(length, 1),
            position=Position.LYING if lying else Position.STANDING,
            measured_by="kader",
        )

    def _typo(self, sex: Sex, age: int, true: Measurement) -> Measurement:
        """A slipped decimal point or tens digit that the WHO flags catch."""
        weight, length = true.weight_kg or 1.0, true.length_cm or 50.0
        slips = [
            {"weight_kg": max(round(weight / 10, 1), 0.1)},
            {"length_cm": length - 30 if length >= 75 else length + 30},
        ]
        self.rng.shuffle(slips)
        for slip in slips:
            typo = true.model_copy(update=slip)
            scored = assess(
                sex=sex,
                age_days=age,
                weight_kg=typo.weight_kg,
                length_cm=typo.length_cm,
                position=typo.position,
            )
            if scored.flags:
                return typo
        return true.model_copy(update={"weight_kg": max(round(weight / 10, 1), 0.1)})

    def _misread(self, true: Measurement) -> tuple[Measurement, str]:
        """A wrong reading, corrected later with the kader's reason."""
        off = self.rng.choice((-1, 1)) * self.rng.randint(3, 8) / 10
        if self.rng.random() < 0.5 and (true.weight_kg or 0) > 2:
            wrong = {"weight_kg": round((true.weight_kg or 0) + off, 1)}
            return true.model_copy(update=wrong), "timbangan belum dinolkan; ditimbang ulang"
        wrong = {"length_cm": round((true.length_cm or 50) + 3 * off, 1)}
        return true.model_copy(update=wrong), "panjang badan salah baca; diukur ulang"

    def _areas(self) -> None:
        at, rng = _at(self.start, 8), self.rng
        for area, stream in zip(AREAS, self.areas, strict=True):
            self._push(
                at,
                stream,
                ac.RegisterArea(
                    at=at, code=area.code, name=area.name, kecamatan=area.kecamatan.name, kota=KOTA
                ),
            )
        designated = rng.sample(self.areas, 6)
        categories = list(KampungKbCategory)
        for n, stream in enumerate(designated):
            since = self.start - timedelta(days=rng.randint(200, 1500))
            self._push(
                at,
                stream,
                ac.DesignateKampungKb(at=at, category=categories[n % 3], designated_on=since),
            )
        later = _at(self.months[len(self.months) // 2] + timedelta(days=13), ENTRY_HOUR)
        for n, stream in enumerate(designated[:2]):
            if later > at:
                self._push(
                    later,
                    stream,
                    ac.DesignateKampungKb(
                        at=later, category=categories[n % 3 + 1], designated_on=later.date()
                    ),
                )
        for year in range(self.start.year, self.months[-1].year + 1):
            when = max(at, _at(date(year, 1, 6), 9))
            for d, stream in enumerate(self.areas):
                balita, baduta = self._sasaran(d, year)
                self._push(
                    when, stream, ac.SetSasaran(at=when, year=year, balita=balita, baduta=baduta)
                )

    def _sasaran(self, desa: int, year: int) -> tuple[int, int]:
        """The year's targets: the desa's balita and baduta at mid-year, plus 5 % unreached."""
        mid = min(date(year, 7, 1), self.months[-1])
        ages = [(mid - k.birth).days for k in self.kids if k.desa == desa and k.birth <= mid]
        balita = sum(1 for a in ages if a / DAYS_PER_MONTH < 60)
        baduta = sum(1 for a in ages if a / DAYS_PER_MONTH < 24)
        return math.ceil(balita * 1.05), math.ceil(baduta * 1.05)

    # -- writing -----------------------------------------------------------------------

    def _push(
        self,
        at: datetime,
        stream: _Stream,
        command: ac.AreaCommand | cc.ChildCommand | Callable[[str], cc.ChildCommand],
    ) -> str:
        """Queue ``command`` for ``at``; returns the id its event will have."""
        event_id = self.event_id(at)
        if callable(command):
            command = command(event_id)
        if isinstance(stream, _ChildStream) and isinstance(command, cc.ChildCommand):
            decide: Callable[[], Sequence[Fact]] = partial(stream.decide, command)
        elif isinstance(stream, _AreaStream) and isinstance(command, ac.AreaCommand):
            decide = partial(stream.decide, command)
        else:
            raise TypeError(f"{type(command).__name__} does not fit {stream.stream_id}")
        self.seq += 1
        heapq.heappush(self.heap, _Intent(at, self.seq, stream, decide, event_id))
        return event_id

    def _push_decided(self, at: datetime, stream: DeciderStream[Any], command: Command) -> None:
        """Queue a meeting's or resolution's ``command`` for ``at``."""
        event_id = self.event_id(at, self.meeting_ids)
        self.seq += 1
        intent = _Intent(at, self.seq, stream, partial(stream.decide, command), event_id)
        heapq.heappush(self.heap, intent)

    def event_id(self, at: datetime, rng: random.Random | None = None) -> str:
        """A UUIDv7 at the simulated instant, its random bits from the seeded generator."""
        bits = (rng or self.rng).getrandbits(74)
        value = (int(at.timestamp() * 1000) << 80) | (0x7 << 76) | ((bits >> 62) << 64)
        text = f"{value | (0b10 << 62) | (bits & ((1 << 62) - 1)):032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def _flush(self, until: datetime) -> None:
        while self.heap and self.heap[0].at < until:
            at = self.heap[0].at
            group = []
            while self.heap and self.heap[0].at == at:
                group.append(heapq.heappop(self.heap))
            self._write(at, group)

    def _write(self, at: datetime, group: Sequence[_Intent]) -> None:
        """Decide the group's commands in order, then append them a few hundred streams at once."""
        pending: dict[_Stream | DeciderStream[Any], list[Fact]] = {}
        ids: dict[_Stream | DeciderStream[Any], list[str]] = {}
        for intent in group:
            facts = intent.decide()
            if len(facts) > 1:
                raise RuntimeError("a demo command decided more than one fact")
            for fact in facts:
                pending.setdefault(intent.stream, []).append(fact)
                ids.setdefault(intent.stream, []).append(intent.event_id)
        self.clock.now = at
        streams = list(pending)
        while streams:
            size = next(n for n in CHUNKS if n <= len(streams))
            chunk, streams = streams[:size], streams[size:]
            appends = [
                StreamAppend(
                    s.stream_id,
                    s.stream_type,
                    s.version or NO_STREAM,
                    tuple(
                        self.registry.to_new(f, i, SEED_META)
                        for f, i in zip(pending[s], ids[s], strict=True)
                    ),
                )
                for s in chunk
            ]
            self.store.append_streams(appends)
            for s in chunk:
                s.version += len(pending[s])
                self.counts.events += len(pending[s])


def _record(measurement: Measurement, today: date, measurement_id: str) -> cc.ChildCommand:
    """Record ``measurement`` under its own event id, entered on ``today``."""
    return cc.RecordMeasurement(today=today, measurement_id=measurement_id, measurement=measurement)
