"""One child's contribution to the area figures, month by month.

The rules (documented for users in docs/figures.md):

* A child is *present* in a month in the desa where it lives on the month's last day, if it
  is on the register then (registered, not exited) and under 60 months old; a child measured
  in the month is present there too, in the desa of its last measurement of the month.
* *Measured* (D): at least one counted measurement (not voided; corrected values) in the month.
  The month's status per indicator is that of the latest measurement with a valid z-score
  for it (a flagged, implausible z-score is not valid).
* *Oedema* (bilateral, under 60 months) has no WHZ, yet the child counts as wasted and
  severely wasted (WHO's convention); by the WHO/UNICEF survey convention such a measurement is in
  the wasting numerators and in their denominator, so ``whz_valid`` means "valid for
  wasting": a valid WHZ or oedema.
* *New stunting* is Tumbuh's rule (no regulation defines it): a valid HAZ < -2 whose
  previous valid HAZ was >= -2 (*incident*), or the child's first valid HAZ ever, if < -2
  (*first measured stunted*). It counts in the month of that measurement.
* The age band is the age in completed months on the month's last day (59 at most).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Final, NamedTuple

from domain.figures.periods import month_end, month_of
from domain.growth.rules import DAYS_PER_MONTH, MAX_AGE_MONTHS

INCIDENT: Final = "incident"
FIRST_MEASURED: Final = "first_measured_stunted"
_BAND_EDGES: Final = ((6, "0-5"), (12, "6-11"), (24, "12-23"), (60, "24-59"))
_BAND_STARTS: Final = tuple(edge for edge, _ in _BAND_EDGES[:-1])  # of the bands after the first
_BAND_NAMES: Final = tuple(name for _, name in _BAND_EDGES)


@dataclass(frozen=True, slots=True)
class Span:
    """Where the child lived: from ``start`` (inclusive) until ``end`` (exclusive, None: now)."""

    desa: str
    start: date
    end: date | None = None


@dataclass(frozen=True, slots=True)
class ChildProfile:
    """What the figures need of a child besides its measurements."""

    child_id: str
    sex: str
    birth_date: date
    spans: tuple[Span, ...]  # in time order; the first starts on the day it was registered


@dataclass(frozen=True, slots=True)
class Scored:
    """A counted measurement with its z-scores; ``order`` breaks ties within a day.

    ``oedema`` is bilateral oedema within the standards' age (under 60 months): severe
    wasting whatever the weight says, with no WHZ.
    """

    event_id: str
    measured_on: date
    order: int
    haz: float | None
    whz: float | None
    waz: float | None
    flags: frozenset[str]
    oedema: bool = False

    def valid(self, indicator: str) -> float | None:
        """The z-score of ``indicator`` if it was computed and is not flagged implausible."""
        value: float | None = getattr(self, indicator)
        return None if value is None or indicator in self.flags else value


@dataclass(frozen=True, slots=True)
class ChildMonth:
    """A child's figures for one month in which it was measured."""

    child_id: str
    month: str
    desa: str
    sex: str
    band: str
    end_desa: str | None  # where the child is present on the month's last day, if anywhere
    haz_valid: bool
    stunted: bool
    severely_stunted: bool
    whz_valid: bool  # valid for wasting: a valid WHZ or oedema
    wasted: bool
    severely_wasted: bool
    overweight: bool
    waz_valid: bool
    underweight: bool
    flagged: int
    incident: bool
    first_measured_stunted: bool
    event_id: str  # the month's last counted measurement
    measured_on: date
    haz: float | None

    @property
    def new_case(self) -> str | None:
        """The kind of new case the child became this month (first measured stunted first)."""
        if self.first_measured_stunted:
            return FIRST_MEASURED
        return INCIDENT if self.incident else None


class NewCase(NamedTuple):
    """A child who became a new stunting case in an area over a period: its latest such
    month there (a light row: a kota's month lists hundreds)."""

    child_id: str
    month: str
    desa: str
    sex: str
    band: str
    kind: str  # FIRST_MEASURED or INCIDENT
    measured_on: date
    haz: float | None

    @classmethod
    def of(cls, row: ChildMonth) -> NewCase:
        """The new case ``row`` made (a month with one)."""
        assert row.new_case is not None
        return cls(
            row.child_id,
            row.month,
            row.desa,
            row.sex,
            row.band,
            row.new_case,
            row.measured_on,
            row.haz,
        )


