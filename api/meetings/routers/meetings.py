"""Meetings (rakor, Kampung KB reviews, evaluations), their area reports and minutes.

A meeting is seen by whoever's reach overlaps its area (a camat sees the kota's rakor); it
is changed only by a caller whose reach holds its area, and an area reports only for an
area inside the caller's reach.
"""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from api.areas.registry import area_names, desa_under
from api.identity.access import Principal, ensure_writable, read_meta, write_meta
from api.meetings import minutes
from api.meetings.figures import report_figures
from api.meetings.outline import MinutesView
from api.meetings.views import (
    PROBLEMS,
    Reader,
    ReasonRequest,
    ResolutionSummary,
    Writer,
    cursor,
    summary,
    visible_meeting,
    writable_meeting,
)
from api.services import Services
from api.web.deps import ServicesDep
from api.web.kit import IdempotencyKey, Strict, client_event_id, derived_id, etag
from domain import wilayah
from domain.fact import DomainError
from domain.meeting import commands as c
from domain.meeting import events as e
from domain.meeting.decider import (
    MeetingDecider,
    MeetingState,
    MeetingStatus,
    Report,
    local_day,
    meeting_stream,
)
from domain.values import AreaCode, Line150, Office, ProgrammeDay, Text50k, Text4000, Title
from events import feed
from events.handling import Outcome, execute
from events.projections import meetings as index
from events.projections.areas import find_area

router = APIRouter(tags=["meetings"])
MeetingId = Annotated[uuid.UUID, Path(description="The meeting's id (a UUID).")]
_meetings = MeetingDecider()


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
    area: AreaCode = Field(description="The code of the area the meeting covers.")
    date: ProgrammeDay = Field(description="The planned date.")
    title: Title
    organiser: Office = Field(description="The organising office, e.g. DPPKB.")
    agenda: list[Text4000] = Field(default_factory=list, max_length=100)


class AttendeeRequest(Strict):
    """An office and position present; ``name`` is personal and stored encrypted."""

    office: Office
    position: Office
    count: Annotated[int, Field(strict=True, ge=1, le=1000)] = 1
    name: Line150 | None = Field(None, description="Optional.")


class HeldRequest(Strict):
    """The meeting took place: minutes and attendance."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "minutes": "Rapat dibuka oleh Kepala DPPKB. Laporan per kecamatan.",
                    "attendance": [
                        {"office": "DPPKB Kota Banjar", "position": "Kepala"},
                        {"office": "Kecamatan Pataruman", "position": "Camat", "count": 2},
                    ],
                }
            ]
        }
    )

    event_id: uuid.UUID | None = None
    held_on: ProgrammeDay | None = Field(None, description="Defaults to the planned date.")
    minutes: Text50k = Field(description="The minutes (notulen) text.")
    attendance: list[AttendeeRequest] = Field(default_factory=list, max_length=500)


class ReportRequest(Strict):
    """An area's progress report; the figures are attached by the server."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "area": "32.79.02",
                    "office": "Kecamatan Pataruman",
                    "kampung_kb": {"designated": True, "maturity": "Berkembang"},
                    "activities": ["Posyandu serentak"],
                    "obstacles": [{"code": "data", "text": "Entri e-PPGBM terlambat"}],
                }
            ]
        }
    )

    event_id: uuid.UUID | None = None
    area: AreaCode = Field(description="The reporting area, inside the meeting's.")
    office: Office = Field(description="The reporting office, e.g. Kecamatan X.")
    kampung_kb: e.KampungKbStatus | None = None
    activities: list[Text4000] = Field(default_factory=list, max_length=100)
    obstacles: list[e.Kendala] = Field(default_factory=list, max_length=100)


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
    """A page of meetings by date; ``next`` is the ``after`` of the next page (or null)."""

    items: list[MeetingSummary]
    next: str | None


# -- meetings ----------------------------------------------------------------------------


