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
from datetime import timedelta
from functools import cache
from typing import Final, NamedTuple

from domain.figures.child import ChildMonth, ChildProfile, age_band, resident_at_end
from domain.figures.periods import month_end, month_of, months_between, parse_period
from domain.figures.tally import Split, period_counts
from domain.growth.rules import DAYS_PER_MONTH, MAX_AGE_MONTHS

_LAST_AGE_DAYS: Final = int(MAX_AGE_MONTHS * DAYS_PER_MONTH) + 1
_ANY: Final = 10_000  # months_between's limit is for requests, not for a register


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


@cache
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
    measured: dict[str, list[ChildMonth]] = defaultdict(list)
    for row in rows:
        measured[row.month].append(row)
    first, last = _register_bounds(profile)
    if periods is None:
        candidates = set(months_between(first, last, limit=_ANY)) if first <= last else set()
    else:
        candidates = {m for p in periods for m in _months_in(p) if first <= m <= last}
    by_period: dict[str, list[_Month]] = defaultdict(list)
    for month in sorted(candidates | measured.keys()):
        wanted = [p for p in periods_of(month) if periods is None or p in periods]
        if not wanted:
            continue
        entry = _Month(month, resident_at_end(profile, month), measured.get(month, []))
        if entry.resident is None and not entry.rows:
            continue  # neither present nor measured: no part in any period
        for period in wanted:
            by_period[period].append(entry)
    return {period: _share(profile, entries) for period, entries in by_period.items()}


class _Month(NamedTuple):
    month: str
    resident: str | None  # the desa the child is present in at the month's end
    rows: list[ChildMonth]  # its measured month there (one, as stored)


def _share(profile: ChildProfile, entries: Sequence[_Month]) -> Share:
    """The share of a period from its months (in order; each present or measured)."""
    rows = [row for e in entries for row in e.rows]
    places = [e.resident for e in entries if e.resident is not None]
    places += [row.desa for row in rows]
    desa = places[0]
    if places.count(desa) != len(places):
        return Share(tuple(sorted(set(places))))
    # The child's sex and age band are those of the period's last month it counts in.
    last = entries[-1]
    if last.rows:
        sex, band = last.rows[-1].sex, last.rows[-1].band
    else:
        sex, band = profile.sex, age_band(profile.birth_date, month_end(last.month))
    return Share((desa,), sex, band, period_counts(rows))


def _register_bounds(profile: ChildProfile) -> tuple[str, str]:
    """The first and last month from registration until the child turns 60 months or
    leaves the register (bounds of the months it may be present at the end of)."""
    # A move may be dated back before the registration, though never (now) before the birth,
    # where the register starts whatever the log holds.
    first = max(min(span.start for span in profile.spans), profile.birth_date)
    last = profile.birth_date + timedelta(days=_LAST_AGE_DAYS)
    if (end := profile.spans[-1].end) is not None:
        last = min(last, end)
    return month_of(first), month_of(last)


@cache
def _months_in(period: str) -> tuple[str, ...]:
    return parse_period(period).months
