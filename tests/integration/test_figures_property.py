"""Area figures on random histories, three ways: the inline projection, a full rebuild, and a
naive recount from the raw log; and "as known at" a position equals a copy of the log cut there.

The naive recount implements the rules of ``domain/figures/child.py``'s docstring and
docs/figures.md ("New stunting") directly, without ``domain.figures`` (``parse_period`` is
used only to call the product). Each example writes its children under a kota prefix of its
own in the test's store, so examples never see each other's children.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from sqlalchemy import Engine, select, text

from api.services import Services, build_services
from domain.child import commands as c
from domain.child.decider import ChildDecider, stream_id
from domain.child.events import ExitReason, Measurement
from domain.fact import DomainError
from domain.figures import parse_period
from domain.growth import GrowthInputError, Indicator, Position, Sex, assess
from domain.growth.lms import value_at
from domain.growth.tables import table
from events.area_figures import AreaFigures, AsOf, figures_now, unit_of
from events.envelope import JsonObject
from events.handling import execute, new_event_id
from events.projections import runner
from events.schema import events
from events.store import SqlEventStore
from tests.conftest import _settings, migrated_copy

DAY0 = date(2025, 2, 1)
META: JsonObject = {"actor": "property-test"}
COUNTS = (
    "present",
    "measured",
    "measured_valid_haz",
    "stunted",
    "severely_stunted",
    "measured_valid_whz",
    "wasted",
    "severely_wasted",
    "overweight",
    "measured_valid_waz",
    "underweight",
    "new_stunting",
    "incident",
    "first_measured_stunted",
    "flagged",
)
BANDS = ((6, "0-5"), (12, "6-11"), (24, "12-23"), (60, "24-59"))
EXTRA_PERIODS = ("2025-Q1", "2025")
FIRST, INCIDENT = "first_measured_stunted", "incident"
_prefixes = itertools.count()
Counts = dict[str, int]
Shape = dict[str, Any]

# -- histories --------------------------------------------------------------------------


@dataclass(frozen=True)
class Register:
    sex: str
    age_days: int  # on the day of registration
    desa: int


@dataclass(frozen=True)
class Measure:
    child: int
    days_back: int  # > 0: a late entry, measured that many days before it is recorded
    haz: float
    waz_gap: float | None  # WAZ minus HAZ (None: no weight); sets WHZ too
    oedema: bool = False


@dataclass(frozen=True)
class Correct:
    child: int
    which: int
    shift_days: int  # moves the measurement's date
    haz: float
    waz_gap: float | None
    oedema: bool = False


@dataclass(frozen=True)
class Void:
    child: int
    which: int


@dataclass(frozen=True)
class Move:
    child: int
    desa: int
    days_back: int


@dataclass(frozen=True)
class Exit:
    child: int
    days_back: int


@dataclass(frozen=True)
class CorrectBirth:
    child: int
    sex: str | None
    shift_days: int


Action = Register | Measure | Correct | Void | Move | Exit | CorrectBirth

_z = st.one_of(st.floats(-3.6, -0.4), st.sampled_from([-2.0, -6.7, 6.6]))
_gap = st.one_of(st.none(), st.floats(-2.5, 1.0), st.just(-5.5))
_kid, _back = st.integers(0, 3), st.one_of(st.just(0), st.integers(0, 100))
_shift = st.one_of(st.just(0), st.integers(-30, 30))
_oedema = st.sampled_from([False, False, False, True])
_register = st.builds(Register, st.sampled_from("MF"), st.integers(0, 1900), st.integers(0, 3))
_measure = st.builds(Measure, _kid, _back, _z, _gap, _oedema)
_correct = st.builds(Correct, _kid, st.integers(0, 9), _shift, _z, _gap, _oedema)
_void = st.builds(Void, _kid, st.integers(0, 9))
_move = st.builds(Move, _kid, st.integers(0, 3), st.integers(0, 20))
_exit = st.builds(Exit, _kid, st.integers(0, 40))
# Weighted by repetition (one_of would merge equal branches); measurements first, so that
# shrinking leans towards them.
_mix: list[st.SearchStrategy[Action]] = (
    [_measure] * 6 + [_correct] * 2 + [_register, _void, _move, _exit]
)
Step = tuple[int, Action]  # days waited before the action, the action


def histories(*, birth_corrections: bool = False) -> st.SearchStrategy[list[Step]]:
    """Registrations first, then anything, each after a wait of some days."""
    births = st.builds(CorrectBirth, _kid, st.sampled_from([None, "M", "F"]), st.integers(-60, 60))
    mix = _mix + [births] * birth_corrections
    action = st.sampled_from(mix).flatmap(lambda strategy: strategy)
    first = st.lists(st.tuples(st.integers(0, 10), _register), min_size=1, max_size=3)
    rest = st.lists(st.tuples(st.integers(0, 10), action), min_size=4, max_size=18)
    return st.builds(lambda a, b: a + b, first, rest)


@dataclass
class Kota:
    """One example's kota: two kecamatan, four desa; children and their measurement ids."""

    code: str
    desa: tuple[str, ...] = ()
    kids: list[tuple[str, list[str]]] = field(default_factory=list)
    born: dict[str, tuple[str, date]] = field(default_factory=dict)
    days: set[date] = field(default_factory=set)  # every accepted command's today
    measured_on: dict[str, date] = field(default_factory=dict)

    def __post_init__(self) -> None:
        places = (("01", "2001"), ("01", "1002"), ("02", "2003"), ("02", "2004"))
        self.desa = tuple(f"{self.code}.{k}.{d}" for k, d in places)


