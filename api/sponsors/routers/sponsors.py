"""Families at risk and their mothers, sponsors (orang tua asuh), a sponsor's own view and
matching help. Personal parts (names, NIK, addresses, contacts) are answered only with
``pii:read`` and never to a sponsor principal; families only to area-wide readers, never
to a sponsor principal (403); a sponsor only to readers whose reach overlaps its areas."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.identity.access import Principal, ensure_reach, ensure_writable, read_meta, write_meta
from api.meetings.views import PROBLEMS
from api.services import Services
from api.sponsors.views import (
    AreaReader,
    CommitmentAnswer,
    Reader,
    Suggestion,
    Writer,
    own_sponsor,
    suggestion,
    today,
    unsponsored_cursor,
    visible_sponsor,
)
from api.web.deps import ServicesDep
from api.web.kit import (
    IdempotencyKey,
    Strict,
    checked_desa,
    client_event_id,
    derived_id,
    etag,
    masked_initials,
)
from domain import wilayah
from domain.access import OWN_RECORDS_ONLY
from domain.fact import DomainError, NotFound
from domain.sponsor import commands as c
from domain.sponsor import events as e
from domain.sponsor.commands import FamilyEntry, MotherEntry, SponsorEntry
from domain.sponsor.decider import (
    FAMILY_PREFIX,
    SPONSOR_PREFIX,
    FamilyDecider,
    FamilyState,
    Mother,
    SponsorDecider,
    SponsorState,
)
from domain.values import AreaCode, DesaCode, Line150, Login, ProgrammeDay, StrictBool
from events.handling import execute
from events.personal import Opened
from events.projections import sponsors as index
from events.projections.children import find_child, measurements_of

router = APIRouter(tags=["sponsors"])
FamilyId = Annotated[uuid.UUID, Path(description="The family's id (a UUID).")]
SponsorId = Annotated[uuid.UUID, Path(description="The sponsor's id (a UUID).")]
_families, _sponsors = FamilyDecider(), SponsorDecider()


class MotherRequest(Strict):
    """A mother of the family: pregnant with a due date, or breastfeeding."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "pregnant",
                    "due_date": "2025-11-01",
                    "personal": {"name": "Demo Ibu Contoh"},
                }
            ]
        }
    )

    id: uuid.UUID | None = Field(None, description="Chosen by the server if null.")
    status: e.MotherStatus
    due_date: ProgrammeDay | None = None
    personal: MotherEntry | None = None


class FamilyRequest(Strict):
    """A family of a desa: KRS or not, risk factors, its registered children and mothers."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "desa": "32.79.02.2003",
                    "krs": True,
                    "risks": ["no_safe_water"],
                    "children": ["0197c3a1-5b2e-7c4d-9e10-3f2a1b4c5d01"],
                    "personal": {"head_name": "Demo Kepala Keluarga", "address": "Alamat Demo 1"},
                }
            ]
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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"krs": True, "risks": ["no_safe_water", "birth_spacing_under_2y"]}]
        }
    )

    krs: StrictBool
    risks: list[e.RiskFactor] = Field(max_length=6)


class SponsorRequest(Strict):
    """A sponsor; an organisation gives its (public) name, a person goes in ``personal``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "baznas",
                    "name": "Baznas Kota Banjar",
                    "named_publicly": True,
                    "areas": ["32.79"],
                }
            ]
        }
    )

    id: uuid.UUID | None = None
    event_id: uuid.UUID | None = None
    kind: e.SponsorKind
    name: Line150 | None = None
    named_publicly: StrictBool = False
    areas: list[AreaCode] = Field(
        default_factory=list, max_length=50, description="Areas it sponsors in (for suggestions)."
    )
    principal: Login | None = Field(None, description="The login (role sponsor) that acts for it.")
    personal: SponsorEntry | None = None


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


class SponsorAnswer(BaseModel):
    """A sponsor (its personal part only with ``pii:read``)."""

    id: str
    kind: e.SponsorKind
    name: str | None
    named_publicly: bool
    areas: list[str]
    principal: str | None
    personal: e.SponsorPersonal | None = None
    erased: list[str] = Field(
        default_factory=list, description="Whose personal data was erased at their request."
    )
    version: int


class SponsorPage(BaseModel):
    """A page of sponsors by id."""

    items: list[SponsorAnswer]
    next: str | None