@router.post("/v1/meetings", status_code=201, responses=PROBLEMS)
def plan_meeting(
    body: MeetingRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    idempotency_key: IdempotencyKey = None,
) -> MeetingAnswer:
    """Plan a meeting over an area inside the caller's reach."""
    area = wilayah.parse(body.area, field="area")
    ensure_writable(caller, [area], "area")
    _known_area(services, area, body.level)
    event_id = client_event_id(caller, request, body.event_id, idempotency_key)
    meeting_id = str(body.id or derived_id(event_id))
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
def hold_meeting(
    meeting_id: MeetingId,
    body: HeldRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    idempotency_key: IdempotencyKey = None,
) -> MeetingAnswer:
    """Record that the meeting took place, with its minutes and attendance."""
    writable_meeting(services, caller, str(meeting_id))
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
def cancel_meeting(
    meeting_id: MeetingId,
    body: ReasonRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    idempotency_key: IdempotencyKey = None,
) -> MeetingAnswer:
    """Call off a planned meeting, with the reason."""
    writable_meeting(services, caller, str(meeting_id))
    command = c.CancelMeeting(at=services.clock(), reason=body.reason)
    event_id = client_event_id(caller, request, body.event_id, idempotency_key)
    _run_meeting(services, caller, request, str(meeting_id), command, event_id)
    return meeting_answer(services, caller, str(meeting_id), response)


@router.post("/v1/meetings/{meeting_id}/documents", responses=PROBLEMS)
def attach_document(
    meeting_id: MeetingId,
    body: e.Document,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
) -> MeetingAnswer:
    """Reference a document of the meeting (invitation, signed minutes, photo) by SHA-256
    and size; the file itself is kept elsewhere. The same document twice is stored once."""
    writable_meeting(services, caller, str(meeting_id))
    command = c.AttachDocument(at=services.clock(), document=body)
    _run_meeting(services, caller, request, str(meeting_id), command, None)
    return meeting_answer(services, caller, str(meeting_id), response)


@router.post("/v1/meetings/{meeting_id}/reports", status_code=201, responses=PROBLEMS)
def report_area(
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
    found = visible_meeting(services, caller, str(meeting_id))
    area = wilayah.parse(body.area, field="area")
    ensure_writable(caller, [area], "area")
    if not wilayah.covers(found.state.area, area):
        raise DomainError(
            f"the area lies outside the meeting's area {found.state.area}", field="area"
        )
    if not desa_under(services, area):
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
    etag(response, outcome.version)
    return next(r for r in outcome.state.reports if r.area == area)


@router.get("/v1/meetings", responses=PROBLEMS)
def list_meetings(
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
    page_after = cursor(after)
    with services.engine.connect() as conn:
        rows = index.list_meetings(
            conn,
            reach=caller.reach.prefixes,
            area=code,
            first=from_,
            last=to,
            after=page_after,
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
    following = f"{rows[-1].state.date}_{rows[-1].id}" if len(rows) == limit else None
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
    found = visible_meeting(services, caller, str(meeting_id))
    state = found.state
    codes = [state.area, *(r.area for r in state.reports)]
    with services.engine.connect() as conn:
        rows = index.list_resolutions(conn, reach=("*",), meeting=found.id)
    view = MinutesView(
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
    found = visible_meeting(services, caller, meeting_id)
    state = found.state
    today = local_day(services.clock())
    with services.engine.connect() as conn:
        rows = index.list_resolutions(conn, reach=("*",), meeting=meeting_id)
    officials = _officials(services, caller, meeting_id, state)
    etag(response, found.version)
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


# -- helpers -----------------------------------------------------------------------------


def _run_meeting(
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
    opened = services.store.open_parts([latest[stream]])[latest[stream].event_id]
    if not opened.readable:  # every official named was erased at his request
        return ()
    services.access_log.record(
        caller.id, read_meta(caller), stream, state.area, "/v1/meetings/{meeting_id}"
    )
    return e.MeetingPersonal.model_validate(opened.plain).officials


def _known_area(services: Services, area: str, level: e.Level) -> None:
    if level is e.Level.KAMPUNG_KB:
        with services.engine.connect() as conn:
            row = find_area(conn, area)
        if row is not None and row.kampung_kb is None:
            raise DomainError("this desa/kelurahan is not a Kampung KB", field="area")
    if not desa_under(services, area):
        raise DomainError("there is no registered desa/kelurahan under this code", field="area")
