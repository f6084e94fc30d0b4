"""Meetings (rakor, Kampung KB reviews, evaluations), area reports and resolutions.

A meeting is seen by whoever's reach overlaps its area (a camat sees the kota's rakor); it
is changed only inside the caller's reach, and an area reports only for an area inside it.
Resolutions are seen by whoever's reach overlaps an area they concern.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from api import minutes
from api.access import Principal, Requires, ensure_reach, read_meta, write_meta
from api.deps import ServicesDep
from api.errors import Problem
from api.meeting_figures import TargetCheck, check_target, report_figures
from api.routers.children import IdempotencyKey, client_event_id, expected_version
from api.services import Services
from domain import wilayah
from domain.fact import DomainError, NotFound
from domain.meeting import commands as c
from domain.meeting import events as e
from domain.meeting.decider import (
    MeetingDecider,
    MeetingState,
    MeetingStatus,
    Report,
    ResolutionDecider,
    ResolutionStatus,
    local_day,
    meeting_stream,
    resolution_stream,
)
from events import feed
from events.handling import Outcome, execute
from events.projections import meetings as index
from events.projections.areas import areas, find_area
from events.projections.figures import within

router = APIRouter(tags=["meetings"])
_PROBLEM: dict[str, Any] = {"model": Problem, "content": {"application/problem+json": {}}}
PROBLEMS: dict[int | str, dict[str, Any]] = dict.fromkeys((401, 403, 404, 409, 412, 422), _PROBLEM)
Reader = Annotated[Principal, Requires("meetings:read")]
Writer = Annotated[Principal, Requires("meetings:write")]
MeetingId = Annotated[uuid.UUID, Path(description="The meeting's id (a UUID).")]
ResolutionId = Annotated[uuid.UUID, Path(description="The resolution's id (a UUID).")]
IfMatch = Annotated[
    str | None, Header(max_length=40, description='Write only at this version: "3".')
]
_meetings = MeetingDecider()
_resolutions = ResolutionDecider()
_TEXT = 4000


class Strict(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class MeetingRequest(Strict):
    """A meeting to plan."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "level": "kota",
                    "area": "32.79",
                    "date": "2025-07-15",
                    "title": "Rakor TPPS Triwulan II",
                    "organiser": "DPPKB Kota Banjar",
                    "agenda": ["Laporan kemajuan Kampung KB", "Evaluasi per kecamatan"],
                }
            ]
        },
    )

    id: uuid.UUID | None = Field(
        None, description="The meeting's id; chosen by the server if null."
    )
    event_id: uuid.UUID | None = Field(None, description="Makes a retry safe (or Idempotency-Key).")
    level: e.Level = Field(description="kota, kecamatan, desa or kampung_kb.")
    area: str = Field(max_length=20, description="The code of the area the meeting covers.")
    date: dt.date = Field(description="The planned date.")
    title: str = Field(max_length=200)
    organiser: str = Field(max_length=150, description="The organising office, e.g. DPPKB.")
    agenda: list[str] = Field(default_factory=list, max_length=100)


class AttendeeRequest(Strict):
    """An office and position present; ``name`` is personal and stored encrypted."""

    office: str = Field(min_length=1, max_length=150)
    position: str = Field(min_length=1, max_length=150)
    count: int = Field(1, ge=1, le=1000)
    name: str | None = Field(None, min_length=1, max_length=150, description="Optional.")


class HeldRequest(Strict):
    """The meeting took place: minutes and attendance."""

    event_id: uuid.UUID | None = None
    held_on: date | None = Field(None, description="Defaults to the planned date.")
    minutes: str = Field(max_length=50_000, description="The minutes (notulen) text.")
    attendance: list[AttendeeRequest] = Field(default_factory=list, max_length=500)


class ReasonRequest(Strict):
    """A reason, for cancelling a meeting or reopening a resolution."""

    event_id: uuid.UUID | None = None
    reason: str = Field(max_length=_TEXT)


class ReportRequest(Strict):
    """An area's progress report; the figures are attached by the server."""

    event_id: uuid.UUID | None = None
    area: str = Field(max_length=20, description="The reporting area, inside the meeting's.")
    office: str = Field(max_length=150, description="The reporting office, e.g. Kecamatan X.")
    kampung_kb: e.KampungKbStatus | None = None
    activities: list[str] = Field(default_factory=list, max_length=100)
    obstacles: list[e.Kendala] = Field(default_factory=list, max_length=100)


