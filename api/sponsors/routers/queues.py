"""The sponsors' work queues of an area: stunted children without a running nutrition
commitment, KRS families without any commitment, and commitments whose deliveries are
overdue. Answered only to area-wide readers, never to a sponsor principal (403)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.sponsors.views import (
    AreaPath,
    AreaReader,
    CommitmentAnswer,
    Suggestion,
    reached_area,
    suggestion_page,
    today,
)
from api.web.deps import ServicesDep
from api.web.kit import PROBLEMS, cursor
from domain.sponsor import events as e
from domain.sponsor.fulfilment import fulfilment
from events.projections import sponsors as index

router = APIRouter(tags=["sponsors"])


class SuggestionQueue(BaseModel):
    """Stunted children without a running nutrition commitment, oldest case first."""

    items: list[Suggestion]
    next: str | None


class FamilyItem(BaseModel):
    """A KRS family without any commitment."""

    family_id: str
    desa: str
    risks: list[e.RiskFactor]
    children: int
    mothers: int


class FamilyQueue(BaseModel):
    """KRS families nobody has committed to, by id."""

    items: list[FamilyItem]
    next: str | None


class OverdueQueue(BaseModel):
    """Commitments whose deliveries are overdue, the longest waiting first."""

    items: list[CommitmentAnswer]
    next: None = None


@router.get("/v1/areas/{code}/queues/unsponsored-stunted", responses=PROBLEMS)
def unsponsored_stunted(
    code: AreaPath,
    services: ServicesDep,
    caller: AreaReader,
    after: Annotated[str | None, Query(max_length=60, description="The previous `next`.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SuggestionQueue:
    """Balita stunted now (severely or not) in the area with no nutrition commitment running
    today (none, paused, ended or cancelled), the oldest case first; masked."""
    area = reached_area(caller, code)
    day = today(services)
    with services.engine.connect() as conn:
        rows = index.unsponsored_stunted(
            conn,
            area=area,
            reach=caller.reach.prefixes,
            today=day,
            after=cursor(after),
            limit=limit,
        )
    items, following = suggestion_page(services, rows, limit, day)
    return SuggestionQueue(items=items, next=following)


@router.get("/v1/areas/{code}/queues/krs-without-commitment", responses=PROBLEMS)
def krs_without_commitment(
    code: AreaPath,
    services: ServicesDep,
    caller: AreaReader,
    after: Annotated[uuid.UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> FamilyQueue:
    """KRS families in the area for whom (or for whose mothers or children) no commitment
    was ever made, by id."""
    area = reached_area(caller, code)
    with services.engine.connect() as conn:
        rows = index.krs_without_commitment(
            conn,
            area=area,
            reach=caller.reach.prefixes,
            after=None if after is None else str(after),
            limit=limit,
        )
    items = [
        FamilyItem(
            family_id=i,
            desa=s.desa,
            risks=list(s.risks),
            children=len(s.children),
            mothers=len(s.mothers),
        )
        for i, s in rows
    ]
    return FamilyQueue(items=items, next=items[-1].family_id if len(items) == limit else None)


@router.get("/v1/areas/{code}/queues/overdue-deliveries", responses=PROBLEMS)
def overdue_deliveries(code: AreaPath, services: ServicesDep, caller: AreaReader) -> OverdueQueue:
    """Active commitments in the area with nothing verified for more than one period, the
    longest waiting first."""
    area = reached_area(caller, code)
    day = today(services)
    with services.engine.connect() as conn:
        rows = index.list_commitments(
            conn, reach=caller.reach.prefixes, area=area, status=e.CommitmentStatus.ACTIVE.value
        )
    late = [(i, s, v) for i, s, v in rows if fulfilment(s, day).overdue]
    late.sort(key=lambda r: (fulfilment(r[1], day).last_verified or r[1].start, r[0]))
    return OverdueQueue(items=[CommitmentAnswer.of(i, s, v, day) for i, s, v in late])
