"""The area figures meetings and resolutions lean on.

A report at a meeting carries the figures of the month before the meeting as known at the
end of the meeting's day (WIB), so the minutes show what the meeting saw; a resolution's
target is checked against the figures of the month it is due in, as known now (late
entries for that month count) or as known at an evaluation's ``known_at``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Final

from api.services import Services
from domain import wilayah
from domain.figures import Period, Split, parse_period
from domain.figures.periods import month_end, month_of
from domain.meeting.events import ReportFigures, Target
from domain.meeting.targets import INDICATORS, met
from events.area_figures import AsOf, figures_now, position_at

WIB: Final = timezone(timedelta(hours=7), "WIB")


def report_figures(services: Services, area: str, day: date) -> ReportFigures:
    """The area's figures for the month before ``day``, as known when ``day`` ended (WIB)."""
    period = parse_period(month_of(day.replace(day=1) - timedelta(days=1)))
    end = datetime.combine(day + timedelta(days=1), time(), WIB)
    found = figures_at(services, area, period, end)
    total = found[0]
    return ReportFigures(
        period=period.name,
        log_position=found[1],
        present=total.present,
        measured=total.measured,
        coverage=total.coverage,
        measured_valid_haz=total.measured_valid_haz,
        stunted=total.stunted,
        severely_stunted=total.severely_stunted,
        prevalence_stunting=total.prevalence_stunting,
        wasted=total.wasted,
        underweight=total.underweight,
        new_stunting=total.new_stunting,
        zero_new_stunting=total.zero_new_stunting,
        flagged=total.flagged,
    )


def figures_at(
    services: Services, area: str, period: Period, instant: datetime
) -> tuple[Split, int]:
    """The area's totals for ``period`` as known at ``instant``, and the log position."""
    head = services.store.head().position
    position = head if instant >= services.clock() else position_at(services.engine, instant)
    if position >= head:
        found = figures_now(services.engine, area, period, None)
    else:
        found = AsOf(services.store, area, position).figures(period, None)
    return found.figures.total, found.log_position


@dataclass(frozen=True)
class AreaCheck:
    """One area's figure against the target."""

    area: str
    actual: float | None
    met: bool | None


@dataclass(frozen=True)
class TargetCheck:
    """A target checked against the figures of the month the resolution is due in."""

    month: str
    indicator: str
    value: float
    direction: str
    pending: bool
    met: bool | None
    areas: tuple[AreaCheck, ...]


def check_target(
    services: Services, target: Target, areas: Sequence[str], due: date, today: date
) -> TargetCheck:
    """Whether the target is met in every area in the due month (pending until it ended)."""
    month = month_of(due)
    direction = INDICATORS[target.indicator].direction.value
    if month_end(month) >= today:
        return TargetCheck(month, target.indicator, target.value, direction, True, None, ())
    period = parse_period(month)
    checks = []
    for area in areas:
        if wilayah.level(area) < wilayah.Level.KABKOTA:
            continue
        total = figures_now(services.engine, area, period, None).figures.total
        actual = indicator_value(total, target.indicator)
        checks.append(AreaCheck(area, actual, met(target.indicator, target.value, actual)))
    verdicts = [c.met for c in checks]
    overall = None if not verdicts or None in verdicts else all(verdicts)
    return TargetCheck(
        month, target.indicator, target.value, direction, False, overall, tuple(checks)
    )


def indicator_value(total: Split, indicator: str) -> float | None:
    """The value of a target indicator in a group's counts."""
    value: float | None = getattr(total, indicator)
    return value