class ResolutionRequest(Strict):
    """A resolution the meeting adopted."""

    id: uuid.UUID | None = Field(None, description="Chosen by the server if null.")
    event_id: uuid.UUID | None = None
    text: str = Field(max_length=_TEXT)
    office: str = Field(max_length=150, description="The responsible office (OPD).")
    due: date
    areas: list[str] = Field(max_length=100, description="Codes inside the meeting's area.")
    target: e.Target | None = Field(
        None, description='An indicator and value: {"indicator": "coverage", "value": 0.9}.'
    )


class ProgressRequest(Strict):
    """A progress update by the responsible office."""

    event_id: uuid.UUID | None = None
    text: str = Field(max_length=_TEXT)
    percent: int = Field(ge=0, le=100)
    evidence: list[e.Document] = Field(default_factory=list, max_length=100)


class DueRequest(Strict):
    """A new due date and why."""

    event_id: uuid.UUID | None = None
    due: date
    reason: str = Field(max_length=_TEXT)


class CloseRequest(Strict):
    """Close a resolution as done or dropped."""

    event_id: uuid.UUID | None = None
    outcome: e.Outcome
    reason: str = Field(max_length=_TEXT)
    closed_on: date | None = Field(None, description="Defaults to today.")


class ResolutionSummary(BaseModel):
    """A resolution's status now."""

    id: str
    meeting: str
    text: str
    office: str
    due: date
    areas: list[str]
    target: e.Target | None
    status: ResolutionStatus
    overdue: bool
    percent: int | None
    closed_on: date | None
    version: int


class AreaCheckAnswer(BaseModel):
    """One area's figure against a target."""

    area: str
    actual: float | None
    met: bool | None


class TargetCheckAnswer(BaseModel):
    """A target checked against the figures of the month the resolution is due in."""

    month: str
    indicator: str
    value: float
    direction: str
    pending: bool = Field(description="True until the due month has ended.")
    met: bool | None
    areas: list[AreaCheckAnswer]


class ResolutionAnswer(ResolutionSummary):
    """A resolution with its history of progress and due-date changes."""

    meeting_date: date
    original_due: date
    adopted_on: date
    close_reason: str | None
    progress: list[dict[str, Any]]
    due_changes: list[dict[str, Any]]
    target_check: TargetCheckAnswer | None = Field(
        None, description="The target against the figures (only on GET of one resolution)."
    )


class ResolutionPage(BaseModel):
    """A page of resolutions by due date; ``next`` is the link to the next page."""

    items: list[ResolutionSummary]
    next: str | None


class OfficialAnswer(BaseModel):
    """An official named in the attendance (only with ``pii:read``)."""

    office: str
    position: str
    name: str


class MeetingSummary(BaseModel):
    """A meeting in a list."""

    id: str
    level: e.Level
    area: str
    area_name: str | None
    date: dt.date
    title: str
    organiser: str
    status: MeetingStatus
    held_on: dt.date | None
    reports: int
    version: int


class MeetingAnswer(BaseModel):
    """A meeting with its reports and its resolutions' status now."""

    id: str
    level: e.Level
    area: str
    area_name: str | None
    date: dt.date
    title: str
    organiser: str
    agenda: list[str]
    status: MeetingStatus
    held_on: dt.date | None
    minutes: str | None
    attendance: list[e.Attendee]
    officials: list[OfficialAnswer] | None = Field(
        None, description="Names of officials; only with pii:read."
    )
    cancel_reason: str | None
    documents: list[e.Document]
    reports: list[Report]
    resolutions: list[ResolutionSummary]
    version: int


class MeetingPage(BaseModel):
    """A page of meetings by date; ``next`` is the link to the next page."""

    items: list[MeetingSummary]
    next: str | None


class QueueAnswer(BaseModel):
    """Overdue open resolutions concerning an area, oldest due first, and counts per office."""

    code: str
    today: date
    items: list[ResolutionSummary]
    by_office: dict[str, int]


# -- meetings ----------------------------------------------------------------------------


