"""Area figures for a period, now or as known at an earlier log position.

Now: the projection's sums per desa and period, plus the children that were in more than
one desa over the period (counted from their months), in one snapshot (``NowSums``). As
known at position P: the children's months are summed in Python; children whose later
events cannot change the months asked are read from the projection, the others are
folded from the log up to P with the same rules (``domain.figures``), and children
registered after P are left out, so late entries and corrections recorded after P are too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Final, Protocol

from sqlalchemy import Connection, Engine, bindparam, func, or_, select

from domain import wilayah
from domain.area.decider import AreaDecider
from domain.area.events import SasaranSet
from domain.child import events as ce
from domain.child.decider import STREAM_PREFIX, ChildDecider
from domain.figures import (
    ChildMonth,
    ChildProfile,
    Figures,
    NewCase,
    Period,
    Split,
    age_band,
    child_months,
    figures_of,
    resident_at_end,
)
from domain.figures.periods import month_end, month_start
from domain.figures.tally import case_order
from domain.figures.timeline import Timeline
from events import sql
from events.database import snapshot
from events.projections import figures as proj
from events.projections.areas import area_sasaran
from events.registry import Registry
from events.rows import row_to_event
from events.schema import events
from events.statements import ROW
from events.store import SqlEventStore

Resident = tuple[str, str, str, str, str]  # child id, month, sex, band, desa
DesaSums = tuple[str, str, str, Split]  # desa, sex, band, counts


@dataclass
class AreaFigures:
    """An area's figures for a period, and those of the areas one level below it."""

    code: str
    period: Period
    figures: Figures
    units: dict[str, Figures] = field(default_factory=dict)
    sasaran_balita: int | None = None
    sasaran_baduta: int | None = None
    log_position: int = 0


def unit_of(code: str) -> Callable[[str], str] | None:
    """How a desa code maps to the areas one level below ``code`` (None below a kecamatan)."""
    width = {2: 5, 5: 8, 8: 13}.get(len(code))
    return None if width is None else (lambda desa: desa[:width])


Unit = Callable[[str], str] | None
"""Maps a desa code to the area it is summed into besides the total (None: no such sums)."""


def desa_itself(desa: str) -> str:
    """Sum per desa."""
    return desa


class NowSource:
    """The children's figures as the projection holds them, within one read snapshot (of
    the children ``ids`` only, if given)."""

    def __init__(self, conn: Connection, code: str, ids: Sequence[str] | None = None) -> None:
        self.conn, self.code, self.ids = conn, code, ids

    def residents(self, months: Sequence[str]) -> list[Resident]:
        """Children present in the area at the end of each month (one span each)."""
        first, last = month_end(months[0]).replace(day=1), month_end(months[-1])
        found = []
        for profile, span in proj.span_rows(self.conn, self.code, first, last, self.ids):
            found.extend(_resident_months(profile, span.desa, months))
        return found

    def rows(self, months: Sequence[str]) -> list[ChildMonth]:
        """Measured child-months in the area."""
        return proj.month_rows(self.conn, self.code, months, ids=self.ids)


