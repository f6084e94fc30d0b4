"""The figures of an area: the answers of the stats, series, zero-new-stunting and queue
routes, read from the figure projections (now or as known at a past log position)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Final, Literal

from pydantic import BaseModel, Field, TypeAdapter

from api.areas.registry import area_names, desa_under
from api.identity.access import Principal, ensure_reach
from api.services import Services
from api.web.csv_answer import csv_text
from api.web.kit import log_position_of, masked_initials
from domain import wilayah
from domain.fact import DomainError, NotFound
from domain.figures import NewCase as Case
from domain.figures import Period, Split, parse_period
from events.area_figures import (
    AreaFigures,
    AsOf,
    Unit,
    figures_now,
    unit_of,
)


class Counts(BaseModel):
    """Counts of children (``flagged`` counts measurements) and the rates made of them."""

    present: int = Field(description="Children registered and present (S).")
    measured: int = Field(description="Children measured in the period (D).")
    coverage: float | None = Field(description="D/S; null when nobody is present.")
    measured_valid_haz: int
    stunted: int = Field(description="HAZ < -2 (pendek and sangat pendek).")
    severely_stunted: int = Field(description="HAZ < -3 (sangat pendek).")
    prevalence_stunting: float | None = Field(description="stunted / measured_valid_haz.")
    measured_valid_whz: int = Field(description="Measured with a valid unflagged WHZ, or oedema.")
    wasted: int = Field(description="WHZ < -2, or bilateral oedema.")
    severely_wasted: int = Field(description="WHZ < -3, or bilateral oedema.")
    overweight: int = Field(description="WHZ > +2.")
    measured_valid_waz: int
    underweight: int = Field(description="WAZ < -2.")
    new_stunting: int = Field(description="incident + first measured stunted (children).")
    incident: int
    first_measured_stunted: int
    zero_new_stunting: bool | None = Field(
        description="new_stunting = 0 with at least one child measured; null if none was."
    )
    flagged: int = Field(description="Implausible (flagged) measurements to re-measure.")

    @classmethod
    def of(cls, split: Split) -> Counts:
        """The answer form of ``split``."""
        return cls.model_validate(split.answer())


NewCaseKind = Literal["incident", "first_measured_stunted"]


class NewCase(BaseModel):
    """A child who became a new stunting case in the period (no personal data)."""

    child_id: str
    desa: str
    sex: str
    age_band: str
    kind: NewCaseKind
    measured_on: date
    haz: float | None
    initials: str | None = Field(None, description="Only with children:read.")


class Ranked(BaseModel):
    """An area one level below, ranked by stunting prevalence (lowest first)."""

    rank: int
    code: str
    name: str | None
    present: int
    measured: int
    coverage: float | None
    prevalence_stunting: float | None
    new_stunting: int
    zero_new_stunting: bool | None


class StatsAnswer(Counts):
    """An area's figures for a period."""

    code: str
    level: Literal["provinsi", "kota", "kecamatan", "desa"]
    period: str
    known_at: str | None = Field(description="As asked; null for the figures now.")
    log_position: int = Field(description="The log position the figures rest on.")
    sasaran_balita: int | None
    sasaran_baduta: int | None
    by_sex: dict[str, Counts]
    by_age_band: dict[str, Counts]
    new_cases: list[NewCase]
    ranking: list[Ranked] = Field(description="Desa of a kecamatan, kecamatan of a kota.")


class SeriesAnswer(BaseModel):
    """Monthly figures of an area."""

    code: str
    known_at: str | None
    log_position: int
    months: list[StatsAnswer]


class ZeroMonth(BaseModel):
    """One desa's month: measured children, new cases, and whether it reached zero."""

    month: str
    measured: int
    new_stunting: int
    zero_new_stunting: bool | None
    new_cases: list[NewCase]


class ZeroDesa(BaseModel):
    """One desa/kelurahan's year, month by month."""

    code: str
    name: str | None
    months_zero: int = Field(description="Months that reached zero new stunting.")
    months: list[ZeroMonth]


class ZeroAnswer(BaseModel):
    """Zero new stunting per desa and month for a year."""

    code: str
    year: int
    known_at: str | None
    log_position: int
    desa: list[ZeroDesa]


class QueueChild(BaseModel):
    """A child in a work queue (no personal data beyond initials with children:read)."""

    child_id: str
    desa: str
    sex: str
    age_months: int | None = Field(
        None, description="Completed months (today, or at the month's end)."
    )
    age_band: str | None = Field(None, description="0-5, 6-11, 12-23 or 24-59 months.")
    initials: str | None = None
    measured_on: date | None = None
    event_id: str | None = None
    first_stunted_on: date | None = None
    severely_stunted: bool | None = None