class Point(BaseModel):
    """One measurement of a sponsored child, as a sponsor may see it."""

    measured_on: date
    stunted: bool | None
    haz_band: str | None = Field(description="The Permenkes HAZ category code.")


class ChildTrend(BaseModel):
    """A sponsored child: masked identity and the trend of its status, nothing personal."""

    id: str
    initials: str | None
    desa: str
    stunted_now: bool | None
    trend: list[Point]


class SponsorView(BaseModel):
    """A sponsor's own view: its commitments and deliveries, its children's trends."""

    sponsor: SponsorAnswer
    commitments: list[CommitmentAnswer]
    children: list[ChildTrend]


class SuggestionPage(BaseModel):
    """Unsponsored stunted children in the sponsor's areas, oldest case first."""

    items: list[Suggestion]
    next: str | None


# -- families ----------------------------------------------------------------------------


@router.post("/v1/families", status_code=201, responses=PROBLEMS)
def register_family(
    body: FamilyRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    idempotency_key: IdempotencyKey = None,
) -> FamilyAnswer:
    """Register a family of a desa in the caller's reach, with its children and mothers."""
    desa = checked_desa(services, caller, body.desa)
    for child in body.children:
        _child_in(services, caller, str(child), field="children")
    event_id = client_event_id(caller, request, body.event_id, idempotency_key)
    family_id = str(body.id or derived_id(event_id))
    meta = write_meta(caller, request)
    at = services.clock()
    command = c.RegisterFamily(
        at=at,
        desa=desa,
        krs=body.krs,
        risks=tuple(body.risks),
        children=tuple(str(x) for x in body.children),
        personal=body.personal,
    )
    stream = FAMILY_PREFIX + family_id
    execute(
        services.store,
        _families,
        stream,
        command,
        meta,
        event_ids=None if event_id is None else [event_id],
    )
    for mother in body.mothers:
        execute(services.store, _families, stream, _mother_command(at, mother), meta)
    response.headers["Location"] = f"/v1/families/{family_id}"
    return family_answer(services, caller, family_id, response)


@router.post("/v1/families/{family_id}/mothers", responses=PROBLEMS)
def record_mother(
    family_id: FamilyId,
    body: MotherRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
) -> FamilyAnswer:
    """Record a mother of the family (pregnant or breastfeeding), or change her status."""
    _writable_family(services, caller, str(family_id))
    execute(
        services.store,
        _families,
        FAMILY_PREFIX + str(family_id),
        _mother_command(services.clock(), body),
        write_meta(caller, request),
    )
    return family_answer(services, caller, str(family_id), response)


@router.post("/v1/families/{family_id}/risks", responses=PROBLEMS)
def change_risks(
    family_id: FamilyId,
    body: RisksRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
) -> FamilyAnswer:
    """Set the family's KRS status and risk factors."""
    _writable_family(services, caller, str(family_id))
    command = c.ChangeRisks(at=services.clock(), krs=body.krs, risks=tuple(body.risks))
    execute(
        services.store,
        _families,
        FAMILY_PREFIX + str(family_id),
        command,
        write_meta(caller, request),
    )
    return family_answer(services, caller, str(family_id), response)


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
        stream = FAMILY_PREFIX + family_id
        types = (e.FamilyRegistered.event_type,)
        opened = services.store.latest_opened([stream], types).get(stream)
        answer.erased = [] if opened is None else erased_as(opened, "head")
        if opened is not None and opened.readable:
            answer.personal = e.FamilyPersonal.model_validate(opened.plain)
            services.access_log.record(
                caller.id, read_meta(caller), stream, state.desa, "/v1/families/{family_id}"
            )
    etag(response, version)
    return answer


# -- sponsors ----------------------------------------------------------------------------