class NowSums:
    """Figures now, from the projection's sums per desa and period, in one read snapshot.

    The sums hold every child that was in one desa only over the period; the few that were
    in more (movers) are counted from their months here, by the same rules.
    """

    def __init__(self, conn: Connection, code: str) -> None:
        self.conn, self.code = conn, code
        self._children: dict[str, tuple[set[str], list[ChildMonth]]] = {}
        self._read: dict[tuple[str, str], _Read] = {}

    def read_ahead(self, periods: Iterable[Period]) -> None:
        """Read the area's sums and movers for ``periods`` at once (a few queries in all)."""
        wanted = {p.name: p for p in periods if (self.code, p.name) not in self._read}
        if not wanted:
            return
        names = wanted.keys()
        sums: dict[str, list[DesaSums]] = defaultdict(list)
        for period, desa, sex, band, counts in proj.period_sums(self.conn, self.code, names):
            sums[period].append((desa, sex, band, counts))
        movers: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for period, desa, child_id in proj.movers_in(self.conn, self.code, names):
            movers[period].append((desa, child_id))
        ids = sorted({i for pairs in movers.values() for _, i in pairs})
        months = sorted({m for p in wanted.values() for m in p.months})
        source = Preloaded(NowSource(self.conn, self.code, ids), months) if ids else None
        for name in wanted:
            self._read[self.code, name] = _Read(sums[name], movers[name], source)

    def figures(self, code: str, period: Period, unit: Unit, *, detail: bool = True) -> AreaFigures:
        """The area's figures for ``period``, with ``unit`` sums."""
        found = AreaFigures(code, period, Figures())
        read = self._sums(code, period)
        for desa, sex, band, counts in read.sums:
            found.figures.add(sex, band, counts, detail=detail)
            if unit is not None:
                found.units.setdefault(unit(desa), Figures()).add(sex, band, counts, detail=detail)
        if read.movers:
            assert read.source is not None
            ids = {i for _, i in read.movers}
            theirs = assemble(_Within(read.source, code, ids), code, period, unit, detail=detail)
            found.figures.merge(theirs.figures)
            for name, figures in theirs.units.items():
                found.units.setdefault(name, Figures()).merge(figures)
        if detail:
            found.figures.new_cases = _latest_case_each(
                proj.new_cases(self.conn, code, period.months)
            )
        return found

    def _sums(self, code: str, period: Period) -> _Read:
        """The sums and movers of ``code`` for the period: of the area read (read once), or
        of an area under it (taken from the area's)."""
        if (self.code, period.name) not in self._read:
            self.read_ahead([period])
        read = self._read[self.code, period.name]
        if code == self.code:
            return read
        return _Read(
            [s for s in read.sums if wilayah.covers(code, s[0])],
            [m for m in read.movers if wilayah.covers(code, m[0])],
            read.source,
        )

    def stunted_among(self, code: str, period: Period, ids: Collection[str]) -> set[str]:
        """Those of the children ``ids`` counted as stunted in ``code`` (the area read or
        one under it) over ``period``."""
        if not ids:
            return set()
        read, rows = self._children.get(period.name, (set(), []))
        if not read.issuperset(ids):
            # Read once for the area, then filtered for each area under it asked after.
            read = read | set(ids)
            rows = proj.month_rows(self.conn, self.code, period.months, ids=sorted(read))
            self._children[period.name] = (read, rows)
        return _stunted(rows, code, ids)


def _stunted(rows: Iterable[ChildMonth], code: str, ids: Collection[str]) -> set[str]:
    """Those of the children ``ids`` stunted in the area over the months of ``rows`` (whether
    a child is stunted depends on its measured months there only)."""
    mine = [r for r in rows if r.child_id in ids and wilayah.covers(code, r.desa)]
    return set(figures_of([], mine, detail=False).stunted_children)


@dataclass(frozen=True)
class _Read:
    """An area's sums for a period, its movers (desa, child) and a source of their months."""

    sums: list[DesaSums]
    movers: list[tuple[str, str]]
    source: Preloaded | None


def _latest_case_each(rows: Iterable[NewCase]) -> list[NewCase]:
    """Each child's latest new-case month, ordered as ``figures_of`` orders them."""
    latest: dict[str, NewCase] = {}
    for row in rows:
        if row.child_id not in latest or row.month > latest[row.child_id].month:
            latest[row.child_id] = row
    return sorted(latest.values(), key=case_order)


class AsOfSource:
    """The children's figures for some months as the log up to a position knows them.

    Exact and cheap: a child none of whose events after the position can change those
    months (see ``_changed_after``) has the same rows then as now, so they are read from the
    projection; the others are folded from the log up to the position with the same rules;
    children registered after it are left out.
    """

    def __init__(self, store: SqlEventStore, code: str, position: int, months: Sequence[str]):
        self.code, self.months = code, tuple(sorted(months))
        first, last = month_start(self.months[0]), month_end(self.months[-1])
        with snapshot(store.engine) as conn:
            changed, later = _changed_after(conn, position, last)
            skip = changed | later
            self.spans = [
                p for p in proj.span_rows(conn, code, first, last) if p[0].child_id not in skip
            ]
            self.month_rows = [
                r for r in proj.month_rows(conn, code, self.months) if r.child_id not in skip
            ]
            folded = (changed - later) & _ever_in(conn, code).keys()
            self.folded = _Folded(
                _timelines(conn, store.registry, sorted(folded), position), code, self.months
            )

    def residents(self, months: Sequence[str]) -> list[Resident]:
        """Children present in the area at the end of each month."""
        found = [r for p, s in self.spans for r in _resident_months(p, s.desa, months)]
        return found + self.folded.residents(months)

    def rows(self, months: Sequence[str]) -> list[ChildMonth]:
        """Measured child-months in the area."""
        wanted = set(months)
        return [r for r in self.month_rows if r.month in wanted] + self.folded.rows(months)


