"""Children under five: registration and the child projection (status, latest measurement).

Personal fields (name, NIK, mother's identity, address) are encrypted in the log under the
child's own key; answers show them only to callers holding ``pii:read``, masked otherwise.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from api.children.views import (
    ChildAnswer,
    ChildId,
    answer,
    answered_child,
    child_answer,
    child_reads,
)
from api.identity.access import Principal, Requires
from api.web.deps import ServicesDep
from api.web.kit import IDEMPOTENCY_NAMESPACE, PROBLEMS, Write, Writes, checked_desa, example, today
from domain import wilayah
from domain.child import commands as c
from domain.child.commands import PersonalEntry
from domain.child.decider import stream_id
from domain.growth import Sex
from domain.values import DesaCode, Line120, ProgrammeDay
from events.projections import children as index

router = APIRouter(tags=["children"])


class RegisterChildRequest(BaseModel):
    """A new child: non-personal fields for statistics, ``personal`` encrypted apart."""

    model_config = example(
        {
            "sex": "F",
            "birth_date": "2024-03-05",
            "desa": "32.79.02.1001",
            "posyandu": "Posyandu Melati",
            "personal": {
                "name": "Demo Anak Contoh",
                "mother_name": "Demo Ibu Contoh",
                "address": "Alamat Demo 1",
            },
        }
    )

    id: uuid.UUID | None = Field(None, description="The child's id; chosen by the server if null.")
    event_id: uuid.UUID | None = Field(None, description="Makes a retry safe (or Idempotency-Key).")
    sex: Sex = Field(description="M (laki-laki) or F (perempuan).")
    birth_date: ProgrammeDay = Field(
        description="Date of birth; not in the future, under 60 months."
    )
    desa: DesaCode = Field(description="Code of a registered desa/kelurahan, e.g. 32.79.02.1001.")
    posyandu: Line120 = Field(description="The posyandu's name.")
    personal: PersonalEntry | None = Field(
        None, description="Name, NIK (16 digits, optional), mother's name and NIK, address."
    )


class ChildPage(BaseModel):
    """One page of children (without personal fields); ``next`` is the ``after`` of the next
    page (or null), as in every list."""

    items: list[ChildAnswer]
    next: str | None


@router.post("/v1/children", status_code=201, responses=PROBLEMS)
def register_child(
    body: RegisterChildRequest,
    response: Response,
    services: ServicesDep,
    write: Annotated[Write, Writes("children:write", if_match=False)],
) -> ChildAnswer:
    """Register a child; the answer is the child as ``GET /v1/children/{id}`` shows it."""
    desa = checked_desa(services, write.principal, body.desa)
    event_ids = write.event_ids(body.event_id)
    child_id = body.id or (
        uuid.uuid5(IDEMPOTENCY_NAMESPACE, event_ids[0]) if event_ids else uuid.uuid4()
    )
    command = c.RegisterChild(
        today=today(),
        sex=body.sex,
        birth_date=body.birth_date,
        desa=desa,
        posyandu=body.posyandu,
        personal=body.personal,
    )
    services.child_writes.execute(
        stream_id(str(child_id)), command, write.meta, event_ids=event_ids
    )
    response.status_code = 201
    return child_answer(services, write.principal, child_id, response)


# On the event loop, not in the thread pool (see api/identity/access.py's ``_authenticated``): the
# answer is one round trip for a few indexed rows, with no lock to wait for, and with no
# hand-off 4 concurrent readers are answered about 1.4 times as fast. On PostgreSQL the round
# trip is awaited on the store's asynchronous pool.
@router.get("/v1/children/{child_id}", responses=PROBLEMS)
async def get_child(
    child_id: ChildId,
    response: Response,
    services: ServicesDep,
    principal: Annotated[Principal, Requires("children:read")],
) -> ChildAnswer:
    """The child: status now, latest measurement and assessment, personal fields if allowed."""
    found = await services.store.rows_with_personal_async(*child_reads(principal, child_id))
    return answered_child(services, principal, child_id, response, found)


@router.get("/v1/children", responses=PROBLEMS)
def list_children(
    services: ServicesDep,
    principal: Annotated[Principal, Requires("children:read")],
    desa: Annotated[str | None, Query(description="One desa/kelurahan code.")] = None,
    status: Annotated[Literal["stunted", "not_stunted"] | None, Query()] = None,
    after: Annotated[uuid.UUID | None, Query(description="The cursor: last id seen.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ChildPage:
    """Children inside the caller's reach, by id, with cursor pagination (no personal fields)."""
    code = None if desa is None else wilayah.parse_desa(desa, field="desa")
    stunted = None if status is None else status == "stunted"
    with services.engine.connect() as conn:
        rows = index.list_children(
            conn,
            prefixes=principal.reach.prefixes,
            desa=code,
            stunted=stunted,
            after=None if after is None else str(after),
            limit=limit,
        )
    items = [answer(r) for r in rows]
    return ChildPage(items=items, next=str(items[-1].id) if len(items) == limit else None)
