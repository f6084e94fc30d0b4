"""The indicator values of every area under a prefix for a period (``domain.exchange``'s
dictionary), now or as known at an earlier log position; nothing personal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from api.areas.evaluation import resolutions_due
from api.services import Services
from api.sponsors.figures import commitments_at, sponsor_figures
from domain import wilayah
from domain.exchange.indicators import DICTIONARY, Source
from domain.figures import Figures, Period
from domain.meeting.decider import MeetingDecider, MeetingState, MeetingStatus, ResolutionStatus
from domain.meeting.events import MEETING_FACTS
from events.area_figures import desa_itself, reading, unit_of
from events.fold import states_at
from events.projections import meetings as meeting_index

Value = int | float | None


@dataclass(frozen=True)
class OrgUnit:
    """One area's indicator values."""

    code: str
    level: str
    values: dict[str, Value]


def indicator_values(
    services: Services, prefix: str, desa: list[str], period: Period, position: int | None
) -> tuple[list[OrgUnit], int]:
    """The values of every indicator for ``prefix`` and each area under it, and the log
    position they rest on."""
    commitments = commitments_at(services, prefix, position)
    with reading(services.store, prefix, period.months, position) as (sums, log_position):
        by_desa = sums.figures(prefix, period, desa_itself, detail=False)
        figures = {**by_desa.units, prefix: by_desa.figures}
        if wilayah.level(prefix) == wilayah.Level.KABKOTA:
            figures |= sums.figures(prefix, period, unit_of(prefix), detail=False).units
        codes = sorted(
            {
                prefix,
                *(c for c in figures if wilayah.covers(prefix, c)),
                *(d[:8] for d in desa if len(prefix) < 8),
                *desa,
            }
        )
        sponsored_in = {
            code: sponsor_figures(
                [(i, c) for i, c in commitments if wilayah.covers(code, c.desa)],
                period,
                figures.get(code, Figures()),
                partial(sums.stunted_among, code, period),
            )
            for code in codes
        }
    zero = {d for d, f in by_desa.units.items() if f.total.zero_new_stunting}
    meetings = _meetings_held(services, prefix, period, position)
    resolutions = resolutions_due(services, prefix, period, position)
    units = []
    for code in codes:
        mine = figures.get(code, Figures())
        total = mine.total
        values: dict[str, Value] = {
            i.code: getattr(total, i.field)
            for i in DICTIONARY
            if i.source is Source.FIGURES and i.field != "desa_zero_new_stunting"
        }
        values["TBH-S13"] = sum(1 for d in zero if wilayah.covers(code, d))
        due = [r for r in resolutions if any(wilayah.covers(code, a) for a in r.areas)]
        values["TBH-M01"] = sum(1 for m in meetings if wilayah.covers(code, m.area))
        values["TBH-M02"] = len(due)
        values["TBH-M03"] = sum(
            1
            for r in due
            if r.status is ResolutionStatus.DONE
            and r.closed_on is not None
            and r.closed_on <= r.due
        )
        sponsored = sponsored_in[code]
        values["TBH-P01"] = sponsored.sponsors
        values["TBH-P02"] = sponsored.active_commitments
        values["TBH-P03"] = sponsored.rupiah_committed
        values["TBH-P04"] = sponsored.rupiah_delivered
        values["TBH-P05"] = sponsored.share_stunted_sponsored
        level = {2: "kota", 3: "kecamatan", 4: "desa"}.get(wilayah.level(code), "provinsi")
        units.append(OrgUnit(code, level, values))
    return units, log_position


def _meetings_held(
    services: Services, prefix: str, period: Period, position: int | None
) -> list[MeetingState]:
    """Meetings over areas under ``prefix`` held in the period."""
    if position is None:
        with services.engine.connect() as conn:
            rows = meeting_index.list_meetings(
                conn, reach=(prefix,), area=None, first=None, last=None, after=None, limit=100_000
            )
        states = [r.state for r in rows]
    else:
        states = list(
            states_at(
                services.store, MeetingDecider(), MEETING_FACTS, wilayah=prefix, position=position
            ).values()
        )
    return [
        m
        for m in states
        if m.status is MeetingStatus.HELD
        and m.held_on is not None
        and _within(m.held_on, period)
        and wilayah.covers(prefix, m.area)
    ]


def _within(day: date, period: Period) -> bool:
    return period.first_day <= day <= period.last_day
