"""Families at risk of stunting (KRS) and their mothers. Families are answered only to
area-wide readers, never to a sponsor principal (403); their personal parts (names, NIK,
addresses) only with ``pii:read``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from api.identity.access import Principal, ensure_reach, ensure_writable
from api.services import Services
from api.sponsors.views import FAMILIES, AreaReader, PersonalPart, Writer
from api.web.deps import ServicesDep
from api.web.kit import (
    PROBLEMS,
    Strict,
    Write,
    Writes,
    answer_from,
    checked_desa,
    command_from,
    etag,
    example,
)
from domain import wilayah
from domain.fact import NotFound
from domain.sponsor import commands as c
from domain.sponsor import events as e
from domain.sponsor.commands import FamilyEntry, MotherEntry
from domain.sponsor.decider import FAMILY_PREFIX, FamilyState, Mother
from domain.values import DesaCode, ProgrammeDay, StrictBool
from events.projections import sponsors as index
from events.projections.children import find_child

router = APIRouter(tags=["sponsors"])
FamilyId = Annotated[uuid.UUID, Path(description="The family's id (a UUID).")]
Changer = Annotated[Write, Writes("sponsors:write", if_match=False, idempotency_key=False)]
PERSONAL: Final = PersonalPart(
    FAMILY_PREFIX,
    e.FamilyRegistered.event_type,
    e.FamilyPersonal,
    whole="head",
    path="/v1/families/{family_id}",
)


class MotherRequest(Strict):
    """A mother of the family: pregnant with a due date, or breastfeeding."""

    model_config = example(
        {
            "status": "pregnant",
            "due_date": "2025-11-01",
            "personal": {"name": "Demo Ibu Contoh"},
        }
    )

    id: uuid.UUID | None = Field(None, description="Chosen by the server if null.")
    status: e.MotherStatus
    due_date: ProgrammeDay | None = None
    personal: MotherEntry | None = None


class FamilyRequest(Strict):
    """A family of a desa: KRS or not, risk factors, its registered children and mothers."""

    model_config = example(
        {
            "desa": "32.79.02.2003",
            "krs": True,
            "risks": ["no_safe_water"],
            "children": ["0197c3a1-5b2e-7c4d-9e10-3f2a1b4c5d01"],
            "personal": {"head_name": "Demo Kepala Keluarga", "address": "Alamat Demo 1"},
        }
    )

    id: uuid.UUID | None = None
    event_id: uuid.UUID | None = None
    desa: DesaCode
    krs: StrictBool
    risks: list[e.RiskFactor] = Field(default_factory=list, max_length=6)
    children: list[uuid.UUID] = Field(default_factory=list, max_length=30)
    mothers: list[MotherRequest] = Field(default_factory=list, max_length=5)
    personal: FamilyEntry | None = None


class RisksRequest(Strict):
    """The family's KRS status and risk factors now."""

    model_config = example({"krs": True, "risks": ["no_safe_water", "birth_spacing_under_2y"]})

    krs: StrictBool
    risks: list[e.RiskFactor] = Field(max_length=6)


class FamilyAnswer(BaseModel):
    """A family (its personal part only with ``pii:read``)."""

    id: str
    desa: str
    krs: bool
    risks: list[e.RiskFactor]
    children: list[str]
    mothers: list[Mother]
    personal: e.FamilyPersonal | None = None
    erased: list[str] = Field(
        default_factory=list, description="Whose personal data was erased at their request."
    )
    version: int


class FamilyPage(BaseModel):
    """A page of families by id."""

    items: list[FamilyAnswer]
    next: str | None


@router.post("/v1/families", status_code=201, responses=PROBLEMS)
def register_family(
    body: FamilyRequest, response: Response, services: ServicesDep, write: Writer
) -> FamilyAnswer:
    """Register a family of a desa in the caller's reach, with its children and mothers."""
    desa = checked_desa(services, write.principal, body.desa)
    for child in body.children:
        _child_in(services, write.principal, str(child), field="children")
    at = services.clock()
    children = tuple(str(x) for x in body.children)
    command = command_from(c.RegisterFamily, body, at=at, desa=desa, children=children)
    family_id = FAMILIES.start(services, body, command, write, response, at="/v1/families")
    for mother in body.mothers:  # the same write: its events share one correlation id
        FAMILIES.write_more(services, family_id, _mother_command(at, mother), write)
    return family_answer(services, write.principal, family_id, response)


