"""A posyandu day's batch of measurements from a field app that synced after being offline.

Each item carries its client-chosen ``event_id`` and is accepted or refused on its own, with
the reason; sending the same batch again changes nothing and returns the same answers.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Final

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException

from api.children.views import decider, writable_state_guard
from api.identity.access import Principal
from api.web.deps import ServicesDep
from api.web.kit import PROBLEMS, Write, Writes, example, today
from domain.child import commands as c
from domain.child.commands import MeasurementTyped
from domain.child.decider import ChildState, stream_id
from domain.child.events import Measurement
from domain.fact import DomainError, StateConflict
from domain.values import Line120
from events.errors import EventIdConflict
from events.handling import Answer, Job, execute_batch

router = APIRouter(tags=["children"])
MAX_ITEMS: Final = 500


class SessionItem(MeasurementTyped):
    """One measurement of the day: whose, and the client's event id for it."""

    model_config = ConfigDict(extra="forbid")

    event_id: uuid.UUID
    child_id: uuid.UUID


class PosyanduSession(BaseModel):
    """The measurements of one posyandu day (at most 500; more is 413)."""

    model_config = example(
        {
            "posyandu": "Posyandu Mawar",
            "items": [
                {
                    "child_id": "0197c3a1-5b2e-7c4d-9e10-3f2a1b4c5d01",
                    "event_id": "0197c3a1-5b2e-7c4d-9e10-3f2a1b4c5d13",
                    "measured_on": "2025-06-10",
                    "weight_kg": 10.0,
                    "length_cm": 78.9,
                    "position": "lying",
                }
            ],
        }
    )

    posyandu: Line120 | None = None
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


@router.post("/v1/posyandu-sessions", responses=PROBLEMS)
def record_session(
    body: PosyanduSession,
    services: ServicesDep,
    write: Annotated[Write, Writes("measurements:write", if_match=False, idempotency_key=False)],
) -> SessionAnswer:
    """Record a posyandu day: each item accepted or refused on its own; replay-safe."""
    if len(body.items) > MAX_ITEMS:
        raise HTTPException(413, f"a session holds at most {MAX_ITEMS} measurements")
    jobs = [_job(write.principal, item) for item in body.items]
    guard = writable_state_guard(write.principal)
    answers = execute_batch(services.store, decider, jobs, write.meta, guard=guard)
    items = [_answer(item, answer) for item, answer in zip(body.items, answers, strict=True)]
    accepted = sum(a.accepted for a in items)
    return SessionAnswer(accepted=accepted, refused=len(items) - accepted, items=items)


def _job(principal: Principal, item: SessionItem) -> Job[c.RecordMeasurement]:
    event_id = str(item.event_id)
    values = Measurement.model_validate(item.model_dump(exclude={"event_id", "child_id"}))
    if values.measured_by is None:
        values = values.model_copy(update={"measured_by": principal.id})
    command = c.RecordMeasurement(today=today(), measurement_id=event_id, measurement=values)
    return Job(stream_id(str(item.child_id)), command, (event_id,))


def _answer(item: SessionItem, answer: Answer[ChildState]) -> ItemAnswer:
    ids = {"event_id": str(item.event_id), "child_id": str(item.child_id)}
    if isinstance(answer, EventIdConflict):
        answer = StateConflict("this event id was used for another measurement", field="event_id")
    if isinstance(answer, DomainError):
        return ItemAnswer(
            **ids, accepted=False, status=answer.status, field=answer.field, detail=answer.detail
        )
    version = answer.events[-1].stream_version
    return ItemAnswer(**ids, accepted=True, version=version, status=201)