@router.post("/v1/sponsors", status_code=201, responses=PROBLEMS)
def register_sponsor(
    body: SponsorRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    idempotency_key: IdempotencyKey = None,
) -> SponsorAnswer:
    """Register a sponsor over areas inside the caller's reach (and the login that acts
    for it, if any)."""
    areas = [wilayah.parse(area, field="areas") for area in body.areas]
    if not areas and not caller.reach.everywhere:
        raise DomainError(
            "name the areas the sponsor gives in: without any it would be installation-wide",
            field="areas",
        )
    ensure_writable(caller, areas, "area")
    if body.principal is not None:
        with services.engine.connect() as conn:
            if index.sponsor_of_principal(conn, body.principal) is not None:
                raise DomainError("this login acts for another sponsor already", field="principal")
    event_id = client_event_id(caller, request, body.event_id, idempotency_key)
    sponsor_id = str(body.id or derived_id(event_id))
    command = c.RegisterSponsor(
        at=services.clock(),
        kind=body.kind,
        name=body.name,
        named_publicly=body.named_publicly,
        areas=tuple(body.areas),
        principal=body.principal,
        personal=body.personal,
    )
    execute(
        services.store,
        _sponsors,
        SPONSOR_PREFIX + sponsor_id,
        command,
        write_meta(caller, request),
        event_ids=None if event_id is None else [event_id],
    )
    response.headers["Location"] = f"/v1/sponsors/{sponsor_id}"
    return sponsor_answer(services, caller, sponsor_id, response)


