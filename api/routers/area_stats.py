"""Area figures: desa, kecamatan and kota statistics, zero new stunting, work queues.

Every figure can be asked "as known at" an earlier moment (``known_at``: an RFC 3339
timestamp or a log position); the answer names the log position it rests on in the
``Tumbuh-Log-Position`` header and in ``log_position``, so anyone can reproduce it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import AwareDatetime, BaseModel, Field, TypeAdapter, ValidationError

from api.access import Principal, Requires, ensure_reach
from api.csv_answer import csv_text
from api.deps import ServicesDep
from api.meeting_views import area_names, desa_under
from api.responses import CSV, also, problems
from api.routers.children import masked_initials
from api.routers.children import today as children_today
from api.services import Services
from domain import wilayah
from domain.child.decider import age_on
from domain.fact import DomainError, NotFound
from domain.figures import Figures, Period, Split, parse_period
from domain.figures import NewCase as Case
from domain.figures.periods import months_between
from domain.values import ascii_digits
from events.area_figures import (
    AreaFigures,
    AsOf,
    Unit,
    desa_itself,
    figures_now,
    position_at,
    unit_of,
)
from events.projections import figures as proj

router = APIRouter(tags=["figures"])
PROBLEMS = problems(404)
_CODE = "Kemendagri code of a desa/kelurahan, kecamatan or kota (dotted or undotted)."
_KNOWN_AT = (
    "The figures as the system would have answered at this moment: an RFC 3339 timestamp "
    "or a log position. Entries and corrections recorded later are left out."
)
Reader = Annotated[Principal, Requires("areas:read")]
CodePath = Annotated[str, Path(description=_CODE, max_length=20)]
KnownAt = Annotated[str | None, Query(description=_KNOWN_AT, max_length=40)]
_INSTANT: TypeAdapter[AwareDatetime] = TypeAdapter(AwareDatetime)


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


@router.get(
    "/v1/areas/{code}/stats", response_model=StatsAnswer, responses={**PROBLEMS, **also(CSV)}
)
def area_stats(  # noqa: PLR0917 - FastAPI parameters
    code: CodePath,
    services: ServicesDep,
    principal: Reader,
    period: Annotated[str, Query(description="YYYY-MM, YYYY-Qn or YYYY.", max_length=8)],
    known_at: KnownAt = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    """The area's figures for a month, quarter or year (CSV with ``format=csv``)."""
    answer = stats_answer(services, principal, code, period, known_at)
    headers = {"Tumbuh-Log-Position": str(answer.log_position)}
    if format == "csv":
        return Response(_csv(answer), media_type="text/csv; charset=utf-8", headers=headers)
    # Built and checked once: a kota's month lists hundreds of new cases, and FastAPI would
    # dump the returned model and validate it again before writing it.
    return Response(answer.model_dump_json(), media_type="application/json", headers=headers)


def stats_answer(
    services: Services, principal: Principal, code: str, period: str, known_at: str | None
) -> StatsAnswer:
    """The figures ``GET /v1/areas/{code}/stats`` answers (also ``tumbuh stats``)."""
    area = _area(services, principal, code)
    found = FigureSource(services, area, known_at).of(parse_period(period))
    return _stats(services, principal, found, known_at)


@router.get("/v1/areas/{code}/stats/series", response_model=SeriesAnswer, responses=PROBLEMS)
def area_series(  # noqa: PLR0917 - FastAPI parameters
    code: CodePath,
    response: Response,
    services: ServicesDep,
    principal: Reader,
    from_: Annotated[str, Query(alias="from", description="First month, YYYY-MM.")],
    to: Annotated[str, Query(description="Last month, YYYY-MM (at most 120 months).")],
    known_at: KnownAt = None,
) -> SeriesAnswer:
    """Monthly figures from ``from`` to ``to``."""
    area = _area(services, principal, code)
    months = months_between(from_, to)
    source = FigureSource(services, area, known_at, months)
    found = [source.of(Period(m, (m,))) for m in months]
    log_position = found[0].log_position
    response.headers["Tumbuh-Log-Position"] = str(log_position)
    return SeriesAnswer(
        code=area,
        known_at=known_at,
        log_position=log_position,
        months=[_stats(services, principal, f, known_at, cases=False) for f in found],
    )