class _Folded:
    """Children folded from the log (their timelines): their months in the area."""

    def __init__(self, timelines: Sequence[Timeline], code: str, months: Sequence[str]):
        self.code, wanted = code, set(months)
        self.profiles = [t.profile() for t in timelines]
        first, last = min(wanted), max(wanted)
        self.month_rows = [
            m
            for t, p in zip(timelines, self.profiles, strict=True)
            for m in child_months(p, t.scored(), first, last)
            if m.month in wanted and wilayah.covers(code, m.desa)
        ]

    def residents(self, months: Sequence[str]) -> list[Resident]:
        """Children present in the area at the end of each month."""
        found = []
        for profile in self.profiles:
            for month in months:
                desa = resident_at_end(profile, month)
                if desa is not None and wilayah.covers(self.code, desa):
                    band = age_band(profile.birth_date, month_end(month))
                    found.append((profile.child_id, month, profile.sex, band, desa))
        return found

    def rows(self, months: Sequence[str]) -> list[ChildMonth]:
        """Measured child-months in the area."""
        wanted = set(months)
        return [r for r in self.month_rows if r.month in wanted]


def _from_sums(
    store: SqlEventStore, code: str, position: int, period: Period, unit: Unit
) -> AreaFigures:
    """The figures of one period as known at ``position``, from the sums now: the children
    whose months may differ since (``_changed_after``) are counted by their months folded
    from the log up to ``position`` instead of by their months now. Exact, as a child's
    counts are its own; it reads and folds those children only, not the whole area."""
    last = month_end(period.months[-1])
    with snapshot(store.engine) as conn:
        changed, later = _changed_after(conn, position, last)
        found = NowSums(conn, code).figures(code, period, unit)
        born = _ever_in(conn, code)
        differ = (changed | later) & born.keys()
        if not differ:
            return found
        # Children born after the period count nowhere in it now (most of those registered
        # since): they need not be read.
        counted = sorted(c for c in differ if born[c] <= last)
        now = assemble(NowSource(conn, code, counted), code, period, unit)
        timelines = _timelines(conn, store.registry, sorted(differ - later), position)
    then = assemble(_Folded(timelines, code, period.months), code, period, unit)
    found.figures.replace(now.figures, then.figures, differ)
    units = {}
    for name in sorted(found.units.keys() | then.units.keys()):
        figures = found.units.get(name, Figures())
        figures.replace(now.units.get(name, Figures()), then.units.get(name, Figures()), differ)
        if figures.total.present:  # an area with nobody in it is not listed
            units[name] = figures
    found.units = units
    return found


def figures_now(engine: Engine, code: str, period: Period, unit: Unit) -> AreaFigures:
    """The area's figures for ``period`` as the projections hold them now, with ``unit`` sums."""
    with snapshot(engine) as conn:
        position = SqlEventStore.head_in(conn).position
        found = NowSums(conn, code).figures(code, period, unit)
        found.sasaran_balita, found.sasaran_baduta = _sasaran_now(conn, code, period)
    found.log_position = position
    return found


class Source(Protocol):
    """Where the children's months come from: the projection, the log, or a preload."""

    def residents(self, months: Sequence[str]) -> list[Resident]: ...

    def rows(self, months: Sequence[str]) -> list[ChildMonth]: ...


def assemble(
    source: Source, code: str, period: Period, unit: Unit, *, detail: bool = True
) -> AreaFigures:
    """Sum the children's months of ``source`` for the area and per ``unit`` (by sex and
    age band too unless ``detail`` is false)."""
    residents, rows = source.residents(period.months), source.rows(period.months)
    found = AreaFigures(code, period, _summed(residents, rows, detail))
    if unit is not None:
        present: dict[str, list[Resident]] = defaultdict(list)
        measured: dict[str, list[ChildMonth]] = defaultdict(list)
        for resident in residents:
            present[unit(resident[4])].append(resident)
        for row in rows:
            measured[unit(row.desa)].append(row)
        for name in sorted(present.keys() | measured.keys()):
            found.units[name] = _summed(present.get(name, []), measured.get(name, []), detail)
    return found