def new_kota() -> Kota:
    """A kota prefix no other example uses (provinsi 99 down, never a real pair)."""
    n = next(_prefixes)
    return Kota(f"{99 - n // 99:02d}.{n % 99 + 1:02d}")


def values(
    kota: Kota, child_id: str, day: date, haz: float, gap: float | None, oedema: bool = False
) -> Measurement:
    """A measurement of about ``haz`` and WAZ ``haz + gap`` on ``day`` (rounded like a kader's)."""
    sex, born = kota.born[child_id]
    age = min(max((day - born).days, 0), 1856)
    length = value_at(haz, *table(Indicator.LHFA, Sex(sex)).rows[age])
    wfa = table(Indicator.WFA, Sex(sex)).rows[age]
    weight = None if gap is None else value_at(haz + gap, *wfa)
    return Measurement(
        measured_on=day,
        length_cm=round(length, 1),
        weight_kg=None if weight is None else round(weight, 2),
        position=Position.LYING if age < 731 else Position.STANDING,
        oedema=oedema,
    )


def command(kota: Kota, today: date, action: Action) -> tuple[str, c.ChildCommand, str | None]:
    """The child, the command and (for a new measurement) its event id."""
    if isinstance(action, Register):
        child_id = new_event_id()
        born = today - timedelta(days=action.age_days)
        kota.born[child_id] = (action.sex, born)
        register = c.RegisterChild(
            today=today,
            sex=Sex(action.sex),
            birth_date=born,
            desa=kota.desa[action.desa],
            posyandu="Demo",
        )
        return child_id, register, None
    pool = [k for k in kota.kids if k[1]] if isinstance(action, Correct | Void) else kota.kids
    if not pool:
        raise LookupError("no measurement to act on")
    child_id, taken = pool[action.child % len(pool)]
    picked = taken[action.which % len(taken)] if taken and hasattr(action, "which") else ""
    back = today - timedelta(days=getattr(action, "days_back", 0))
    match action:
        case Measure():
            mid = new_event_id()
            found = values(kota, child_id, back, action.haz, action.waz_gap, action.oedema)
            return (
                child_id,
                c.RecordMeasurement(today=today, measurement_id=mid, measurement=found),
                mid,
            )
        case Correct() if picked:
            day = min(kota.measured_on[picked] + timedelta(days=action.shift_days), today)
            found = values(kota, child_id, day, action.haz, action.waz_gap, action.oedema)
            correct = c.CorrectMeasurement(
                today=today, measurement_id=picked, measurement=found, reason="salah"
            )
            return child_id, correct, None
        case Void() if picked:
            return (
                child_id,
                c.VoidMeasurement(today=today, measurement_id=picked, reason="ganda"),
                None,
            )
        case Move():
            return (
                child_id,
                c.MoveChild(today=today, to_desa=kota.desa[action.desa], moved_on=back),
                None,
            )
        case Exit():
            return (
                child_id,
                c.ExitChild(today=today, reason=ExitReason.MOVED_OUT, exited_on=back),
                None,
            )
        case CorrectBirth():
            born = kota.born[child_id][1] + timedelta(days=action.shift_days)
            return (
                child_id,
                c.CorrectRegistration(
                    today=today,
                    sex=None if action.sex is None else Sex(action.sex),
                    birth_date=born,
                    reason="akta",
                ),
                None,
            )
    raise LookupError("no measurement to act on")