@router.get("/v1/areas/{code}/zero-new-stunting", response_model=ZeroAnswer, responses=PROBLEMS)
def zero_new_stunting(  # noqa: PLR0917 - FastAPI parameters
    code: CodePath,
    response: Response,
    services: ServicesDep,
    principal: Reader,
    year: Annotated[int, Query(ge=2000, le=2100)],
    known_at: KnownAt = None,
) -> ZeroAnswer:
    """Each desa under the area, per month of ``year``: zero new stunting, and who was new."""
    area = _area(services, principal, code)
    months = months_between(f"{year}-01", f"{year}-12")
    source = FigureSource(services, area, known_at, months)
    per_desa: dict[str, list[ZeroMonth]] = {}
    log_position = 0
    every_desa = desa_under(services, area)
    for month in months:
        found = source.of(Period(month, (month,)), desa_itself)
        log_position = found.log_position
        for desa in every_desa:
            figures = found.units.get(desa, Figures())
            cases = [c for c in found.figures.new_cases if c.desa == desa]
            per_desa.setdefault(desa, []).append(ZeroMonth(
                month=month, measured=figures.total.measured,
                new_stunting=figures.total.new_stunting,
                zero_new_stunting=figures.total.zero_new_stunting,
                new_cases=_cases(services, principal, cases),
            ))  # fmt: skip
    names = area_names(services, list(per_desa))
    response.headers["Tumbuh-Log-Position"] = str(log_position)
    return ZeroAnswer(
        code=area, year=year, known_at=known_at, log_position=log_position,
        desa=[
            ZeroDesa(code=d, name=names.get(d), months=m,
                     months_zero=sum(1 for x in m if x.zero_new_stunting))
            for d, m in sorted(per_desa.items())
        ],
    )  # fmt: skip


@router.get("/v1/areas/{code}/queues/not-measured", response_model=QueueAnswer,
            responses=PROBLEMS)  # fmt: skip
def queue_not_measured(
    code: CodePath,
    services: ServicesDep,
    principal: Annotated[Principal, Requires("children:read")],
    period: Annotated[str, Query(description="A month, YYYY-MM.", max_length=7)],
) -> QueueAnswer:
    """Children present in the area at the month's end but not measured in the month."""
    area = _area(services, principal, code)
    month = _month(period)
    end = month.last_day
    with services.engine.connect() as conn:
        rows = proj.residents_not_measured(conn, area, month.months[0], end)
    items = [
        QueueChild(child_id=r["child_id"], desa=r["desa"], sex=r["sex"],
                   age_months=age_on(r["birth_date"], end)[1])
        for r in rows
    ]  # fmt: skip
    return QueueAnswer(code=area, period=month.name, items=items)


@router.get("/v1/areas/{code}/queues/remeasure", response_model=QueueAnswer, responses=PROBLEMS)
def queue_remeasure(
    code: CodePath,
    services: ServicesDep,
    principal: Annotated[Principal, Requires("children:read")],
    period: Annotated[str, Query(description="YYYY-MM, YYYY-Qn or YYYY.", max_length=8)],
) -> QueueAnswer:
    """Children with an implausible (flagged) measurement in the period, to measure again."""
    area = _area(services, principal, code)
    chosen = parse_period(period)
    with services.engine.connect() as conn:
        rows = proj.flagged_months(conn, area, chosen.months)
    items = [
        QueueChild(child_id=r.child_id, desa=r.desa, sex=r.sex, measured_on=r.measured_on,
                   event_id=r.event_id, age_band=r.band)
        for r in rows
    ]  # fmt: skip
    return QueueAnswer(code=area, period=chosen.name, items=items)