class QueueAnswer(BaseModel):
    """A work queue of an area."""

    code: str
    period: str | None
    items: list[QueueChild]
    next: str | None = None


def stats_answer(
    services: Services, principal: Principal, code: str, period: str, known_at: str | None
) -> StatsAnswer:
    """The figures ``GET /v1/areas/{code}/stats`` answers (also ``tumbuh stats``)."""
    area = area_in_reach(services, principal, code)
    found = FigureSource(services, area, known_at).of(parse_period(period))
    return stats_of(services, principal, found, known_at)


def area_in_reach(services: Services, principal: Principal, code: str) -> str:
    area = wilayah.parse(code, field="code")
    ensure_reach(principal, area, "area")
    if not desa_under(services, area):
        raise NotFound("there is no registered desa/kelurahan under this code")
    return area


def parse_month(text: str) -> Period:
    if not re.fullmatch(r"\d{4}-\d{2}", text):
        raise DomainError("give a month YYYY-MM", field="period")
    return parse_period(text)


class FigureSource:
    """The figures of one request: now, or as known at one log position throughout."""

    def __init__(
        self, services: Services, area: str, known_at: str | None, months: Sequence[str] = ()
    ) -> None:
        self.services, self.area = services, area
        position = log_position_of(services, known_at)
        self.as_of = None if position is None else AsOf(services.store, area, position)
        if self.as_of is not None and months:
            self.as_of.preload(months)  # one read for the whole range

    def of(self, period: Period, unit: Unit | None = None) -> AreaFigures:
        """The figures for ``period``, summed per ``unit`` too (by default one level below)."""
        chosen = unit if unit is not None else unit_of(self.area)
        if self.as_of is None:
            return figures_now(self.services.engine, self.area, period, chosen)
        return self.as_of.figures(period, chosen)


def stats_of(
    services: Services,
    principal: Principal,
    found: AreaFigures,
    known_at: str | None,
    *,
    cases: bool = True,
) -> StatsAnswer:
    figures = found.figures
    names = area_names(services, list(found.units))
    ranked = sorted(
        found.units.items(),
        key=lambda kv: (_none_last(kv[1].total.prevalence_stunting), kv[0]),
    )
    level = {1: "provinsi", 2: "kota", 3: "kecamatan", 4: "desa"}[wilayah.level(found.code)]
    return StatsAnswer(
        **Counts.of(figures.total).model_dump(),
        code=found.code,
        level=level,
        period=found.period.name,
        known_at=known_at,
        log_position=found.log_position,
        sasaran_balita=found.sasaran_balita,
        sasaran_baduta=found.sasaran_baduta,
        by_sex={k: Counts.of(v) for k, v in figures.by_sex.items()},
        by_age_band={k: Counts.of(v) for k, v in figures.by_age_band.items()},
        new_cases=new_cases(services, principal, figures.new_cases) if cases else [],
        ranking=[
            Ranked(
                rank=i + 1,
                code=c,
                name=names.get(c),
                present=f.total.present,
                measured=f.total.measured,
                coverage=f.total.coverage,
                prevalence_stunting=f.total.prevalence_stunting,
                new_stunting=f.total.new_stunting,
                zero_new_stunting=f.total.zero_new_stunting,
            )
            for i, (c, f) in enumerate(ranked)
        ],
    )


def _none_last(value: float | None) -> float:
    return float("inf") if value is None else value


def new_cases(services: Services, principal: Principal, rows: list[Case]) -> list[NewCase]:
    readable = "children:read" in principal.scopes
    shown = masked_initials(services, [r.child_id for r in rows]) if readable else {}
    # Validated as one list: a kota's month has hundreds (measured: a quarter of the time of
    # model_construct for each).
    return _NEW_CASES.validate_python(
        [
            {
                "child_id": r.child_id,
                "desa": r.desa,
                "sex": r.sex,
                "age_band": r.band,
                "kind": r.kind,
                "measured_on": r.measured_on,
                "haz": None if r.haz is None else round(r.haz, 2),
                "initials": shown.get(r.child_id),
            }
            for r in rows
        ]
    )


_NEW_CASES: Final = TypeAdapter(list[NewCase])


def stats_csv(answer: StatsAnswer) -> str:
    columns = list(Counts.model_fields)
    head = [answer.code, answer.period, answer.log_position]
    rows: list[list[object]] = [["code", "period", "log_position", "group", *columns]]
    rows.append([*head, "all", *(getattr(answer, c) for c in columns)])
    groups = [
        *(("sex=" + k, v) for k, v in answer.by_sex.items()),
        *(("age_band=" + k, v) for k, v in answer.by_age_band.items()),
    ]
    for group, counts in groups:
        rows.append([*head, group, *(getattr(counts, c) for c in columns)])
    return csv_text(rows, line_end="\n")
