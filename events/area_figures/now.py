"""Area figures now: the projection's sums per desa and period, plus the children that were
in more than one desa over the period (counted from their months), in one snapshot."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Connection, Engine, bindparam, func, select

from domain import wilayah
from domain.figures import (
    ChildMonth,
    Figures,
    NewCase,
    Period,
)
from domain.figures.periods import month_end
from domain.figures.tally import case_order
from events import sql
from events.area_figures.common import (
    AreaFigures,
    DesaSums,
    Preloaded,
    Resident,
    Unit,
    Within,
    assemble,
    resident_months,
    stunted_in,
)
from events.database import snapshot
from events.projections import figures as proj
from events.projections.areas import area_sasaran
from events.store import SqlEventStore


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
            found.extend(resident_months(profile, span.desa, months))
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
            theirs = assemble(Within(read.source, code, ids), code, period, unit, detail=detail)
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
        return stunted_in(rows, code, ids)


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


def figures_now(engine: Engine, code: str, period: Period, unit: Unit) -> AreaFigures:
    """The area's figures for ``period`` as the projections hold them now, with ``unit`` sums."""
    with snapshot(engine) as conn:
        position = SqlEventStore.head_in(conn).position
        found = NowSums(conn, code).figures(code, period, unit)
        found.sasaran_balita, found.sasaran_baduta = _sasaran_now(conn, code, period)
    found.log_position = position
    return found


def _sasaran_now(conn: Connection, code: str, period: Period) -> tuple[int | None, int | None]:
    params = {"year": int(period.months[0][:4]), **sql.area(code)}
    ((balita, baduta),) = sql.fetch(conn, _SASARAN, params)
    return (None if balita is None else int(balita), None if baduta is None else int(baduta))


_SASARAN: Final = select(func.sum(area_sasaran.c.balita), func.sum(area_sasaran.c.baduta)).where(
    area_sasaran.c.year == bindparam("year"), sql.under(area_sasaran.c.code)
)