def age_band(birth_date: date, day: date) -> str:
    """The age band of a child born on ``birth_date`` on ``day`` (59 months at most)."""
    months = min(int((day - birth_date).days / DAYS_PER_MONTH), 59)
    return _BAND_NAMES[bisect_right(_BAND_STARTS, months)]


def resident_at_end(profile: ChildProfile, month: str) -> str | None:
    """The desa the child is present in on the last day of ``month``, if any."""
    end = month_end(month)
    if profile.birth_date > end or (end - profile.birth_date).days / DAYS_PER_MONTH >= (
        MAX_AGE_MONTHS
    ):
        return None
    for span in profile.spans:
        if span.start <= end and (span.end is None or end < span.end):
            return span.desa
    return None


def child_months(
    profile: ChildProfile, counted: Iterable[Scored], since: str = "", until: str = "9999-12"
) -> list[ChildMonth]:
    """The child's figures for each month it was measured in (from ``since`` to ``until``),
    oldest first; earlier measurements still count as previous HAZ."""
    ordered = sorted(counted, key=lambda m: (m.measured_on, m.order))
    cases = _new_cases(ordered)
    return [
        _month(profile, month, list(items), cases)
        for month, items in groupby(ordered, key=lambda m: month_of(m.measured_on))
        if since <= month <= until
    ]


def _new_cases(ordered: Sequence[Scored]) -> dict[str, str]:
    """The measurements that made the child a new stunting case, by event id."""
    cases: dict[str, str] = {}
    previous: float | None = None
    for scored in ordered:
        haz = scored.valid("haz")
        if haz is None:
            continue
        if haz < -2 and previous is None:
            cases[scored.event_id] = FIRST_MEASURED
        elif haz < -2 and previous is not None and previous >= -2:
            cases[scored.event_id] = INCIDENT
        previous = haz
    return cases


def _month(
    profile: ChildProfile, month: str, items: list[Scored], cases: dict[str, str]
) -> ChildMonth:
    last = items[-1]
    desa = _desa_on(profile.spans, last.measured_on)
    haz, waz = _latest(items, "haz"), _latest(items, "waz")
    wasting = _wasting(items)
    kinds = {cases[m.event_id] for m in items if m.event_id in cases}
    return ChildMonth(
        child_id=profile.child_id,
        month=month,
        desa=desa,
        sex=profile.sex,
        band=age_band(profile.birth_date, month_end(month)),
        end_desa=resident_at_end(profile, month),
        haz_valid=haz is not None,
        stunted=haz is not None and haz < -2,
        severely_stunted=haz is not None and haz < -3,
        whz_valid=wasting is not None,
        wasted=wasting is not None and wasting < -2,
        severely_wasted=wasting is not None and wasting < -3,
        overweight=wasting is not None and wasting > 2,
        waz_valid=waz is not None,
        underweight=waz is not None and waz < -2,
        flagged=sum(1 for m in items if m.flags),
        incident=INCIDENT in kinds,
        first_measured_stunted=FIRST_MEASURED in kinds,
        event_id=last.event_id,
        measured_on=last.measured_on,
        haz=haz,
    )


def _latest(items: Sequence[Scored], indicator: str) -> float | None:
    return next((v for m in reversed(items) if (v := m.valid(indicator)) is not None), None)


def _wasting(items: Sequence[Scored]) -> float | None:
    """The latest WHZ that tells wasting; oedema tells severe wasting, as if below -3."""
    for m in reversed(items):
        if m.oedema:
            return -math.inf
        if (whz := m.valid("whz")) is not None:
            return whz
    return None


def _desa_on(spans: Sequence[Span], day: date) -> str:
    """Where the child lived on ``day`` (a measurement before registration: the first desa)."""
    for span in spans:
        if span.start <= day and (span.end is None or day < span.end):
            return span.desa
    return spans[0].desa if day < spans[0].start else spans[-1].desa