class Preloaded:
    """A source's children for some months, read once and filtered for each period asked."""

    def __init__(self, source: Source, months: Sequence[str]) -> None:
        ordered = sorted(set(months))
        self._residents = source.residents(ordered)
        self._rows = source.rows(ordered)

    def residents(self, months: Sequence[str]) -> list[Resident]:
        """Children present in the area at the end of each of ``months``."""
        wanted = set(months)
        return [r for r in self._residents if r[1] in wanted]

    def rows(self, months: Sequence[str]) -> list[ChildMonth]:
        """Measured child-months in the area in ``months``."""
        wanted = set(months)
        return [r for r in self._rows if r.month in wanted]

    def read_ahead(self, periods: Iterable[Period]) -> None:
        """Nothing to do: the months are read already."""

    def figures(self, code: str, period: Period, unit: Unit, *, detail: bool = True) -> AreaFigures:
        """The figures of ``code`` (the area read or one under it) for ``period``."""
        return assemble(_Within(self, code), code, period, unit, detail=detail)

    def stunted_among(self, code: str, period: Period, ids: Collection[str]) -> set[str]:
        """Those of the children ``ids`` counted as stunted in ``code`` over ``period``."""
        return _stunted(self.rows(period.months), code, ids) if ids else set()


class _Within:
    """The children of a preloaded source in an area under it (and among ``ids``)."""

    def __init__(self, source: Preloaded, code: str, ids: Collection[str] | None = None):
        self.source, self.code, self.ids = source, code, ids

    def residents(self, months: Sequence[str]) -> list[Resident]:
        return [
            r
            for r in self.source.residents(months)
            if wilayah.covers(self.code, r[4]) and (self.ids is None or r[0] in self.ids)
        ]

    def rows(self, months: Sequence[str]) -> list[ChildMonth]:
        return [
            r
            for r in self.source.rows(months)
            if wilayah.covers(self.code, r.desa) and (self.ids is None or r.child_id in self.ids)
        ]


class Sums(Protocol):
    """Figures of an area and the areas under it, now (``NowSums``) or as known at a
    position (``Preloaded``), all resting on one log position."""

    def figures(
        self, code: str, period: Period, unit: Unit, *, detail: bool = True
    ) -> AreaFigures: ...

    def read_ahead(self, periods: Iterable[Period]) -> None: ...

    def stunted_among(self, code: str, period: Period, ids: Collection[str]) -> set[str]: ...


@contextmanager
def reading(
    store: SqlEventStore, code: str, months: Sequence[str], position: int | None = None
) -> Iterator[tuple[Sums, int]]:
    """The figures of the area and the areas under it for periods within ``months``, now or
    as known at ``position``, and the log position they rest on."""
    if position is not None:
        yield Preloaded(AsOfSource(store, code, position, sorted(set(months))), months), position
        return
    with snapshot(store.engine) as conn:
        yield NowSums(conn, code), SqlEventStore.head_in(conn).position


def _summed(
    residents: Sequence[Resident], rows: Sequence[ChildMonth], detail: bool = True
) -> Figures:
    return figures_of((r[:4] for r in residents), rows, detail=detail)


def _resident_months(profile: ChildProfile, desa: str, months: Iterable[str]) -> list[Resident]:
    return [
        (profile.child_id, m, profile.sex, age_band(profile.birth_date, month_end(m)), desa)
        for m in months
        if resident_at_end(profile, m) == desa
    ]


def _sasaran_now(conn: Connection, code: str, period: Period) -> tuple[int | None, int | None]:
    params = {"year": int(period.months[0][:4]), **sql.area(code)}
    ((balita, baduta),) = sql.fetch(conn, _SASARAN, params)
    return (None if balita is None else int(balita), None if baduta is None else int(baduta))


_SASARAN: Final = select(func.sum(area_sasaran.c.balita), func.sum(area_sasaran.c.baduta)).where(
    area_sasaran.c.year == bindparam("year"), sql.under(area_sasaran.c.code)
)


_ALWAYS_CHANGE: Final = (
    ce.RegistrationCorrected.event_type,
    ce.MeasurementCorrected.event_type,
    ce.MeasurementVoided.event_type,
)


