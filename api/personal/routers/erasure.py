"""Erasure at a person's request (UU PDP 27/2022): a child, a child's mother, a family's
head or mother, a sponsor, an official named at a meeting. Needs ``pii:erase`` (admin) and
the record inside the caller's reach; the erasure is itself an event (``docs/audit.md``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from api.identity.access import Principal
from api.personal import erasure
from api.services import Services
from api.web.deps import ServicesDep
from api.web.kit import Write, Writes, example
from api.web.responses import problems
from api.web.routes import variant

router = APIRouter(tags=["personal data"])
PROBLEMS = problems(404, 409, 422)
Eraser = Annotated[Write, Writes("pii:erase", if_match=False, idempotency_key=False)]
_ID = "The record's id (a UUID)."
Id = Annotated[uuid.UUID, Path(description=_ID)]
Whose = Callable[[Services, Principal, uuid.UUID], erasure.Target]


class ErasureRequest(BaseModel):
    """Why the data is erased: the request's reference, never the person's name."""

    model_config = example({"reason": "request of 2026-12-01, ref 17"})

    reason: str = Field(min_length=3, max_length=500)


class ErasureAnswer(BaseModel):
    """What was erased: whose data, the keys destroyed, where the person was named."""

    subject: str = Field(description="The record the erasure was asked for (a stream id).")
    person: str = Field(description="Her place in it: child, mother, head, sponsor, official.")
    keys_erased: int
    streams: list[str] = Field(description="Every record that named the person.")
    position: int = Field(description="The log position of the access.personal_erased event.")
    cleared: bool = Field(description="Old copies of the keys were cleared from the key table.")


def _answer(done: erasure.Erased) -> ErasureAnswer:
    return ErasureAnswer(
        subject=done.target.stream_id,
        person=done.target.subject,
        keys_erased=len(done.keys),
        streams=list(done.streams),
        position=done.position,
        cleared=done.compaction.complete,
    )


def _run(services: Services, write: Write, target: erasure.Target, why: str) -> ErasureAnswer:
    return _answer(erasure.erase(services, target, why, write.meta))


def _erasure(path: str, name: str, whose: Whose, doc: str) -> None:
    """The route ``name`` at ``path`` (described by ``doc``): erase the data of the person
    ``whose`` finds in the record the path's id names."""
    record = path[path.index("{") + 1 : path.index("}")]  # the id's name: child_id, ...

    def erase(
        record_id: Id, body: ErasureRequest, services: ServicesDep, write: Eraser
    ) -> ErasureAnswer:
        return _run(services, write, whose(services, write.principal, record_id), body.reason)

    named = Annotated[uuid.UUID, Path(alias=record, description=_ID)]
    router.post(path, responses=PROBLEMS)(variant(erase, name=name, doc=doc, record_id=named))


# The records that name one person each: the path, the route's name (its operation id), whose
# data (in the record, if the caller's reach holds it), and what is erased.
_ERASURES = (
    (
        "/v1/children/{child_id}/erasure",
        "erase_child",
        partial(erasure.child, subject="child"),
        "Erase the child's personal data (name, NIK, address) wherever it is kept.",
    ),
    (
        "/v1/children/{child_id}/mother/erasure",
        "erase_childs_mother",
        partial(erasure.child, subject="mother"),
        "Erase the personal data of the child's mother, here and in every record naming her.",
    ),
    (
        "/v1/families/{family_id}/erasure",
        "erase_family_head",
        partial(erasure.family, subject="head"),
        "Erase the family head's personal data (name, NIK, address, KK number).",
    ),
    (
        "/v1/sponsors/{sponsor_id}/erasure",
        "erase_sponsor",
        erasure.sponsor,
        "Erase a sponsor's personal data (an individual's name, a contact).",
    ),
)
for one_person in _ERASURES:
    _erasure(*one_person)


@router.post("/v1/families/{family_id}/mothers/{mother_id}/erasure", responses=PROBLEMS)
def erase_family_mother(
    family_id: Id,
    mother_id: Id,
    body: ErasureRequest,
    services: ServicesDep,
    write: Eraser,
) -> ErasureAnswer:
    """Erase the personal data of one of the family's mothers, wherever she is named."""
    target = erasure.family(services, write.principal, family_id, f"mother-{mother_id}")
    return _run(services, write, target, body.reason)


@router.post("/v1/meetings/{meeting_id}/officials/{number}/erasure", responses=PROBLEMS)
def erase_official(
    meeting_id: Id,
    number: Annotated[int, Path(ge=1, le=1000, description="His place in the list, from 1.")],
    body: ErasureRequest,
    services: ServicesDep,
    write: Eraser,
) -> ErasureAnswer:
    """Erase the name of an official named at a meeting, in every meeting that names him."""
    target = erasure.official(services, write.principal, meeting_id, number)
    return _run(services, write, target, body.reason)