def tell(what: str) -> None:
    """Count ``what`` in Hypothesis's statistics (--hypothesis-show-statistics)."""
    if currently_in_test_context():
        event(what)


def write(store: SqlEventStore, kota: Kota, history: Sequence[Step]) -> None:
    """Run the history through the write path; refusals are part of the domain."""
    today, decider = DAY0, ChildDecider()
    for wait, action in history:
        today += timedelta(days=wait)
        if not kota.kids and not isinstance(action, Register):
            continue
        try:
            child_id, cmd, mid = command(kota, today, action)
            execute(
                store,
                decider,
                stream_id(child_id),
                cmd,
                META,
                event_ids=None if mid is None else [mid],
            )
        except (DomainError, LookupError):
            tell(f"refused {type(action).__name__}")
            continue
        late = isinstance(action, Measure) and action.days_back > 28
        tell(f"accepted {type(action).__name__}{' (late entry)' if late else ''}")
        kota.days |= {today, getattr(cmd, "moved_on", today), getattr(cmd, "exited_on", today)}
        if isinstance(cmd, c.RegisterChild):
            kota.kids.append((child_id, []))
        elif isinstance(cmd, c.CorrectRegistration):
            sex, born = kota.born[child_id]
            kota.born[child_id] = (cmd.sex or sex, cmd.birth_date or born)
        elif isinstance(cmd, c.RecordMeasurement | c.CorrectMeasurement):
            kota.measured_on[cmd.measurement_id] = cmd.measurement.measured_on
            if mid is not None:
                dict(kota.kids)[child_id].append(mid)
        elif isinstance(cmd, c.VoidMeasurement):
            dict(kota.kids)[child_id].remove(cmd.measurement_id)


# -- the naive recount, straight from the raw log ----------------------------------------


