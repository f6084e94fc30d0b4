"""The work queue of an area's overdue resolutions, counted per responsible office.

A resolution is seen by whoever's reach overlaps an area it concerns.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from api.identity.access import ensure_reach
from api.meetings.views import Reader, ResolutionSummary, summary
from api.web.deps import ServicesDep
from api.web.kit import PROBLEMS
from domain import wilayah
from domain.meeting.decider import local_day
from events.projections import meetings as index

router = APIRouter(tags=["meetings"])


class QueueAnswer(BaseModel):
    """Overdue open resolutions concerning an area, oldest due first, and counts per office."""

    code: str
    today: date
    items: list[ResolutionSummary]
    by_office: dict[str, int]


@router.get("/v1/areas/{code}/queues/overdue-resolutions", responses=PROBLEMS)
def overdue_queue(
    code: Annotated[str, Path(max_length=20, description="Kota, kecamatan or desa code.")],
    services: ServicesDep,
    caller: Reader,
    office: Annotated[str | None, Query(max_length=150)] = None,
) -> QueueAnswer:
    """Open resolutions past due concerning areas under ``code``, oldest due first, with
    the count per responsible office."""
    area = wilayah.parse(code, field="code")
    ensure_reach(caller, area, "area")
    today = local_day(services.clock())
    with services.engine.connect() as conn:
        rows = index.list_resolutions(
            conn,
            reach=caller.reach.prefixes,
            area=area,
            overdue=True,
            today=today,
            office=None if office is None else " ".join(office.split()),
        )
    by_office: dict[str, int] = {}
    for row in rows:
        by_office[row.state.office] = by_office.get(row.state.office, 0) + 1
    return QueueAnswer(
        code=area,
        today=today,
        items=[summary(r, today) for r in rows],
        by_office=dict(sorted(by_office.items())),
    )