@router.post("/v1/meetings", status_code=201, responses=PROBLEMS)
def plan_meeting(  # noqa: PLR0917 - FastAPI parameters
    body: MeetingRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    idempotency_key: IdempotencyKey = None,
) -> MeetingAnswer:
    """Plan a meeting over an area inside the caller's reach."""
    area = wilayah.parse(body.area, field="area")
    ensure_reach(caller, area, "area")
    _known_area(services, area, body.level)
    event_id = client_event_id(caller, request, body.event_id, idempotency_key)
    meeting_id = str(body.id or _derived(event_id))
    command = c.PlanMeeting(
        at=services.clock(),
        level=body.level,
        area=area,
        date=body.date,
        title=body.title,
        organiser=body.organiser,
        agenda=tuple(body.agenda),
    )
    _run_meeting(services, caller, request, meeting_id, command, event_id)
    response.headers["Location"] = f"/v1/meetings/{meeting_id}"
    return meeting_answer(services, caller, meeting_id, response)


@router.post("/v1/meetings/{meeting_id}/held", responses=PROBLEMS)
def hold_meeting(  # noqa: PLR0917 - FastAPI parameters
    meeting_id: MeetingId,
    body: HeldRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    idempotency_key: IdempotencyKey = None,
) -> MeetingAnswer:
    """Record that the meeting took place, with its minutes and attendance."""
    _writable_meeting(services, caller, str(meeting_id))
    officials = tuple(
        e.Official(office=a.office, position=a.position, name=a.name)
        for a in body.attendance
        if a.name
    )
    command = c.HoldMeeting(
        at=services.clock(),
        held_on=body.held_on,
        minutes=body.minutes,
        attendance=tuple(
            e.Attendee(office=a.office, position=a.position, count=a.count) for a in body.attendance
        ),
        personal=e.MeetingPersonal(officials=officials) if officials else None,
    )
    event_id = client_event_id(caller, request, body.event_id, idempotency_key)
    _run_meeting(services, caller, request, str(meeting_id), command, event_id)
    return meeting_answer(services, caller, str(meeting_id), response)


@router.post("/v1/meetings/{meeting_id}/cancel", responses=PROBLEMS)
def cancel_meeting(  # noqa: PLR0917 - FastAPI parameters
    meeting_id: MeetingId,
    body: ReasonRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    idempotency_key: IdempotencyKey = None,
) -> MeetingAnswer:
    """Call off a planned meeting, with the reason."""
    _writable_meeting(services, caller, str(meeting_id))
    command = c.CancelMeeting(at=services.clock(), reason=body.reason)
    event_id = client_event_id(caller, request, body.event_id, idempotency_key)
    _run_meeting(services, caller, request, str(meeting_id), command, event_id)
    return meeting_answer(services, caller, str(meeting_id), response)


@router.post("/v1/meetings/{meeting_id}/documents", responses=PROBLEMS)
def attach_document(  # noqa: PLR0917 - FastAPI parameters
    meeting_id: MeetingId,
    body: e.Document,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
) -> MeetingAnswer:
    """Reference a document of the meeting (invitation, signed minutes, photo) by SHA-256
    and size; the file itself is kept elsewhere. The same document twice is stored once."""
    _writable_meeting(services, caller, str(meeting_id))
    command = c.AttachDocument(at=services.clock(), document=body)
    _run_meeting(services, caller, request, str(meeting_id), command, None)
    return meeting_answer(services, caller, str(meeting_id), response)


@router.post("/v1/meetings/{meeting_id}/reports", status_code=201, responses=PROBLEMS)
def report_area(  # noqa: PLR0917 - FastAPI parameters
    meeting_id: MeetingId,
    body: ReportRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    idempotency_key: IdempotencyKey = None,
) -> Report:
    """An area's progress report at a held meeting, by an office whose reach holds the
    area; the area's figures of the month before the meeting, as known at the end of the
    meeting's day, are attached. A later report for the same area replaces it."""
    found = _visible_meeting(services, caller, str(meeting_id))
    area = wilayah.parse(body.area, field="area")
    ensure_reach(caller, area, "area")
    if not wilayah.covers(found.state.area, area):
        raise DomainError(
            f"the area lies outside the meeting's area {found.state.area}", field="area"
        )
    if not _desa_under(services, area):
        raise DomainError("there is no registered desa/kelurahan under this code", field="area")
    day = found.state.held_on or found.state.date
    figures = (
        report_figures(services, area, day) if found.state.status is MeetingStatus.HELD else None
    )
    command = c.ReportArea(
        at=services.clock(),
        area=area,
        office=body.office,
        kampung_kb=body.kampung_kb,
        activities=tuple(body.activities),
        obstacles=tuple(body.obstacles),
        figures=figures,
    )
    event_id = client_event_id(caller, request, body.event_id, idempotency_key)
    outcome = _run_meeting(services, caller, request, str(meeting_id), command, event_id)
    _tag(response, outcome.version)
    return next(r for r in outcome.state.reports if r.area == area)


