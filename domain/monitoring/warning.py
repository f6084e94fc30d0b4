"""Early warning: whether a child should be sent on now, and why. Computed, never stored.

A child is *flagged* when any rule of the installation's ``WarningRules`` holds; the
defaults are those the growth-monitoring issue sets out:

* its latest weighing is **2T** (``T`` in two consecutive calendar months);
* its latest valid **WAZ < -3** (BB sangat kurang);
* its latest valid **WHZ < -2** (gizi kurang or buruk), or its latest measurement telling
  wasting has **bilateral oedema** (severe wasting whatever the weight, as the area figures
  count it);
* its **HAZ fell by 0.5 or more** over at most **3 calendar months** while it is still
  **>= -2**: the latest valid HAZ against any valid HAZ measured no earlier than three
  calendar months before it (a child heading for new stunting).

The caller passes valid z-scores only (None where WHO's rule flagged one implausible) and
the child's latest ``WeightGain``. z-scores are compared as rounded to 2 decimals, as WHO
reports them and applies its own flags, so a fall from -1.20 to -1.70 is a fall of 0.5.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.monitoring.gain import WeightGain


class FlagReason(StrEnum):
    """Why a child is flagged; stable codes for the API and the work queues."""

    TWO_T = "two_t"
    SEVERELY_UNDERWEIGHT = "waz_below_threshold"
    WASTED = "whz_below_threshold"
    OEDEMA = "oedema"
    HAZ_FALLING = "haz_falling"


@dataclass(frozen=True, slots=True)
class WarningRules:
    """An installation's thresholds for flagging a child; the defaults are Tumbuh's."""

    two_t: bool = True
    waz_below: float = -3.0
    whz_below: float = -2.0
    haz_drop: float = 0.5
    haz_drop_within_months: int = 3
    haz_still_at_least: float = -2.0

    def __post_init__(self) -> None:
        if not self.haz_drop > 0:
            raise ValueError("haz_drop must be more than 0")
        if self.haz_drop_within_months < 1:
            raise ValueError("haz_drop_within_months must be at least 1")


DEFAULT_RULES = WarningRules()


@dataclass(frozen=True, slots=True)
class ZScores:
    """One measurement's valid z-scores (None: not computed or flagged implausible)."""

    measured_on: date
    haz: float | None = None
    waz: float | None = None
    whz: float | None = None
    oedema: bool = False
    order: int = 0  # breaks ties within a day: recording order


@dataclass(frozen=True, slots=True)
class EarlyWarning:
    """The reasons a child is flagged, in the order of the rules; none: not flagged."""

    reasons: tuple[FlagReason, ...] = ()

    @property
    def flagged(self) -> bool:
        """Whether any rule holds."""
        return bool(self.reasons)


def early_warning(
    latest: WeightGain | None,
    history: Iterable[ZScores],
    rules: WarningRules = DEFAULT_RULES,
) -> EarlyWarning:
    """The early-warning flag of a child from its latest weighing and its z-scores."""
    ordered = sorted(history, key=lambda z: (z.measured_on, z.order))
    reasons: list[FlagReason] = []
    if rules.two_t and latest is not None and latest.two_t:
        reasons.append(FlagReason.TWO_T)
    waz = _latest(ordered, "waz")
    if waz is not None and waz < rules.waz_below:
        reasons.append(FlagReason.SEVERELY_UNDERWEIGHT)
    reasons += _wasting(ordered, rules)
    if _haz_falling(ordered, rules):
        reasons.append(FlagReason.HAZ_FALLING)
    return EarlyWarning(tuple(reasons))


def _wasting(ordered: Sequence[ZScores], rules: WarningRules) -> list[FlagReason]:
    """The latest measurement that tells wasting: oedema, or a valid WHZ."""
    for scores in reversed(ordered):
        if scores.oedema:
            return [FlagReason.OEDEMA]
        if scores.whz is not None:
            return [FlagReason.WASTED] if round(scores.whz, 2) < rules.whz_below else []
    return []


def _haz_falling(ordered: Sequence[ZScores], rules: WarningRules) -> bool:
    valid = [(z.measured_on, round(z.haz, 2)) for z in ordered if z.haz is not None]
    if not valid:
        return False
    last_day, last = valid[-1]
    if last < rules.haz_still_at_least:
        return False
    since = months_before(last_day, rules.haz_drop_within_months)
    return any(day >= since and round(haz - last, 2) >= rules.haz_drop for day, haz in valid[:-1])


def _latest(ordered: Sequence[ZScores], indicator: str) -> float | None:
    for scores in reversed(ordered):
        value: float | None = getattr(scores, indicator)
        if value is not None:
            return round(value, 2)
    return None


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day if shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
