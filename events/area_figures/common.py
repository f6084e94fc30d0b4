"""What the area figures are made of, now or as known earlier: the children present and
measured in each month, from a source, summed for an area and the areas one level below it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from domain import wilayah
from domain.figures import (
    ChildMonth,
    ChildProfile,
    Figures,
    Period,
    Split,
    age_band,
    figures_of,
    resident_at_end,
)
from domain.figures.periods import month_end

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


def stunted_in(rows: Iterable[ChildMonth], code: str, ids: Collection[str]) -> set[str]:
    """Those of the children ``ids`` stunted in the area over the months of ``rows`` (whether
    a child is stunted depends on its measured months there only)."""
    mine = [r for r in rows if r.child_id in ids and wilayah.covers(code, r.desa)]
    return set(figures_of([], mine, detail=False).stunted_children)


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
        return assemble(Within(self, code), code, period, unit, detail=detail)

    def stunted_among(self, code: str, period: Period, ids: Collection[str]) -> set[str]:
        """Those of the children ``ids`` counted as stunted in ``code`` over ``period``."""
        return stunted_in(self.rows(period.months), code, ids) if ids else set()


class Within:
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


def _summed(
    residents: Sequence[Resident], rows: Sequence[ChildMonth], detail: bool = True
) -> Figures:
    return figures_of((r[:4] for r in residents), rows, detail=detail)


def resident_months(profile: ChildProfile, desa: str, months: Iterable[str]) -> list[Resident]:
    return [
        (profile.child_id, m, profile.sex, age_band(profile.birth_date, month_end(m)), desa)
        for m in months
        if resident_at_end(profile, m) == desa
    ]
