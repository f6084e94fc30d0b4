"""A posyandu day's batch of measurements from a field app that synced after being offline.

Each item carries its client-chosen ``event_id`` and is accepted or refused on its own, with
the reason; sending the same batch again changes nothing and returns the same answers.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Final

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from api.access import Principal, Requires, write_meta
from api.deps import ServicesDep
from api.routers.children import PROBLEM, child_row, decider, today
from api.services import Services
from domain.child import commands as c
from domain.child.decider import stream_id
from domain.child.events import Measurement
from domain.fact import DomainError
from events.envelope import JsonObject
from events.errors import EventIdConflict, InvalidAppend
from events.handling import execute

router = APIRouter(tags=["children"])
MAX_ITEMS: Final = 500


class SessionItem(Measurement):
    """One measurement of the day: whose, and the client's event id for it."""

    model_config = ConfigDict(extra="forbid")

    event_id: uuid.UUID
    child_id: uuid.UUID


class PosyanduSession(BaseModel):
    """The measurements of one posyandu day (at most 500; more is 413)."""

    model_config = ConfigDict(extra="forbid")

    posyandu: str | None = Field(None, max_length=120)
    items: list[SessionItem]


class ItemAnswer(BaseModel):
    """Whether an item was stored; if refused, why (status as the single write would answer)."""

    event_id: str
    child_id: str
    accepted: bool
    version: int | None = None
    status: int
    field: str | None = None
    detail: str | None = None


class SessionAnswer(BaseModel):
    """One answer per item, in the order sent."""

    accepted: int
    refused: int
    items: list[ItemAnswer]


@router.post("/v1/posyandu-sessions", responses={**PROBLEM, 413: PROBLEM[422]})
def record_session(
    body: PosyanduSession,
    request: Request,
    services: ServicesDep,
    principal: Annotated[Principal, Requires("measurements:write")],
) -> SessionAnswer:
    """Record a posyandu day: each item accepted or refused on its own; replay-safe."""
    if len(body.items) > MAX_ITEMS:
        raise HTTPException(413, f"a session holds at most {MAX_ITEMS} measurements")
    meta = write_meta(principal, request)
    answers = [_item(services, principal, meta, item) for item in body.items]
    accepted = sum(a.accepted for a in answers)
    return SessionAnswer(accepted=accepted, refused=len(answers) - accepted, items=answers)


def _item(
    services: Services, principal: Principal, meta: JsonObject, item: SessionItem
) -> ItemAnswer:
    event_id, child_id = str(item.event_id), str(item.child_id)
    values = Measurement.model_validate(item.model_dump(exclude={"event_id", "child_id"}))
    if values.measured_by is None:
        values = values.model_copy(update={"measured_by": principal.id})
    command = c.RecordMeasurement(today=today(), measurement_id=event_id, measurement=values)
    try:
        child_row(services, principal, item.child_id)
        outcome = execute(
            services.store, decider, stream_id(child_id), command, meta, event_ids=[event_id]
        )
    except DomainError as refused:
        return ItemAnswer(
            event_id=event_id,
            child_id=child_id,
            accepted=False,
            status=refused.status,
            field=refused.field,
            detail=refused.detail,
        )
    except (EventIdConflict, InvalidAppend):
        return ItemAnswer(
            event_id=event_id,
            child_id=child_id,
            accepted=False,
            status=409,
            field="event_id",
            detail="this event id was used for another measurement",
        )
    version = outcome.events[-1].stream_version
    return ItemAnswer(
        event_id=event_id, child_id=child_id, accepted=True, version=version, status=201
    )