@router.get("/v1/meetings", responses=PROBLEMS)
def list_meetings(  # noqa: PLR0917 - FastAPI parameters
    services: ServicesDep,
    caller: Reader,
    area: Annotated[
        str | None, Query(max_length=20, description="Under or over this code.")
    ] = None,
    from_: Annotated[date | None, Query(alias="from", description="On or after.")] = None,
    to: Annotated[date | None, Query(description="On or before.")] = None,
    after: Annotated[str | None, Query(max_length=60, description="The cursor.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MeetingPage:
    """Meetings the caller can see, by date: those over ``area`` or under it."""
    code = None if area is None else wilayah.parse(area, field="area")
    cursor = _cursor(after)
    with services.engine.connect() as conn:
        rows = index.list_meetings(
            conn,
            reach=caller.reach.prefixes,
            area=code,
            first=from_,
            last=to,
            after=cursor,
            limit=limit,
        )
    names = area_names(services, [r.state.area for r in rows])
    items = [
        MeetingSummary(
            id=r.id,
            level=r.state.level,
            area=r.state.area,
            area_name=names.get(r.state.area),
            date=r.state.date,
            title=r.state.title,
            organiser=r.state.organiser,
            status=r.state.status,
            held_on=r.state.held_on,
            reports=len(r.state.reports),
            version=r.version,
        )
        for r in rows
    ]
    query = "&".join(
        f"{k}={v}"
        for k, v in (("area", code), ("from", from_), ("to", to), ("limit", limit))
        if v is not None
    )
    following = None
    if len(rows) == limit:
        following = f"/v1/meetings?{query}&after={rows[-1].state.date}_{rows[-1].id}"
    return MeetingPage(items=items, next=following)


@router.get("/v1/meetings/{meeting_id}", responses=PROBLEMS)
def get_meeting(
    meeting_id: MeetingId, response: Response, services: ServicesDep, caller: Reader
) -> MeetingAnswer:
    """The meeting with its reports and its resolutions' status now; names of officials
    only with ``pii:read``."""
    return meeting_answer(services, caller, str(meeting_id), response)


@router.get(
    "/v1/meetings/{meeting_id}/minutes",
    responses={**PROBLEMS, 200: {"content": {"text/html": {}, "text/markdown": {}}}},
    response_class=HTMLResponse,
)
def get_minutes(
    meeting_id: MeetingId,
    services: ServicesDep,
    caller: Reader,
    format: Annotated[Literal["html", "markdown"], Query()] = "html",
) -> Response:
    """The minutes (notulen), printable and ready to sign: HTML, or Markdown."""
    found = _visible_meeting(services, caller, str(meeting_id))
    state = found.state
    codes = [state.area, *(r.area for r in state.reports)]
    with services.engine.connect() as conn:
        rows = index.list_resolutions(conn, reach=("*",), meeting=found.id)
    view = minutes.MinutesView(
        meeting_id=found.id,
        meeting=state,
        names=area_names(services, [*codes, *(a for r in rows for a in r.state.areas)]),
        resolutions=[(r.id, r.state) for r in rows],
        officials=_officials(services, caller, found.id, state),
        today=local_day(services.clock()),
    )
    headers = {"ETag": f'"{found.version}"'}
    if format == "markdown":
        return Response(
            minutes.markdown(view), media_type="text/markdown; charset=utf-8", headers=headers
        )
    return HTMLResponse(minutes.html(view), headers=headers)


def meeting_answer(
    services: Services, caller: Principal, meeting_id: str, response: Response
) -> MeetingAnswer:
    """The meeting as ``GET /v1/meetings/{id}`` answers it, with its ETag."""
    found = _visible_meeting(services, caller, meeting_id)
    state = found.state
    today = local_day(services.clock())
    with services.engine.connect() as conn:
        rows = index.list_resolutions(conn, reach=("*",), meeting=meeting_id)
    officials = _officials(services, caller, meeting_id, state)
    _tag(response, found.version)
    return MeetingAnswer(
        id=meeting_id,
        level=state.level,
        area=state.area,
        area_name=area_names(services, [state.area]).get(state.area),
        date=state.date,
        title=state.title,
        organiser=state.organiser,
        agenda=list(state.agenda),
        status=state.status,
        held_on=state.held_on,
        minutes=state.minutes,
        attendance=list(state.attendance),
        officials=None
        if officials is None
        else [OfficialAnswer(**o.model_dump()) for o in officials],
        cancel_reason=state.cancel_reason,
        documents=list(state.documents),
        reports=list(state.reports),
        resolutions=[summary(r, today) for r in rows],
        version=found.version,
    )


# -- resolutions -------------------------------------------------------------------------


@router.post("/v1/meetings/{meeting_id}/resolutions", status_code=201, responses=PROBLEMS)
def adopt_resolution(  # noqa: PLR0917 - FastAPI parameters
    meeting_id: MeetingId,
    body: ResolutionRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    idempotency_key: IdempotencyKey = None,
) -> ResolutionAnswer:
    """A resolution adopted at a held meeting inside the caller's reach."""
    found = _writable_meeting(services, caller, str(meeting_id))
    codes = tuple(wilayah.parse(a, field="areas") for a in body.areas)
    for code in codes:
        ensure_reach(caller, code, "area")
    meeting = c.MeetingFacts(
        id=found.id,
        status=found.state.status.value,
        date=found.state.held_on or found.state.date,
        area=found.state.area,
    )
    command = c.AdoptResolution(
        at=services.clock(),
        meeting=meeting,
        text=body.text,
        office=body.office,
        due=body.due,
        areas=codes,
        target=body.target,
    )
    event_id = client_event_id(caller, request, body.event_id, idempotency_key)
    resolution_id = str(body.id or _derived(event_id))
    ids = None if event_id is None else [event_id]
    execute(
        services.store,
        _resolutions,
        resolution_stream(resolution_id),
        command,
        write_meta(caller, request),
        event_ids=ids,
    )
    response.headers["Location"] = f"/v1/resolutions/{resolution_id}"
    return resolution_answer(services, caller, resolution_id, response, check=False)


@router.get("/v1/resolutions", responses=PROBLEMS)
def list_resolutions(  # noqa: PLR0917 - FastAPI parameters
    services: ServicesDep,
    caller: Reader,
    area: Annotated[
        str | None, Query(max_length=20, description="Concerning areas under it.")
    ] = None,
    status: Annotated[ResolutionStatus | None, Query()] = None,
    overdue: Annotated[bool | None, Query(description="Open and past due (or not).")] = None,
    office: Annotated[
        str | None, Query(max_length=150, description="The responsible office.")
    ] = None,
    meeting: Annotated[uuid.UUID | None, Query(description="Adopted at this meeting.")] = None,
    after: Annotated[str | None, Query(max_length=60, description="The cursor.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ResolutionPage:
    """Resolutions concerning areas the caller can see, by due date."""
    code = None if area is None else wilayah.parse(area, field="area")
    today = local_day(services.clock())
    with services.engine.connect() as conn:
        rows = index.list_resolutions(
            conn,
            reach=caller.reach.prefixes,
            area=code,
            status=status,
            overdue=overdue,
            today=today,
            office=None if office is None else " ".join(office.split()),
            meeting=None if meeting is None else str(meeting),
            after=_cursor(after),
            limit=limit,
        )
    params = (
        ("area", code),
        ("status", status.value if status else None),
        ("overdue", None if overdue is None else str(overdue).lower()),
        ("office", office),
        ("meeting", meeting),
        ("limit", limit),
    )
    query = "&".join(f"{k}={v}" for k, v in params if v is not None)
    following = None
    if len(rows) == limit:
        following = f"/v1/resolutions?{query}&after={rows[-1].state.due}_{rows[-1].id}"
    return ResolutionPage(items=[summary(r, today) for r in rows], next=following)


@router.get("/v1/resolutions/{resolution_id}", responses=PROBLEMS)
def get_resolution(
    resolution_id: ResolutionId, response: Response, services: ServicesDep, caller: Reader
) -> ResolutionAnswer:
    """A resolution, its history, and its target checked against the figures of the
    month it is due in (beside the office's own claim: status and percent)."""
    return resolution_answer(services, caller, str(resolution_id), response, check=True)


@router.post("/v1/resolutions/{resolution_id}/progress", responses=PROBLEMS)
def report_progress(  # noqa: PLR0917 - FastAPI parameters
    resolution_id: ResolutionId,
    body: ProgressRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> ResolutionAnswer:
    """Progress on an open resolution: text, percent, evidence hashes."""
    command = c.ReportProgress(
        at=services.clock(), text=body.text, percent=body.percent, evidence=tuple(body.evidence)
    )
    return _change(
        services,
        caller,
        request,
        response,
        str(resolution_id),
        command,
        if_match,
        client_event_id(caller, request, body.event_id, idempotency_key),
    )


@router.post("/v1/resolutions/{resolution_id}/due", responses=PROBLEMS)
def change_due(  # noqa: PLR0917 - FastAPI parameters
    resolution_id: ResolutionId,
    body: DueRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> ResolutionAnswer:
    """Move an open resolution's due date, with the reason."""
    command = c.ChangeDue(at=services.clock(), due=body.due, reason=body.reason)
    return _change(
        services,
        caller,
        request,
        response,
        str(resolution_id),
        command,
        if_match,
        client_event_id(caller, request, body.event_id, idempotency_key),
    )


@router.post("/v1/resolutions/{resolution_id}/close", responses=PROBLEMS)
def close_resolution(  # noqa: PLR0917 - FastAPI parameters
    resolution_id: ResolutionId,
    body: CloseRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> ResolutionAnswer:
    """Close an open resolution as done or dropped, with the reason (409 if closed)."""
    command = c.CloseResolution(
        at=services.clock(), outcome=body.outcome, reason=body.reason, closed_on=body.closed_on
    )
    return _change(
        services,
        caller,
        request,
        response,
        str(resolution_id),
        command,
        if_match,
        client_event_id(caller, request, body.event_id, idempotency_key),
    )


@router.post("/v1/resolutions/{resolution_id}/reopen", responses=PROBLEMS)
def reopen_resolution(  # noqa: PLR0917 - FastAPI parameters
    resolution_id: ResolutionId,
    body: ReasonRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> ResolutionAnswer:
    """Open a closed resolution again, with the reason."""
    command = c.ReopenResolution(at=services.clock(), reason=body.reason)
    return _change(
        services,
        caller,
        request,
        response,
        str(resolution_id),
        command,
        if_match,
        client_event_id(caller, request, body.event_id, idempotency_key),
    )


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


def resolution_answer(
    services: Services, caller: Principal, resolution_id: str, response: Response, *, check: bool
) -> ResolutionAnswer:
    """The resolution as ``GET /v1/resolutions/{id}`` answers it, with its ETag."""
    found = _visible_resolution(services, caller, resolution_id)
    state, today = found.state, local_day(services.clock())
    checked = None
    if check and state.target is not None:
        checked = _check_answer(check_target(services, state.target, state.areas, state.due, today))
    _tag(response, found.version)
    return ResolutionAnswer(
        **summary(found, today).model_dump(),
        meeting_date=state.meeting_date,
        original_due=state.original_due,
        adopted_on=state.adopted_on,
        close_reason=state.close_reason,
        progress=[p.model_dump(mode="json") for p in state.progress],
        due_changes=[d.model_dump(mode="json") for d in state.due_changes],
        target_check=checked,
    )


def summary(row: index.ResolutionRow, today: date) -> ResolutionSummary:
    """A resolution's status now, as lists show it."""
    s = row.state
    return ResolutionSummary(
        id=row.id,
        meeting=s.meeting,
        text=s.text,
        office=s.office,
        due=s.due,
        areas=list(s.areas),
        target=s.target,
        status=s.status,
        overdue=s.overdue(today),
        percent=s.percent,
        closed_on=s.closed_on,
        version=row.version,
    )


def area_names(services: Services, codes: Sequence[str]) -> dict[str, str]:
    """Names of desa/kelurahan, kecamatan and kota codes, from the areas registry."""
    wanted = set(codes)
    prefixes = {c[:5] for c in wanted}
    found: dict[str, str] = {}
    with services.engine.connect() as conn:
        for prefix in sorted(prefixes):
            for row in conn.execute(areas.select().where(within(areas.c.code, prefix))):
                found.setdefault(row.code[:5], row.kota)
                found.setdefault(row.code[:8], row.kecamatan)
                found[row.code] = row.name
    return {c: found[c] for c in wanted if c in found}


# -- helpers -----------------------------------------------------------------------------


def _change(  # noqa: PLR0917 - the parts of one conditional write
    services: Services,
    caller: Principal,
    request: Request,
    response: Response,
    resolution_id: str,
    command: c.ResolutionCommand,
    if_match: str | None,
    event_id: str | None,
) -> ResolutionAnswer:
    _visible_resolution(services, caller, resolution_id)
    execute(
        services.store,
        _resolutions,
        resolution_stream(resolution_id),
        command,
        write_meta(caller, request),
        expected_version=expected_version(if_match),
        event_ids=None if event_id is None else [event_id],
    )
    return resolution_answer(services, caller, resolution_id, response, check=False)


def _run_meeting(  # noqa: PLR0917 - the parts of one write
    services: Services,
    caller: Principal,
    request: Request,
    meeting_id: str,
    command: c.MeetingCommand,
    event_id: str | None,
) -> Outcome[MeetingState]:
    return execute(
        services.store,
        _meetings,
        meeting_stream(meeting_id),
        command,
        write_meta(caller, request),
        event_ids=None if event_id is None else [event_id],
    )


def _visible_meeting(services: Services, caller: Principal, meeting_id: str) -> index.MeetingRow:
    with services.engine.connect() as conn:
        found = index.find_meeting(conn, meeting_id)
    if found is None or not _overlaps(caller, [found.state.area]):
        raise NotFound("there is no such meeting")
    return found


def _writable_meeting(services: Services, caller: Principal, meeting_id: str) -> index.MeetingRow:
    found = _visible_meeting(services, caller, meeting_id)
    ensure_reach(caller, found.state.area, "meeting")
    return found


def _visible_resolution(
    services: Services, caller: Principal, resolution_id: str
) -> index.ResolutionRow:
    with services.engine.connect() as conn:
        found = index.find_resolution(conn, resolution_id)
    if found is None or not _overlaps(caller, found.state.areas):
        raise NotFound("there is no such resolution")
    return found


def _overlaps(caller: Principal, codes: Sequence[str]) -> bool:
    reach = caller.reach
    return reach.everywhere or any(
        wilayah.covers(p, code) or wilayah.covers(code, p) for p in reach.prefixes for code in codes
    )


def _officials(
    services: Services, caller: Principal, meeting_id: str, state: MeetingState
) -> tuple[e.Official, ...] | None:
    """The officials named at the meeting, for callers with ``pii:read`` (a logged read)."""
    if "pii:read" not in caller.scopes or state.status is not MeetingStatus.HELD:
        return None
    stream = meeting_stream(meeting_id)
    latest = feed.latest_sealed(services.engine, [stream], (e.MeetingHeld.event_type,))
    if stream not in latest:
        return ()
    opened = services.store.open_personal([latest[stream]]).get(latest[stream].event_id)
    if opened is None:
        return None
    services.access_log.record(
        caller.id, read_meta(caller), stream, state.area, "/v1/meetings/{meeting_id}"
    )
    return e.MeetingPersonal.model_validate(opened).officials


def _known_area(services: Services, area: str, level: e.Level) -> None:
    if level is e.Level.KAMPUNG_KB:
        with services.engine.connect() as conn:
            row = find_area(conn, area)
        if row is not None and row.kampung_kb is None:
            raise DomainError("this desa/kelurahan is not a Kampung KB", field="area")
    if not _desa_under(services, area):
        raise DomainError("there is no registered desa/kelurahan under this code", field="area")


def _desa_under(services: Services, code: str) -> bool:
    with services.engine.connect() as conn:
        return (
            conn.execute(
                areas.select()
                .with_only_columns(areas.c.code)
                .where(within(areas.c.code, code))
                .limit(1)
            ).first()
            is not None
        )


def _derived(event_id: str | None) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"tumbuh:{event_id}") if event_id else uuid.uuid4()


def _cursor(after: str | None) -> tuple[date, str] | None:
    if after is None:
        return None
    day, _, last = after.partition("_")
    try:
        return date.fromisoformat(day), str(uuid.UUID(last))
    except ValueError:
        raise DomainError(
            "give the `after` of the previous page's next link", field="after"
        ) from None


def _check_answer(check: TargetCheck) -> TargetCheckAnswer:
    return TargetCheckAnswer(
        month=check.month,
        indicator=check.indicator,
        value=check.value,
        direction=check.direction,
        pending=check.pending,
        met=check.met,
        areas=[AreaCheckAnswer(area=a.area, actual=a.actual, met=a.met) for a in check.areas],
    )


def _tag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'