@router.get("/v1/sponsors", responses=PROBLEMS)
def list_sponsors(
    services: ServicesDep,
    caller: Reader,
    kind: Annotated[e.SponsorKind | None, Query()] = None,
    after: Annotated[uuid.UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SponsorPage:
    """Sponsors whose areas overlap the caller's reach, by id (a sponsor principal sees only
    itself); no personal parts."""
    mine = own_sponsor(services, caller)
    items: list[SponsorAnswer] = []
    cursor = None if after is None else str(after)
    with services.engine.connect() as conn:
        while True:
            rows = index.list_sponsors(
                conn, kind=None if kind is None else kind.value, after=cursor, limit=limit
            )
            for key, state, version in rows:
                if (mine is None or key == mine) and caller.reach.sees(state.areas):
                    items.append(_sponsor_answer(key, state, version))
                if len(items) == limit:
                    return SponsorPage(items=items, next=key)
            if len(rows) < limit:
                return SponsorPage(items=items, next=None)
            cursor = rows[-1][0]


@router.get("/v1/sponsors/{sponsor_id}", responses=PROBLEMS)
def get_sponsor(
    sponsor_id: SponsorId, response: Response, services: ServicesDep, caller: Reader
) -> SponsorAnswer:
    """A sponsor; its personal part only with ``pii:read``."""
    return sponsor_answer(services, caller, str(sponsor_id), response)


@router.get("/v1/sponsors/{sponsor_id}/view", responses=PROBLEMS)
def sponsor_view(
    sponsor_id: SponsorId, response: Response, services: ServicesDep, caller: Reader
) -> SponsorView:
    """The sponsor's own view: its commitments in the caller's reach with fulfilment and
    deliveries, and for each sponsored child only its initials and the trend of its status —
    never a name, NIK or address."""
    sponsor = sponsor_answer(services, caller, str(sponsor_id), response, personal=False)
    day = today(services)
    with services.engine.connect() as conn:
        rows = index.list_commitments(conn, reach=caller.reach.prefixes, sponsor=str(sponsor_id))
        kids = sorted(
            {
                s.beneficiary.id
                for _, s, _ in rows
                if s.beneficiary and s.beneficiary.kind is e.BeneficiaryKind.CHILD
            }
        )
        trends = [_trend(conn, child) for child in kids]
    names = masked_initials(services, kids)
    return SponsorView(
        sponsor=sponsor,
        commitments=[CommitmentAnswer.of(i, s, v, day) for i, s, v in rows],
        children=[t.model_copy(update={"initials": names.get(t.id)}) for t in trends if t],
    )


@router.get("/v1/sponsors/{sponsor_id}/suggestions", responses=PROBLEMS)
def suggestions(
    sponsor_id: SponsorId,
    services: ServicesDep,
    caller: Reader,
    area: Annotated[
        str | None, Query(max_length=20, description="One of its areas, or under.")
    ] = None,
    after: Annotated[str | None, Query(max_length=60)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SuggestionPage:
    """Unsponsored stunted children in the areas the sponsor chose (or ``area`` among them),
    masked, the oldest case first."""
    sponsor = sponsor_answer(services, caller, str(sponsor_id), Response(), personal=False)
    chosen = sponsor.areas or ["*"]
    if area is not None:
        code = wilayah.parse(area, field="area")
        if not wilayah.within(chosen, code):
            raise DomainError("the area is not among the sponsor's areas", field="area")
        chosen = [code]
    reach = caller.reach.prefixes
    day = today(services)
    cursor = unsponsored_cursor(after)
    with services.engine.connect() as conn:
        rows = [
            r
            for code in chosen
            for r in index.unsponsored_stunted(
                conn, area=code, reach=reach, today=day, after=cursor, limit=limit
            )
        ]
    rows.sort(key=lambda r: (r["first_stunted_on"] or date.min, r["child_id"]))
    rows = rows[:limit]
    names = masked_initials(services, [r["child_id"] for r in rows])
    items = [suggestion(r, names, day) for r in rows]
    following = (
        f"{rows[-1]['first_stunted_on']}_{rows[-1]['child_id']}" if len(rows) == limit else None
    )
    return SuggestionPage(items=items, next=following)


def sponsor_answer(
    services: Services,
    caller: Principal,
    sponsor_id: str,
    response: Response,
    *,
    personal: bool = True,
) -> SponsorAnswer:
    """The sponsor as answered (404 outside the caller's reach, or for a sponsor principal
    asking for another one); its personal part only with ``pii:read``, a logged read."""
    found = visible_sponsor(services, caller, sponsor_id)
    answer = _sponsor_answer(sponsor_id, *found)
    if personal and "pii:read" in caller.scopes and caller.role not in OWN_RECORDS_ONLY:
        stream = SPONSOR_PREFIX + sponsor_id
        types = (e.SponsorRegistered.event_type,)
        opened = services.store.latest_opened([stream], types).get(stream)
        answer.erased = [] if opened is None else erased_as(opened, "sponsor")
        if opened is not None and opened.readable:
            answer.personal = e.SponsorPersonal.model_validate(opened.plain)
            place = wilayah.common(found[0].areas)
            services.access_log.record(
                caller.id, read_meta(caller), stream, place, "/v1/sponsors/{sponsor_id}"
            )
    etag(response, found[1])
    return answer


def _trend(conn: Any, child_id: str) -> ChildTrend | None:
    child = find_child(conn, child_id)
    if child is None:
        return None
    points = []
    for m in measurements_of(conn, child_id):
        if m["state"] == "voided":
            continue
        assessment: dict[str, Any] = m["assessment"] or {}  # type: ignore[assignment]
        haz = (assessment.get("categories") or {}).get("haz") or {}
        points.append(
            Point(
                measured_on=m["measured_on"],
                stunted=assessment.get("stunted"),
                haz_band=haz.get("code"),
            )
        )
    return ChildTrend(
        id=child_id,
        initials=None,
        desa=str(child["desa"]),
        stunted_now=child["stunted"],
        trend=points,
    )


def _mother_command(at: Any, body: MotherRequest) -> c.RecordMother:
    return c.RecordMother(
        at=at,
        mother=str(body.id or uuid.uuid4()),
        status=body.status,
        due_date=body.due_date,
        personal=body.personal,
    )


def _family(services: Services, caller: Principal, family_id: str) -> tuple[FamilyState, int]:
    with services.engine.connect() as conn:
        found = index.find_family(conn, family_id)
    if found is None:
        raise NotFound("there is no such family")
    ensure_reach(caller, found[0].desa, "family")
    return found


def _writable_family(services: Services, caller: Principal, family_id: str) -> None:
    state, _ = _family(services, caller, family_id)
    ensure_writable(caller, [state.desa], "family")


def _family_answer(family_id: str, state: FamilyState, version: int) -> FamilyAnswer:
    return FamilyAnswer(
        id=family_id,
        desa=state.desa,
        krs=state.krs,
        risks=list(state.risks),
        children=list(state.children),
        mothers=list(state.mothers),
        version=version,
    )


def _sponsor_answer(sponsor_id: str, state: SponsorState, version: int) -> SponsorAnswer:
    return SponsorAnswer(
        id=sponsor_id,
        kind=state.kind,
        name=state.name,
        named_publicly=state.named_publicly,
        areas=list(state.areas),
        principal=state.principal,
        version=version,
    )


def _child_in(services: Services, caller: Principal, child_id: str, *, field: str) -> str:
    with services.engine.connect() as conn:
        child = find_child(conn, child_id)
    if child is None:
        raise NotFound("there is no such child")
    ensure_writable(caller, [str(child["desa"])], "child")
    return str(child["desa"])


def erased_as(opened: Opened, whole: str) -> list[str]:
    """The subjects erased, a part from before keys were per person named ``whole``."""
    return sorted({whole if s == "*" else s for s in opened.erased})