@router.get("/v1/areas/{code}/queues/stunted", response_model=QueueAnswer, responses=PROBLEMS)
def queue_stunted(
    code: CodePath,
    services: ServicesDep,
    principal: Annotated[Principal, Requires("children:read")],
    after: Annotated[uuid.UUID | None, Query(description="The cursor: last id seen.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> QueueAnswer:
    """Children stunted now, the most recently stunted first."""
    area = _area(services, principal, code)
    cursor = None if after is None else str(after)
    with services.engine.connect() as conn:
        rows = proj.stunted_children(conn, area, after=cursor, limit=limit + 1)
    today = children_today()
    items = [
        QueueChild(child_id=r["child_id"], desa=r["desa"], sex=r["sex"],
                   age_months=age_on(r["birth_date"], today)[1],
                   measured_on=r["latest_measured_on"], first_stunted_on=r["first_stunted_on"],
                   severely_stunted=r["severely_stunted"])
        for r in rows[:limit]
    ]  # fmt: skip
    following = items[-1].child_id if len(rows) > limit else None
    return QueueAnswer(code=area, period=None, items=items, next=following)


# -- helpers -----------------------------------------------------------------------------


def _area(services: Services, principal: Principal, code: str) -> str:
    area = wilayah.parse(code, field="code")
    ensure_reach(principal, area, "area")
    if not desa_under(services, area):
        raise NotFound("there is no registered desa/kelurahan under this code")
    return area


def _month(text: str) -> Period:
    if not re.fullmatch(r"\d{4}-\d{2}", text):
        raise DomainError("give a month YYYY-MM", field="period")
    return parse_period(text)


def log_position_of(services: Services, known_at: str | None) -> int | None:
    """The log position ``known_at`` names, or None for now (also when it is the head)."""
    if known_at is None:
        return None
    head = services.store.head().position
    if ascii_digits(known_at, 15):
        position = int(known_at)
        if position > head:
            raise DomainError(f"the log ends at position {head}", field="known_at")
    else:
        try:
            instant = _INSTANT.validate_python(known_at)
        except ValidationError:
            raise DomainError(_known_at_refusal(known_at), field="known_at") from None
        position = position_at(services.engine, instant)
    return None if position >= head else position


def _known_at_refusal(known_at: str) -> str:
    refusal = "give an RFC 3339 timestamp with its offset or a log position"
    if " " in known_at:  # a "+" sent unencoded arrives as a space
        refusal += (
            "; in a URL a + stands for a space, so send the offset's + as %2B "
            "(known_at=2025-06-01T00:00:00%2B07:00)"
        )
    return refusal


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


def _stats(
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
        code=found.code, level=level, period=found.period.name, known_at=known_at,
        log_position=found.log_position, sasaran_balita=found.sasaran_balita,
        sasaran_baduta=found.sasaran_baduta,
        by_sex={k: Counts.of(v) for k, v in figures.by_sex.items()},
        by_age_band={k: Counts.of(v) for k, v in figures.by_age_band.items()},
        new_cases=_cases(services, principal, figures.new_cases) if cases else [],
        ranking=[
            Ranked(rank=i + 1, code=c, name=names.get(c), present=f.total.present,
                   measured=f.total.measured, coverage=f.total.coverage,
                   prevalence_stunting=f.total.prevalence_stunting,
                   new_stunting=f.total.new_stunting,
                   zero_new_stunting=f.total.zero_new_stunting)
            for i, (c, f) in enumerate(ranked)
        ],
    )  # fmt: skip


def _none_last(value: float | None) -> float:
    return float("inf") if value is None else value


def _cases(services: Services, principal: Principal, rows: list[Case]) -> list[NewCase]:
    readable = "children:read" in principal.scopes
    shown = masked_initials(services, [r.child_id for r in rows]) if readable else {}
    # Validated as one list: a kota's month has hundreds (measured: a quarter of the time of
    # model_construct for each).
    return _NEW_CASES.validate_python([
        {"child_id": r.child_id, "desa": r.desa, "sex": r.sex, "age_band": r.band,
         "kind": r.kind, "measured_on": r.measured_on,
         "haz": None if r.haz is None else round(r.haz, 2), "initials": shown.get(r.child_id)}
        for r in rows
    ])  # fmt: skip


_NEW_CASES: Final = TypeAdapter(list[NewCase])


def _csv(answer: StatsAnswer) -> str:
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
