"""Area figures as known at an earlier log position.

The children's months are summed in Python; children whose later events cannot change the
months asked are read from the projection, the others are folded from the log up to the
position with the same rules (``domain.figures``), and children registered after it are
left out, so late entries and corrections recorded after it are too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from sqlalchemy import Connection, Engine, func, or_, select

from domain import wilayah
from domain.area.decider import AreaDecider
from domain.area.events import SasaranSet
from domain.child import events as ce
from domain.child.decider import STREAM_PREFIX, ChildDecider
from domain.figures import (
    ChildMonth,
    Figures,
    Period,
    age_band,
    child_months,
    resident_at_end,
)
from domain.figures.periods import month_end, month_start
from domain.figures.timeline import Timeline
from events import sql
from events.area_figures.common import (
    AreaFigures,
    Preloaded,
    Resident,
    Sums,
    Unit,
    assemble,
    resident_months,
)
from events.area_figures.now import NowSource, NowSums
from events.database import snapshot
from events.projections import figures as proj
from events.registry import Registry
from events.rows import row_to_event
from events.schema import events
from events.statements import ROW
from events.store import SqlEventStore


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
        found = [r for p, s in self.spans for r in resident_months(p, s.desa, months)]
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