def _changed_after(conn: Connection, position: int, last: date) -> tuple[set[str], set[str]]:
    """Children whose months up to ``last`` may differ after ``position``; those registered after.

    A later measurement taken after ``last``, or a later move or exit dated after it, leaves
    the months up to ``last`` as they were (a month depends on the measurements up to it and
    on where the child lived then); late entries, corrections, voids and registration
    corrections may change any month.
    """
    until = datetime.combine(last + timedelta(days=1), time(), UTC)
    rows = conn.execute(
        select(events.c.stream_id, events.c.event_type).where(
            events.c.position > position,
            events.c.stream_type == ChildDecider.stream_type,
            or_(
                events.c.event_type.in_(_ALWAYS_CHANGE),
                events.c.occurred_at < until,
                events.c.event_type == ce.ChildRegistered.event_type,
            ),
        )
    )
    changed: set[str] = set()
    later: set[str] = set()
    for stream_id, event_type in rows:
        child_id = stream_id.removeprefix(STREAM_PREFIX)
        (later if event_type == ce.ChildRegistered.event_type else changed).add(child_id)
    return changed, later


def _ever_in(conn: Connection, code: str) -> dict[str, date]:
    """Every child who lived in the area at any time (as the projection knows their spans),
    with its date of birth now.

    Exact for any earlier position too: a child's desa are its registration's and its
    moves', neither is ever corrected, and later moves only add spans.
    """
    return dict(sql.fetch_typed(conn, _EVER_IN, sql.area(code)))


_EVER_IN: Final = (
    select(proj.child_spans.c.child_id, proj.child_spans.c.birth_date)
    .distinct()
    .where(sql.under(proj.child_spans.c.desa))
)


def _timelines(
    conn: Connection, registry: Registry, child_ids: Sequence[str], position: int
) -> list[Timeline]:
    """The children's streams folded up to ``position``."""
    timelines: dict[str, Timeline] = {}
    for first in range(0, len(child_ids), 500):
        streams = [STREAM_PREFIX + i for i in child_ids[first : first + 500]]
        query = (
            select(*ROW)
            .where(events.c.stream_id.in_(streams), events.c.position <= position)
            .order_by(events.c.stream_id, events.c.stream_version)
        )
        for row in conn.execute(query):
            event = row_to_event(*row)
            child_id = event.stream_id.removeprefix(STREAM_PREFIX)
            timeline = timelines.setdefault(child_id, Timeline(child_id))
            timeline.apply(registry.to_fact(event), event.position)
    return [t for t in timelines.values() if t.registered]


class AsOf:
    """The area's figures exactly as the log up to ``position`` gives them."""

    def __init__(self, store: SqlEventStore, code: str, position: int) -> None:
        self.store, self.code, self.position = store, code, position
        self._source: AsOfSource | None = None

    def preload(self, months: Sequence[str]) -> None:
        """Read what the figures of ``months`` need at once (one snapshot for a series)."""
        self._source = AsOfSource(self.store, self.code, self.position, months)

    def figures(self, period: Period, unit: Unit) -> AreaFigures:
        """The figures for ``period`` as known at the position, with ``unit`` sums: from
        what ``preload`` read if it covers the period, else from the sums now."""
        if self._source is not None and set(period.months) <= set(self._source.months):
            found = assemble(self._source, self.code, period, unit)
        else:
            found = _from_sums(self.store, self.code, self.position, period, unit)
        found.sasaran_balita, found.sasaran_baduta = _sasaran_at(
            self.store, self.code, period, self.position
        )
        found.log_position = self.position
        return found


def _sasaran_at(
    store: SqlEventStore, code: str, period: Period, position: int
) -> tuple[int | None, int | None]:
    year = int(period.months[0][:4])
    latest: dict[str, tuple[int, int]] = {}
    after = 0
    kind = SasaranSet.event_type
    areas = [AreaDecider.stream_type]  # read by the index of stream types, not the whole log
    while batch := store.read_all(
        after, 5000, stream_types=areas, event_types=[kind], wilayah=code, until=position
    ):
        for event in batch:
            fact = store.registry.to_fact(event)
            if isinstance(fact, SasaranSet) and fact.year == year:
                latest[fact.wilayah or ""] = (fact.balita, fact.baduta)
        after = batch[-1].position
    if not latest:
        return None, None
    return sum(b for b, _ in latest.values()), sum(d for _, d in latest.values())


def position_at(engine: Engine, instant: datetime) -> int:
    """The last log position recorded at or before ``instant`` (0 if none was)."""
    with engine.connect() as conn:
        found = conn.execute(
            select(func.max(events.c.position)).where(events.c.recorded_at <= instant)
        ).scalar()
    return int(found or 0)