@router.post("/v1/families/{family_id}/mothers", responses=PROBLEMS)
def record_mother(
    family_id: FamilyId,
    body: MotherRequest,
    response: Response,
    services: ServicesDep,
    write: Changer,
) -> FamilyAnswer:
    """Record a mother of the family (pregnant or breastfeeding), or change her status."""
    command = _mother_command(services.clock(), body)
    return _change(services, response, write, family_id, command)


@router.post("/v1/families/{family_id}/risks", responses=PROBLEMS)
def change_risks(
    family_id: FamilyId,
    body: RisksRequest,
    response: Response,
    services: ServicesDep,
    write: Changer,
) -> FamilyAnswer:
    """Set the family's KRS status and risk factors."""
    command = command_from(c.ChangeRisks, body, at=services.clock())
    return _change(services, response, write, family_id, command)


@router.get("/v1/families", responses=PROBLEMS)
def list_families(
    services: ServicesDep,
    caller: AreaReader,
    area: Annotated[str | None, Query(max_length=20)] = None,
    krs: Annotated[bool | None, Query()] = None,
    after: Annotated[uuid.UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> FamilyPage:
    """Families in the caller's reach (without personal parts), by id."""
    code = None if area is None else wilayah.parse(area, field="area")
    with services.engine.connect() as conn:
        rows = index.list_families(
            conn,
            reach=caller.reach.prefixes,
            area=code,
            krs=krs,
            after=None if after is None else str(after),
            limit=limit,
        )
    items = [_family_answer(i, s, v) for i, s, v in rows]
    return FamilyPage(items=items, next=items[-1].id if len(items) == limit else None)


@router.get("/v1/families/{family_id}", responses=PROBLEMS)
def get_family(
    family_id: FamilyId, response: Response, services: ServicesDep, caller: AreaReader
) -> FamilyAnswer:
    """A family; its personal part (and its mothers' names) only with ``pii:read``."""
    return family_answer(services, caller, str(family_id), response)


def family_answer(
    services: Services, caller: Principal, family_id: str, response: Response
) -> FamilyAnswer:
    """The family as answered, with its ETag; personal part only with ``pii:read``."""
    state, version = _family(services, caller, family_id)
    answer = _family_answer(family_id, state, version)
    if "pii:read" in caller.scopes:
        answer.personal, answer.erased = PERSONAL.read(
            services, caller, family_id, place=state.desa
        )
    etag(response, version)
    return answer


def _mother_command(at: Any, body: MotherRequest) -> c.RecordMother:
    return command_from(c.RecordMother, body, at=at, mother=str(body.id or uuid.uuid4()))


def _family(services: Services, caller: Principal, family_id: str) -> tuple[FamilyState, int]:
    with services.engine.connect() as conn:
        found = index.find_family(conn, family_id)
    if found is None:
        raise NotFound("there is no such family")
    ensure_reach(caller, found[0].desa, "family")
    return found


def _change(
    services: Services,
    response: Response,
    write: Write,
    family_id: uuid.UUID,
    command: c.SponsorCommand,
) -> FamilyAnswer:
    """Change a family the caller may change, and answer it as it is now."""
    state, _ = _family(services, write.principal, str(family_id))
    ensure_writable(write.principal, [state.desa], "family")
    FAMILIES.write(services, str(family_id), command, write)
    return family_answer(services, write.principal, str(family_id), response)


def _family_answer(family_id: str, state: FamilyState, version: int) -> FamilyAnswer:
    return answer_from(FamilyAnswer, state, id=family_id, personal=None, version=version)


def _child_in(services: Services, caller: Principal, child_id: str, *, field: str) -> str:
    with services.engine.connect() as conn:
        child = find_child(conn, child_id)
    if child is None:
        raise NotFound("there is no such child")
    ensure_writable(caller, [str(child["desa"])], "child")
    return str(child["desa"])
