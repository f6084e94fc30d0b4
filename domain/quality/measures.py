"""Data-quality measures of a group of measurements (a kader's, a posyandu's, an area's).

The caller groups the counted measurements (voids left out, corrections applied) by
kader (``measured_by``), posyandu or area and period, and passes each group here; every
function is pure and returns fractions in [0, 1], None when nothing was there to measure.

* **Completeness**: of the weighings, the share with a length/height; of those, the share
  with a position; of the weighings, the share with a plausible age (a birth date, and an
  age from 0 to under 60 months on the day measured).
* **WHO flags**: per indicator, the share flagged implausible by WHO's rule
  (``domain.growth``) of the measurements where that z-score was computed, as the WHO Anthro
  Survey Analyser counts them; ``any`` is the share of measurements with a z-score that have
  at least one flag.
* **Position**: lying under 24 months (731 days), standing from 24 months; the shares of
  each done right, and the share in the wrong position, of the measurements with a length,
  a recorded position and a known age (the WHO Anthro Survey Analyser's mismatch table).
* **Timeliness**: days from the day measured to the day recorded; the median, the largest,
  and the share recorded late (``RECORDED_LATE_AFTER_DAYS``).
* **Posyandu day**: the share of the days held that fell on the posyandu's scheduled day
  of the month (its last day in a shorter month).
"""

from __future__ import annotations

import calendar
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.growth import Position
from domain.quality.rules import (
    INDICATORS,
    LYING_UNDER_DAYS,
    MONTH_DAYS,
    RECORDED_LATE_AFTER_DAYS,
    WHO_AGE_LIMIT_MONTHS,
)


@dataclass(frozen=True, slots=True)
class Measured:
    """One counted measurement as the data-quality measures see it (no personal data)."""

    measurement_id: str
    child_id: str
    measured_on: date
    recorded_on: date  # the day it reached the system, in the installation's time zone
    birth_date: date | None
    weight_kg: float | None
    length_cm: float | None = None
    position: Position | None = None
    haz: float | None = None
    waz: float | None = None
    whz: float | None = None
    baz: float | None = None
    flags: frozenset[str] = frozenset()  # the indicators WHO's rule flagged implausible
    order: int = 0  # breaks ties within a day: recording order

    @property
    def age_days(self) -> int | None:
        """Age on the day measured, if the birth date is known."""
        if self.birth_date is None:
            return None
        return (self.measured_on - self.birth_date).days

    def valid(self, indicator: str) -> float | None:
        """The z-score of ``indicator`` if computed and not flagged implausible."""
        value: float | None = getattr(self, indicator)
        return None if value is None or indicator in self.flags else value


@dataclass(frozen=True, slots=True)
class Completeness:
    """Which parts of the measurements were recorded."""

    measured: int
    with_length_share: float | None
    with_position_share: float | None
    plausible_age_share: float | None


def completeness(items: Sequence[Measured]) -> Completeness:
    """Shares with a length, with a position (of those with a length), with a plausible age."""
    with_length = [m for m in items if m.length_cm is not None]
    with_position = sum(1 for m in with_length if m.position is not None)
    plausible = sum(1 for m in items if _plausible_age(m.age_days))
    return Completeness(
        measured=len(items),
        with_length_share=share(len(with_length), len(items)),
        with_position_share=share(with_position, len(with_length)),
        plausible_age_share=share(plausible, len(items)),
    )


def flagged_shares(items: Sequence[Measured]) -> dict[str, float | None]:
    """Per indicator, and ``any``: the share WHO's rule flagged of those computed."""
    result: dict[str, float | None] = {}
    for indicator in INDICATORS:
        computed = [m for m in items if getattr(m, indicator) is not None]
        result[indicator] = share(sum(1 for m in computed if indicator in m.flags), len(computed))
    scored = [m for m in items if any(getattr(m, i) is not None for i in INDICATORS)]
    result["any"] = share(sum(1 for m in scored if m.flags & set(INDICATORS)), len(scored))
    return result


@dataclass(frozen=True, slots=True)
class PositionCheck:
    """Whether children were measured lying under 24 months and standing from 24 months."""

    checked: int
    lying_under_24m_share: float | None
    standing_from_24m_share: float | None
    wrong_position_share: float | None


def position_check(items: Sequence[Measured]) -> PositionCheck:
    """The position shares of the measurements with a length, a position and an age."""
    young = old = young_lying = old_standing = 0
    for m in items:
        age = m.age_days
        if m.length_cm is None or m.position is None or age is None or age < 0:
            continue
        if age < LYING_UNDER_DAYS:
            young += 1
            young_lying += m.position is Position.LYING
        else:
            old += 1
            old_standing += m.position is Position.STANDING
    wrong = (young - young_lying) + (old - old_standing)
    return PositionCheck(
        checked=young + old,
        lying_under_24m_share=share(young_lying, young),
        standing_from_24m_share=share(old_standing, old),
        wrong_position_share=share(wrong, young + old),
    )


@dataclass(frozen=True, slots=True)
class Timeliness:
    """How long measurements took to reach the system."""

    recorded: int
    median_days: float | None
    max_days: int | None
    late_share: float | None


def timeliness(items: Sequence[Measured]) -> Timeliness:
    """Days from measured to recorded: median, largest, share later than the limit."""
    delays = [(m.recorded_on - m.measured_on).days for m in items]
    if not delays:
        return Timeliness(0, None, None, None)
    late = sum(1 for d in delays if d > RECORDED_LATE_AFTER_DAYS)
    return Timeliness(len(delays), statistics.median(delays), max(delays), late / len(delays))


def on_schedule_share(meets_on_day: int, held_on: Iterable[date]) -> float | None:
    """The share of posyandu days held on the scheduled day of their month."""
    if not 1 <= meets_on_day <= 31:
        raise ValueError("a posyandu meets on a day from 1 to 31")
    days = list(held_on)
    on_time = sum(1 for d in days if d.day == _scheduled_day(meets_on_day, d))
    return share(on_time, len(days))


def share(part: int, whole: int) -> float | None:
    """``part / whole``, None when there is no whole."""
    return None if whole == 0 else part / whole


def _scheduled_day(meets_on_day: int, day: date) -> int:
    return min(meets_on_day, calendar.monthrange(day.year, day.month)[1])


def _plausible_age(age_days: int | None) -> bool:
    return age_days is not None and age_days >= 0 and age_days / MONTH_DAYS < WHO_AGE_LIMIT_MONTHS
