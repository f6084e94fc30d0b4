"""Sponsors (orang tua asuh), a sponsor's own view and matching help. Personal parts
(names, NIK, addresses, contacts) are answered only with ``pii:read`` and never to a
sponsor principal; a sponsor only to readers whose reach overlaps its areas."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from api.identity.access import Principal, ensure_writable
from api.services import Services
from api.sponsors.views import (
    SPONSORS,
    CommitmentAnswer,
    PersonalPart,
    Reader,
    Suggestion,
    Writer,
    own_sponsor,
    suggestion_page,
    today,
    visible_sponsor,
)
from api.web.deps import ServicesDep
from api.web.kit import (
    PROBLEMS,
    Strict,
    answer_from,
    command_from,
    cursor,
    etag,
    example,
    masked_initials,
)
from domain import wilayah
from domain.access import OWN_RECORDS_ONLY
from domain.fact import DomainError
from domain.sponsor import commands as c
from domain.sponsor import events as e
from domain.sponsor.commands import SponsorEntry
from domain.sponsor.decider import SPONSOR_PREFIX, SponsorState
from domain.values import AreaCode, Line150, Login, StrictBool
from events.projections import sponsors as index
from events.projections.children import find_child, measurements_of

router = APIRouter(tags=["sponsors"])
SponsorId = Annotated[uuid.UUID, Path(description="The sponsor's id (a UUID).")]
PERSONAL: Final = PersonalPart(
    SPONSOR_PREFIX,
    e.SponsorRegistered.event_type,
    e.SponsorPersonal,
    whole="sponsor",
    path="/v1/sponsors/{sponsor_id}",
)


class SponsorRequest(Strict):
    """A sponsor; an organisation gives its (public) name, a person goes in ``personal``."""

    model_config = example(
        {
            "kind": "baznas",
            "name": "Baznas Kota Banjar",
            "named_publicly": True,
            "areas": ["32.79"],
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


@router.post("/v1/sponsors", status_code=201, responses=PROBLEMS)
def register_sponsor(
    body: SponsorRequest, response: Response, services: ServicesDep, write: Writer
) -> SponsorAnswer:
    """Register a sponsor over areas inside the caller's reach (and the login that acts
    for it, if any)."""
    caller = write.principal
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
    command = command_from(c.RegisterSponsor, body, at=services.clock())
    sponsor_id = SPONSORS.start(services, body, command, write, response, at="/v1/sponsors")
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
    page_after = cursor(after)
    with services.engine.connect() as conn:
        rows = [
            r
            for code in chosen
            for r in index.unsponsored_stunted(
                conn, area=code, reach=reach, today=day, after=page_after, limit=limit
            )
        ]
    rows.sort(key=lambda r: (r["first_stunted_on"] or date.min, r["child_id"]))
    items, following = suggestion_page(services, rows[:limit], limit, day)
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
    state, version = visible_sponsor(services, caller, sponsor_id)
    answer = _sponsor_answer(sponsor_id, state, version)
    if personal and "pii:read" in caller.scopes and caller.role not in OWN_RECORDS_ONLY:
        answer.personal, answer.erased = PERSONAL.read(
            services, caller, sponsor_id, place=wilayah.common(state.areas)
        )
    etag(response, version)
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


def _sponsor_answer(sponsor_id: str, state: SponsorState, version: int) -> SponsorAnswer:
    return answer_from(SponsorAnswer, state, id=sponsor_id, personal=None, version=version)
