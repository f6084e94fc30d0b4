"""Area figures: desa, kecamatan and kota statistics, zero new stunting, work queues.

Every figure can be asked "as known at" an earlier moment (``known_at``: an RFC 3339
timestamp or a log position); the answer names the log position it rests on in the
``Tumbuh-Log-Position`` header and in ``log_position``, so anyone can reproduce it.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from api.areas.figures import (
    FigureSource,
    QueueAnswer,
    QueueChild,
    SeriesAnswer,
    StatsAnswer,
    ZeroAnswer,
    ZeroDesa,
    ZeroMonth,
    area_in_reach,
    new_cases,
    parse_month,
    stats_answer,
    stats_csv,
    stats_of,
)
from api.areas.registry import area_names, desa_under
from api.identity.access import Principal, Requires
from api.web.deps import ServicesDep
from api.web.kit import CodePath, KnownAt
from api.web.kit import today as children_today
from api.web.responses import CSV, also, problems
from domain.child.decider import age_on
from domain.figures import Figures, Period, parse_period
from domain.figures.periods import months_between
from events.area_figures import (
    desa_itself,
)
from events.projections import figures as proj

router = APIRouter(tags=["figures"])
PROBLEMS = problems(404)
Reader = Annotated[Principal, Requires("areas:read")]


@router.get(
    "/v1/areas/{code}/stats", response_model=StatsAnswer, responses={**PROBLEMS, **also(CSV)}
)
def area_stats(
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
        return Response(stats_csv(answer), media_type="text/csv; charset=utf-8", headers=headers)
    # Built and checked once: a kota's month lists hundreds of new cases, and FastAPI would
    # dump the returned model and validate it again before writing it.
    return Response(answer.model_dump_json(), media_type="application/json", headers=headers)


@router.get("/v1/areas/{code}/stats/series", response_model=SeriesAnswer, responses=PROBLEMS)
def area_series(
    code: CodePath,
    response: Response,
    services: ServicesDep,
    principal: Reader,
    from_: Annotated[str, Query(alias="from", description="First month, YYYY-MM.")],
    to: Annotated[str, Query(description="Last month, YYYY-MM (at most 120 months).")],
    known_at: KnownAt = None,
) -> SeriesAnswer:
    """Monthly figures from ``from`` to ``to``."""
    area = area_in_reach(services, principal, code)
    months = months_between(from_, to)
    source = FigureSource(services, area, known_at, months)
    found = [source.of(Period(m, (m,))) for m in months]
    log_position = found[0].log_position
    response.headers["Tumbuh-Log-Position"] = str(log_position)
    return SeriesAnswer(
        code=area,
        known_at=known_at,
        log_position=log_position,
        months=[stats_of(services, principal, f, known_at, cases=False) for f in found],
    )


@router.get("/v1/areas/{code}/zero-new-stunting", response_model=ZeroAnswer, responses=PROBLEMS)
def zero_new_stunting(
    code: CodePath,
    response: Response,
    services: ServicesDep,
    principal: Reader,
    year: Annotated[int, Query(ge=2000, le=2100)],
    known_at: KnownAt = None,
) -> ZeroAnswer:
    """Each desa under the area, per month of ``year``: zero new stunting, and who was new."""
    area = area_in_reach(services, principal, code)
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
            per_desa.setdefault(desa, []).append(
                ZeroMonth(
                    month=month,
                    measured=figures.total.measured,
                    new_stunting=figures.total.new_stunting,
                    zero_new_stunting=figures.total.zero_new_stunting,
                    new_cases=new_cases(services, principal, cases),
                )
            )
    names = area_names(services, list(per_desa))
    response.headers["Tumbuh-Log-Position"] = str(log_position)
    return ZeroAnswer(
        code=area,
        year=year,
        known_at=known_at,
        log_position=log_position,
        desa=[
            ZeroDesa(
                code=d,
                name=names.get(d),
                months=m,
                months_zero=sum(1 for x in m if x.zero_new_stunting),
            )
            for d, m in sorted(per_desa.items())
        ],
    )


@router.get("/v1/areas/{code}/queues/not-measured", response_model=QueueAnswer, responses=PROBLEMS)
def queue_not_measured(
    code: CodePath,
    services: ServicesDep,
    principal: Annotated[Principal, Requires("children:read")],
    period: Annotated[str, Query(description="A month, YYYY-MM.", max_length=7)],
) -> QueueAnswer:
    """Children present in the area at the month's end but not measured in the month."""
    area = area_in_reach(services, principal, code)
    month = parse_month(period)
    end = month.last_day
    with services.engine.connect() as conn:
        rows = proj.residents_not_measured(conn, area, month.months[0], end)
    items = [
        QueueChild(
            child_id=r["child_id"],
            desa=r["desa"],
            sex=r["sex"],
            age_months=age_on(r["birth_date"], end)[1],
        )
        for r in rows
    ]
    return QueueAnswer(code=area, period=month.name, items=items)


@router.get("/v1/areas/{code}/queues/remeasure", response_model=QueueAnswer, responses=PROBLEMS)
def queue_remeasure(
    code: CodePath,
    services: ServicesDep,
    principal: Annotated[Principal, Requires("children:read")],
    period: Annotated[str, Query(description="YYYY-MM, YYYY-Qn or YYYY.", max_length=8)],
) -> QueueAnswer:
    """Children with an implausible (flagged) measurement in the period, to measure again."""
    area = area_in_reach(services, principal, code)
    chosen = parse_period(period)
    with services.engine.connect() as conn:
        rows = proj.flagged_months(conn, area, chosen.months)
    items = [
        QueueChild(
            child_id=r.child_id,
            desa=r.desa,
            sex=r.sex,
            measured_on=r.measured_on,
            event_id=r.event_id,
            age_band=r.band,
        )
        for r in rows
    ]
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
    area = area_in_reach(services, principal, code)
    cursor = None if after is None else str(after)
    with services.engine.connect() as conn:
        rows = proj.stunted_children(conn, area, after=cursor, limit=limit + 1)
    today = children_today()
    items = [
        QueueChild(
            child_id=r["child_id"],
            desa=r["desa"],
            sex=r["sex"],
            age_months=age_on(r["birth_date"], today)[1],
            measured_on=r["latest_measured_on"],
            first_stunted_on=r["first_stunted_on"],
            severely_stunted=r["severely_stunted"],
        )
        for r in rows[:limit]
    ]
    following = items[-1].child_id if len(rows) > limit else None
    return QueueAnswer(code=area, period=None, items=items, next=following)


# -- helpers -----------------------------------------------------------------------------
