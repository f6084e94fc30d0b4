"""Changes to a child's record: corrections of registration details, moves and exit."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from api.children.views import ChildAnswer, ChildId, child_answer, writable_child
from api.services import Services
from api.web.deps import ServicesDep
from api.web.kit import PROBLEMS, Write, Writes, checked_desa, example, today
from domain.child import commands as c
from domain.child.commands import PersonalEntry
from domain.child.decider import stream_id
from domain.child.events import ExitReason
from domain.growth import Sex
from domain.values import Day, DesaCode, Line120, ProgrammeDay, Text500

router = APIRouter(tags=["children"])
Writer = Annotated[Write, Writes("children:write")]


class Change(BaseModel):
    """What every change carries: an optional client ``event_id`` for safe retries."""

    model_config = ConfigDict(extra="forbid")

    event_id: uuid.UUID | None = Field(None, description="Makes a retry safe (or Idempotency-Key).")


class RegistrationCorrection(Change):
    """Corrected registration details; fields left null stay. ``personal`` replaces all."""

    model_config = example(
        {"posyandu": "Posyandu Mawar", "reason": "salah pilih posyandu saat registrasi"}
    )

    sex: Sex | None = None
    birth_date: ProgrammeDay | None = None
    posyandu: Line120 | None = None
    personal: PersonalEntry | None = None
    reason: Text500


class Move(Change):
    """The child lives in another desa/kelurahan of the installation from ``moved_on``."""

    model_config = example({"moved_on": "2025-06-20", "to_desa": "32.79.02.2003"})

    to_desa: DesaCode
    moved_on: Day = Field(description="Not before the birth, the last move, nor after today.")


class Exit(Change):
    """The child left the register: died or moved out of the installation."""

    model_config = example({"exited_on": "2025-07-25", "reason": "moved_out"})

    reason: ExitReason
    exited_on: Day = Field(description="Not before the birth, the last move, nor after today.")


def _run(
    response: Response,
    services: Services,
    write: Write,
    *,
    child_id: uuid.UUID,
    command: c.ChildCommand,
    given: uuid.UUID | None,
) -> ChildAnswer:
    """Run ``command`` on the child's stream; the answer is the child after it."""
    services.child_writes.execute(
        stream_id(str(child_id)),
        command,
        write.meta,
        expected_version=write.expected_version,
        event_ids=write.event_ids(given),
    )
    response.status_code = 201
    return child_answer(services, write.principal, child_id, response)


@router.post("/v1/children/{child_id}/corrections", status_code=201, responses=PROBLEMS)
def correct_registration(
    child_id: ChildId,
    body: RegistrationCorrection,
    response: Response,
    services: ServicesDep,
    write: Writer,
) -> ChildAnswer:
    """Correct registration details with a reason; measurements are reassessed."""
    writable_child(services, write.principal, child_id)
    command = c.CorrectRegistration(
        today=today(),
        sex=body.sex,
        birth_date=body.birth_date,
        posyandu=body.posyandu,
        personal=body.personal,
        reason=body.reason,
    )
    return _run(response, services, write, child_id=child_id, command=command, given=body.event_id)


@router.post("/v1/children/{child_id}/moves", status_code=201, responses=PROBLEMS)
def move_child(
    child_id: ChildId, body: Move, response: Response, services: ServicesDep, write: Writer
) -> ChildAnswer:
    """Move the child to another registered desa/kelurahan inside the caller's reach."""
    writable_child(services, write.principal, child_id)
    to_desa = checked_desa(services, write.principal, body.to_desa, field="to_desa")
    command = c.MoveChild(today=today(), to_desa=to_desa, moved_on=body.moved_on)
    return _run(response, services, write, child_id=child_id, command=command, given=body.event_id)


@router.post("/v1/children/{child_id}/exit", status_code=201, responses=PROBLEMS)
def exit_child(
    child_id: ChildId, body: Exit, response: Response, services: ServicesDep, write: Writer
) -> ChildAnswer:
    """Take the child off the register (died, moved out); 60 months is derived, not an exit."""
    writable_child(services, write.principal, child_id)
    command = c.ExitChild(today=today(), reason=body.reason, exited_on=body.exited_on)
    return _run(response, services, write, child_id=child_id, command=command, given=body.event_id)
