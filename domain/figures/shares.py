"""A child's share of the area figures for each month, quarter and year it counts in.

The sums an area's figures are made of, kept per desa and period by the projection: a
child present or measured in one desa only over a period adds its counts (``tally``'s rule:
once, with the status of its latest valid measurement) to that desa's sums for the period.
A child that was present or measured in more than one desa over the period (it moved, or
was measured away from home) counts differently at each level (once in a kecamatan, in each
desa), so its share names the desa only and the figures count it from its months when read.

Every share is a pure function of the child's profile and measured months, so the
projection can keep sums by subtracting a child's old shares and adding its new ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from domain.figures.child import ChildMonth, ChildProfile, age_band, resident_at_end
from domain.figures.periods import month_end, month_of
from domain.figures.tally import Split, child_counts
from domain.growth.rules import DAYS_PER_MONTH, MAX_AGE_MONTHS

_LAST_AGE_DAYS: Final = int(MAX_AGE_MONTHS * DAYS_PER_MONTH) + 1


@dataclass(frozen=True, slots=True)
class Share:
    """A child's part in one period: counts under one desa, or the desa of a mover."""

    desa: tuple[str, ...]  # sorted; more than one: counted when read, from the child's months
    sex: str = ""
    band: str = ""
    counts: Split | None = None

    @property
    def summed(self) -> bool:
        """Whether the share adds to its desa's sums (it touches one desa only)."""
        return len(self.desa) == 1


def periods_of(month: str) -> tuple[str, str, str]:
    """The month, its quarter and its year, as periods are named."""
    quarter = (int(month[5:7]) - 1) // 3 + 1
    return month, f"{month[:4]}-Q{quarter}", month[:4]


def shares(
    profile: ChildProfile,
    rows: Iterable[ChildMonth],
    periods: Collection[str] | None = None,
) -> dict[str, Share]:
    """The child's share of each period it counts in (only ``periods``, if given)."""
    by_period: dict[str, list[tuple[str, str | None, list[ChildMonth]]]] = defaultdict(list)
    measured: dict[str, list[ChildMonth]] = defaultdict(list)
    for row in rows:
        measured[row.month].append(row)
    for month in sorted(set(_months_on_register(profile)) | measured.keys()):
        wanted = [p for p in periods_of(month) if periods is None or p in periods]
        if wanted:
            entry = (month, resident_at_end(profile, month), measured.get(month, []))
            for period in wanted:
                by_period[period].append(entry)
    found = {}
    for period, entries in by_period.items():
        share = _share(profile, entries)
        if share is not None:
            found[period] = share
    return found


def _share(
    profile: ChildProfile, entries: Sequence[tuple[str, str | None, list[ChildMonth]]]
) -> Share | None:
    seen: list[tuple[str, str, str]] = []
    rows: list[ChildMonth] = []
    places: set[str] = set()
    for month, resident_in, measured in entries:
        if resident_in is not None:
            places.add(resident_in)
            seen.append((month, profile.sex, age_band(profile.birth_date, month_end(month))))
        for row in measured:
            places.add(row.desa)
            rows.append(row)
    if not places:
        return None
    if len(places) > 1:
        return Share(tuple(sorted(places)))
    sex, band, counts = child_counts(seen, rows)
    return Share((places.pop(),), sex, band, counts)


def _months_on_register(profile: ChildProfile) -> list[str]:
    """The months from registration until the child turns 60 months or leaves the register
    (a superset of the months it is present at the end of)."""
    first = min(span.start for span in profile.spans)  # a move may be dated back before it
    last = profile.birth_date + timedelta(days=_LAST_AGE_DAYS)
    if (end := profile.spans[-1].end) is not None:
        last = min(last, end)
    found = []
    day = date(first.year, first.month, 1)
    while day <= last:
        found.append(month_of(day))
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return found
