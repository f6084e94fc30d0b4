"""Sums of children's monthly figures over an area and a period.

Counts are of children, never of measurements (except ``flagged``): over a quarter or a
year a child counts once, with the status of its latest valid measurement in the period
(for wasting: a valid WHZ or oedema, which ``ChildMonth.whz_valid`` already tells).
Prevalence and coverage are recomputed from the counts at every level, never averaged.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Final

from domain.figures.child import ChildMonth, NewCase

BANDS: Final = ("0-5", "6-11", "12-23", "24-59")
SEXES: Final = ("M", "F")


@dataclass
class Split:
    """The counts of one group of children (all of them, one sex, or one age band)."""

    present: int = 0
    measured: int = 0
    measured_valid_haz: int = 0
    stunted: int = 0
    severely_stunted: int = 0
    measured_valid_whz: int = 0
    wasted: int = 0
    severely_wasted: int = 0
    overweight: int = 0
    measured_valid_waz: int = 0
    underweight: int = 0
    new_stunting: int = 0
    incident: int = 0
    first_measured_stunted: int = 0
    flagged: int = 0

    def add(self, other: Split) -> None:
        """Add ``other``'s counts to these."""
        mine, theirs = self.__dict__, other.__dict__
        for name in COUNTS:
            mine[name] += theirs[name]

    def subtract(self, other: Split) -> None:
        """Take ``other``'s counts (of some of these children) out of these."""
        mine, theirs = self.__dict__, other.__dict__
        for name in COUNTS:
            mine[name] -= theirs[name]

    @property
    def coverage(self) -> float | None:
        """D/S: measured over present (None when nobody is present)."""
        return ratio(self.measured, self.present)

    @property
    def prevalence_stunting(self) -> float | None:
        """Stunted over measured with a valid HAZ (None when there are none)."""
        return ratio(self.stunted, self.measured_valid_haz)

    @property
    def zero_new_stunting(self) -> bool | None:
        """True when children were measured and none became a new case; None if none measured."""
        return None if self.measured == 0 else self.new_stunting == 0

    def answer(self) -> dict[str, int | float | bool | None]:
        """The counts with coverage, prevalence and the zero-new-stunting verdict."""
        return {
            **asdict(self),
            "coverage": self.coverage,
            "prevalence_stunting": self.prevalence_stunting,
            "zero_new_stunting": self.zero_new_stunting,
        }


COUNTS: Final = tuple(f.name for f in fields(Split))


@dataclass
class Figures:
    """An area's figures for a period: in all, by sex, by age band, and the new cases."""

    total: Split = field(default_factory=Split)
    by_sex: dict[str, Split] = field(default_factory=lambda: {s: Split() for s in SEXES})
    by_age_band: dict[str, Split] = field(default_factory=lambda: {b: Split() for b in BANDS})
    new_cases: list[NewCase] = field(default_factory=list)
    stunted_children: list[str] = field(default_factory=list)

    def add(self, sex: str, band: str, counts: Split, *, detail: bool = True) -> None:
        """Count a group of children of ``sex`` and ``band`` (in the total only, without
        ``detail``)."""
        self.total.add(counts)
        if detail:
            self.by_sex[sex].add(counts)
            self.by_age_band[band].add(counts)

    def merge(self, other: Figures) -> None:
        """Add the counts and lists of ``other`` (figures of other children) to these."""
        self.total.add(other.total)
        for mine, theirs in ((self.by_sex, other.by_sex), (self.by_age_band, other.by_age_band)):
            for key, split in theirs.items():
                mine[key].add(split)
        self.new_cases += other.new_cases
        self.stunted_children += other.stunted_children

    def replace(self, old: Figures, new: Figures, ids: Collection[str]) -> None:
        """Count the children ``ids`` by ``new`` instead of ``old`` (both figures of those
        children only): exact, as a child's counts are its own. ``stunted_children`` is
        left as it was."""
        for mine, before, after in zip(self._splits(), old._splits(), new._splits(), strict=True):
            mine.subtract(before)
            mine.add(after)
        kept = [r for r in self.new_cases if r.child_id not in ids]
        self.new_cases = sorted(kept + new.new_cases, key=case_order)

    def _splits(self) -> list[Split]:
        return [self.total, *(self.by_sex[s] for s in SEXES), *(self.by_age_band[b] for b in BANDS)]


def case_order(row: NewCase) -> tuple[str, date, str]:
    """How new cases are listed: by desa, date measured and child."""
    return row.desa, row.measured_on, row.child_id


@dataclass
class _Child:
    sex: str = ""
    band: str = ""
    month: str = ""
    present: bool = False
    rows: list[ChildMonth] = field(default_factory=list)

    def seen(self, month: str, sex: str, band: str) -> None:
        self.present = True
        if month >= self.month:
            self.month, self.sex, self.band = month, sex, band

    def counts(self) -> Split:
        return period_counts(sorted(self.rows, key=lambda r: r.month))


def period_counts(rows: Sequence[ChildMonth]) -> Split:
    """The counts of a child present over a period, from its measured months there (oldest
    first): measured if any, each indicator's status from its latest valid month."""
    if not rows:
        return Split(present=1)  # most of a child's months on the register in a rebuild
    haz = whz = waz = None
    incident = first = False
    flagged = 0
    for row in reversed(rows):
        if haz is None and row.haz_valid:
            haz = row
        if whz is None and row.whz_valid:
            whz = row
        if waz is None and row.waz_valid:
            waz = row
        incident = incident or row.incident
        first = first or row.first_measured_stunted
        flagged += row.flagged
    return Split(
        present=1,
        measured=1,
        measured_valid_haz=int(haz is not None),
        stunted=int(haz is not None and haz.stunted),
        severely_stunted=int(haz is not None and haz.severely_stunted),
        measured_valid_whz=int(whz is not None),
        wasted=int(whz is not None and whz.wasted),
        severely_wasted=int(whz is not None and whz.severely_wasted),
        overweight=int(whz is not None and whz.overweight),
        measured_valid_waz=int(waz is not None),
        underweight=int(waz is not None and waz.underweight),
        new_stunting=int(incident or first),
        incident=int(incident),
        first_measured_stunted=int(first),
        flagged=flagged,
    )


def figures_of(
    residents: Iterable[tuple[str, str, str, str]],
    rows: Iterable[ChildMonth],
    *,
    detail: bool = True,
) -> Figures:
    """The figures of the children in an area over a period.

    ``residents`` are (child id, month, sex, band) of children present in the area on the
    last day of a month of the period; ``rows`` are the children's measured months there.
    Without ``detail`` only the totals are counted (not by sex and age band).
    """
    children: dict[str, _Child] = {}
    for child_id, month, sex, band in residents:
        children.setdefault(child_id, _Child()).seen(month, sex, band)
    for row in rows:
        child = children.setdefault(row.child_id, _Child())
        child.seen(row.month, row.sex, row.band)
        child.rows.append(row)
    figures = Figures()
    for child_id, child in children.items():
        counts = child.counts()
        figures.add(child.sex, child.band, counts, detail=detail)
        if counts.stunted:
            figures.stunted_children.append(child_id)
        cases = [r for r in child.rows if r.new_case is not None]
        if cases:
            figures.new_cases.append(NewCase.of(max(cases, key=lambda r: r.month)))
    figures.new_cases.sort(key=case_order)
    return figures


def ratio(part: int, whole: int) -> float | None:
    """``part`` over ``whole`` to four places, as the figures show a share (None over none)."""
    return None if whole == 0 else round(part / whole, 4)