@dataclass
class Child:
    """A child as its raw events leave it; ``spans`` are [desa, first day, end (exclusive)]."""

    sex: str
    born: date
    spans: list[list[Any]]
    counted: dict[str, tuple[dict[str, Any], int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Taken:
    """A counted measurement: its day, recording order, valid z-scores, whether flagged, and
    whether it shows oedema under 60 months (severe wasting, docs/figures.md)."""

    event_id: str
    day: date
    order: int
    z: dict[str, float | None]
    flagged: bool
    oedema: bool = False


def children_in(store: SqlEventStore, kota: str) -> list[Child]:
    """Every child of ``kota``, folded from the raw payloads of the log."""
    found: dict[str, Child] = {}
    after = 0
    while batch := store.read_all(after, 1000, stream_types=["child"]):
        for raw in batch:
            p: dict[str, Any] = dict(raw.payload)
            kid = found.get(raw.stream_id)
            if raw.event_type == "child.registered":
                span = [p["desa"], raw.occurred_at.date(), None]
                found[raw.stream_id] = Child(p["sex"], date.fromisoformat(p["birth_date"]), [span])
            elif kid is not None:
                _take(kid, raw.event_type, p, raw.position)
        after = batch[-1].position
    return [k for k in found.values() if k.spans[0][0].startswith(kota + ".")]


def _take(kid: Child, kind: str, p: dict[str, Any], position: int) -> None:
    if kind == "child.registration_corrected":
        kid.sex = p["sex"] or kid.sex
        kid.born = date.fromisoformat(p["birth_date"]) if p["birth_date"] else kid.born
    elif kind == "child.moved":
        kid.spans[-1][2] = date.fromisoformat(p["moved_on"])
        kid.spans.append([p["to_desa"], date.fromisoformat(p["moved_on"]), None])
    elif kind == "child.exited":
        kid.spans[-1][2] = date.fromisoformat(p["exited_on"])
    elif kind == "child.measurement_recorded":
        kid.counted[p["measurement_id"]] = (p["measurement"], position)
    elif kind == "child.measurement_corrected":
        kid.counted[p["measurement_id"]] = (p["measurement"], kid.counted[p["measurement_id"]][1])
    elif kind == "child.measurement_voided":
        del kid.counted[p["measurement_id"]]


def taken(kid: Child) -> list[Taken]:
    """The child's counted measurements, scored, in valid-time order (ties: recording order)."""
    found = []
    for event_id, (m, order) in kid.counted.items():
        day = date.fromisoformat(m["measured_on"])
        try:
            a = assess(
                sex=kid.sex,
                birth_date=kid.born,
                measured_on=day,
                weight_kg=m["weight_kg"],
                length_cm=m["length_cm"],
                position=m["position"],
                oedema=m["oedema"],
                muac_cm=m["muac_cm"],
            )
        except GrowthInputError:
            found.append(Taken(event_id, day, order, dict.fromkeys(("haz", "whz", "waz")), False))
            continue
        z = {n: None if n in a.flags else getattr(a, n) for n in ("haz", "whz", "waz")}
        oedema = bool(m["oedema"]) and (day - kid.born).days / 30.4375 < 60
        found.append(Taken(event_id, day, order, z, bool(a.flags), oedema))
    return sorted(found, key=lambda t: (t.day, t.order))


def new_cases(history: list[Taken]) -> dict[str, str]:
    """docs/figures.md: a valid HAZ < -2 first ever, or after a valid HAZ >= -2."""
    cases: dict[str, str] = {}
    previous: float | None = None
    for t in history:
        haz = t.z["haz"]
        if haz is None:
            continue
        if haz < -2 and previous is None:
            cases[t.event_id] = FIRST
        elif haz < -2 and previous is not None and previous >= -2:
            cases[t.event_id] = INCIDENT
        previous = haz
    return cases


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def last_day(month: str) -> date:
    year, number = int(month[:4]), int(month[5:])
    return date(year, number, calendar.monthrange(year, number)[1])


def lives_in(kid: Child, day: date) -> str | None:
    return next(
        (d for d, first, end in kid.spans if first <= day and (end is None or day < end)), None
    )


def counts_in(kid: Child, day: date) -> str:
    """Where a measurement counts: where the child lived (before it came: its first desa)."""
    found = lives_in(kid, day)
    if found is not None:
        return found
    return str(kid.spans[0][0] if day < kid.spans[0][1] else kid.spans[-1][0])


def on_register_at_end(kid: Child, month: str) -> str | None:
    """The desa of a registered child under 60 months on the month's last day."""
    age = (last_day(month) - kid.born).days
    return None if age < 0 or age / 30.4375 >= 60 else lives_in(kid, last_day(month))


def band(kid: Child, month: str) -> str:
    months = min(int((last_day(month) - kid.born).days / 30.4375), 59)
    return next(name for edge, name in BANDS if months < edge)


def inside(desa: str | None, area: str) -> bool:
    return desa is not None and (desa == area or desa.startswith(area + "."))


def below(z: float | None, cut: float) -> int:
    return int(z is not None and z < cut)


def latest(mine: list[Taken], indicator: str) -> float | None:
    return next((v for t in reversed(mine) if (v := t.z[indicator]) is not None), None)


def wasting(mine: list[Taken]) -> tuple[int, int, int, int]:
    """Counted, wasted, severely wasted, overweight: from the latest valid WHZ or oedema.

    WHO/UNICEF survey convention: a child with oedema has no WHZ, counts as severely wasted,
    and is in the denominator of the wasting prevalence.
    """
    for t in reversed(mine):
        if t.oedema:
            return 1, 1, 1, 0
        whz = t.z["whz"]
        if whz is not None:
            return 1, below(whz, -2), below(whz, -3), int(whz > 2)
    return 0, 0, 0, 0


def contribution(
    kid: Child,
    history: list[Taken],
    cases: dict[str, str],
    area: str,
    months: Sequence[str],
) -> tuple[str, str, Counts] | None:
    """The child's sex, age band and counts in ``area`` over ``months`` (None: not there)."""
    seen, mine, kinds = [], [], set()
    for month in months:
        items = [t for t in history if month_of(t.day) == month]
        where = counts_in(kid, items[-1].day) if items else None
        if inside(on_register_at_end(kid, month), area) or inside(where, area):
            seen.append(month)
        if inside(where, area):
            mine += items
            kinds |= {cases[t.event_id] for t in items if t.event_id in cases}
    if not seen:
        return None
    haz, waz = latest(mine, "haz"), latest(mine, "waz")
    whz_valid, wasted, severely_wasted, overweight = wasting(mine)
    counts = {
        "present": 1,
        "measured": int(bool(mine)),
        "measured_valid_haz": int(haz is not None),
        "stunted": below(haz, -2),
        "severely_stunted": below(haz, -3),
        "measured_valid_whz": whz_valid,
        "wasted": wasted,
        "severely_wasted": severely_wasted,
        "overweight": overweight,
        "measured_valid_waz": int(waz is not None),
        "underweight": below(waz, -2),
        "new_stunting": int(bool(kinds)),
        "incident": int(INCIDENT in kinds),
        "first_measured_stunted": int(FIRST in kinds),
        "flagged": sum(t.flagged for t in mine),
    }
    return kid.sex, band(kid, seen[-1]), counts


def naive(
    kota: Kota,
    kids: list[Child],
    area: str,
    months: Sequence[str],
) -> Shape:
    """The area's figures and those one level below it, by the rules read plainly."""
    scored = [(kid, history, new_cases(history)) for kid in kids for history in [taken(kid)]]

    def tally(code: str) -> Shape:
        zero = dict.fromkeys(COUNTS, 0)
        found: Shape = {
            "total": dict(zero),
            "by_sex": {s: dict(zero) for s in "MF"},
            "by_age_band": {b: dict(zero) for _, b in BANDS},
        }
        for kid, history, cases in scored:
            seen = contribution(kid, history, cases, code, months)
            if seen is not None:
                sex, group, counts = seen
                for split in (found["total"], found["by_sex"][sex], found["by_age_band"][group]):
                    for name, value in counts.items():
                        split[name] += value
        return found

    width = {5: 8, 8: 13}.get(len(area))
    units = sorted({d[:width] for d in kota.desa if inside(d, area)}) if width else []
    below_it = {u: tally(u) for u in units}
    return {**tally(area), "units": {u: t for u, t in below_it.items() if t["total"]["present"]}}


# -- the product's answers, in the same shape --------------------------------------------


def shape_of(found: AreaFigures) -> Shape:
    """The counts of an answer: total, by sex, by age band, and the units below the area."""

    def one(figures: Any) -> Shape:
        return {
            "total": asdict(figures.total),
            "by_sex": {k: asdict(v) for k, v in figures.by_sex.items()},
            "by_age_band": {k: asdict(v) for k, v in figures.by_age_band.items()},
        }

    return {**one(found.figures), "units": {k: one(v) for k, v in found.units.items()}}


def cases_of(found: AreaFigures) -> list[tuple[str, str, str]]:
    """The new cases an answer lists, in its order: child, month and desa."""
    return [(r.child_id, r.month, r.desa) for r in found.figures.new_cases]


def areas(kota: Kota) -> list[str]:
    return [kota.code, *sorted({d[:8] for d in kota.desa}), *kota.desa]


def periods(kota: Kota) -> list[str]:
    """Every month the history touched (a command's day, a measurement, move or exit), a
    quarter and a year."""
    days = kota.days | set(kota.measured_on.values())
    return sorted({month_of(d) for d in days}) + list(EXTRA_PERIODS)


def product(engine: Engine, area: str, period: str) -> Shape:
    return shape_of(figures_now(engine, area, parse_period(period), unit_of(area)))


def months_of(period: str) -> list[str]:
    """The months of ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``."""
    if len(period) == 7 and period[5] == "Q":
        first = 3 * int(period[6]) - 2
        return [f"{period[:4]}-{m:02d}" for m in range(first, first + 3)]
    return [period] if len(period) == 7 else [f"{period}-{m:02d}" for m in range(1, 13)]


# -- a scratch database for copies of the log -------------------------------------------

_scratches = itertools.count()


@pytest.fixture
def scratch(
    database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Services]:
    """A second fresh, migrated store of the same kind, with the same master key."""
    with _fresh(database_url, request, tmp_path) as url:
        wired = build_services(_settings(url))
        wired.start()
        yield wired
        wired.close()


def _fresh(
    database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AbstractContextManager[str]:
    kind = "sqlite" if database_url.startswith("sqlite") else "postgres"
    return migrated_copy(
        request,
        kind,
        tmp_path / "scratch.db",
        lambda template: f"{template}_scratch_{next(_scratches)}",
    )


def copy_log(source: Engine, target: Services, up_to: int) -> None:
    """Extend the target's log with the source's rows up to ``up_to``, as stored; rebuild.

    Plain SQL, so each value is copied exactly as the driver holds it (no type conversion).
    """
    have = target.store.head().position
    columns = ", ".join(c.name for c in events.columns)
    into = ", ".join(f":{c.name}" for c in events.columns)
    with source.connect() as conn:
        rows = (
            conn.execute(
                text(
                    f"SELECT {columns} FROM events WHERE position > :have "
                    "AND position <= :up_to ORDER BY position"
                ),
                {"have": have, "up_to": up_to},
            )
            .mappings()
            .all()
        )
        wrapped = conn.execute(text("SELECT * FROM subject_keys")).mappings().all()
    with target.engine.begin() as conn:
        known = set(conn.execute(text("SELECT key_id FROM subject_keys")).scalars())
        for key in (dict(k) for k in wrapped if k["key_id"] not in known):
            names = ", ".join(key)
            conn.execute(
                text(
                    f"INSERT INTO subject_keys ({names}) VALUES ({', '.join(':' + n for n in key)})"
                ),
                key,
            )
        if rows:
            conn.execute(
                text(f"INSERT INTO events ({columns}) VALUES ({into})"), [dict(r) for r in rows]
            )
    target.projections.rebuild(target.store)


# -- the properties ------------------------------------------------------------------------

_ENOUGH = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@settings(_ENOUGH, max_examples=20)
@given(history=histories())
def test_the_projection_a_rebuild_and_a_naive_recount_agree(
    services: Services, history: list[Step]
) -> None:
    kota = new_kota()
    write(services.store, kota, history)
    wanted = [(a, p) for a in areas(kota) for p in periods(kota)] if kota.kids else []

    incremental = {key: product(services.engine, *key) for key in wanted}
    services.projections.rebuild(services.store)
    rebuilt = {key: product(services.engine, *key) for key in wanted}
    kids = children_in(services.store, kota.code)

    for area, period in wanted:
        expected = naive(kota, kids, area, months_of(period))
        for name in (
            "stunted",
            "incident",
            "first_measured_stunted",
            "flagged",
            "wasted",
            "severely_wasted",
        ):
            if expected["total"][name] and area == kota.code:
                event(f"kota figures with {name}")
        assert incremental[(area, period)] == expected, (area, period, "incremental")
        assert rebuilt[(area, period)] == expected, (area, period, "rebuilt")


@settings(_ENOUGH, max_examples=10)
@given(history=histories(birth_corrections=True))
def test_a_rebuild_computed_by_worker_processes_leaves_the_rows_the_appends_left(
    services: Services, history: list[Step], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(services.store, new_kota(), history)
    incremental = contents(services)
    monkeypatch.setattr(runner, "STREAM_CHUNK", 7)  # many chunks; some streams cut across
    monkeypatch.setattr(services.projections, "replay_workers", 2)

    services.projections.rebuild(services.store)

    assert contents(services) == incremental


def contents(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every projection's tables, in a stable order."""
    tables = [t for p in services.projections.projections for t in p.tables]
    with services.engine.connect() as conn:
        return {t.name: sorted(tuple(row) for row in conn.execute(select(t))) for t in tables}


@settings(_ENOUGH, max_examples=12)
@given(history=histories(birth_corrections=True), data=st.data())
def test_figures_as_known_at_a_position_equal_those_of_the_log_cut_there(
    services: Services, scratch: Services, history: list[Step], data: st.DataObject
) -> None:
    kota = new_kota()
    first = services.store.head().position
    write(services.store, kota, history)
    last = services.store.head().position
    # Drawn as shares of the example's stretch of the log, so draws do not depend on state.
    shares = data.draw(st.lists(st.integers(0, 1000), min_size=1, max_size=2))
    cuts = sorted({first + share * (last - first) // 1000 for share in shares})
    wanted = [(a, p) for a in areas(kota) for p in periods(kota)] if kota.kids else []

    for cut in cuts:
        copy_log(services.engine, scratch, cut)
        for area in {a for a, _ in wanted}:
            then = AsOf(services.store, area, cut)
            for period in (p for a, p in wanted if a == area):
                known = then.figures(parse_period(period), unit_of(area))
                cut_log = figures_now(scratch.engine, area, parse_period(period), unit_of(area))
                assert shape_of(known) == shape_of(cut_log), (cut, area, period)
                assert cases_of(known) == cases_of(cut_log), (cut, area, period)


# -- disagreements the properties found, fixed in the product ----------------------------


def test_an_incident_in_the_month_of_the_first_stunted_haz_counts_as_incident(
    services: Services,
) -> None:
    kota = new_kota()
    first, normal, again = (Measure(0, 0, z, None) for z in (-2.8, -0.7, -3.6))
    write(services.store, kota, [(0, Register("M", 308, 0)), (0, first), (0, normal), (9, again)])

    got = figures_now(services.engine, kota.desa[0], parse_period("2025-02"), None).figures

    assert (got.total.measured, got.total.stunted) == (1, 1)
    assert (got.total.new_stunting, got.total.first_measured_stunted) == (1, 1)
    assert got.total.incident == 1  # -0.7 then -3.6 on 10 February


def test_a_corrected_sex_reaches_the_resident_counts_without_a_rebuild(
    services: Services,
) -> None:
    kota = new_kota()
    write(services.store, kota, [(0, Register("M", 308, 0)), (3, CorrectBirth(0, "F", 0))])

    got = figures_now(services.engine, kota.desa[0], parse_period("2025-02"), None).figures

    assert (got.by_sex["M"].present, got.by_sex["F"].present) == (0, 1)
