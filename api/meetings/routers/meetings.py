"""Meetings (rakor, Kampung KB reviews, evaluations): planned, held or cancelled, their
documents, and the meeting as answered (the areas' reports and the minutes are in
``reports.py``).

A meeting is seen by whoever's reach overlaps its area (a camat sees the kota's rakor); it
is changed only by a caller whose reach holds its area.
"""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from api.areas.registry import area_names, desa_under
from api.identity.access import Principal, ensure_writable
from api.meetings.views import (
    MEETINGS,
    MeetingId,
    Reader,
    ReasonRequest,
    ResolutionSummary,
    Writer,
    officials_of,
    summary,
    visible_meeting,
    writable_meeting,
)
from api.services import Services
from api.web.deps import ServicesDep
from api.web.kit import (
    PROBLEMS,
    Strict,
    Write,
    Writes,
    answer_from,
    command_from,
    cursor,
    etag,
    example,
)
from domain import wilayah
from domain.fact import DomainError
from domain.meeting import commands as c
from domain.meeting import events as e
from domain.meeting.decider import MeetingStatus, Report, local_day
from domain.values import AreaCode, Line150, Office, ProgrammeDay, Text50k, Text4000, Title
from events.projections import meetings as index
from events.projections.areas import find_area

router = APIRouter(tags=["meetings"])


class MeetingRequest(Strict):
    """A meeting to plan."""

    model_config = example(
        {
            "level": "kota",
            "area": "32.79",
            "date": "2025-07-15",
            "title": "Rakor TPPS Triwulan II",
            "organiser": "DPPKB Kota Banjar",
            "agenda": ["Laporan kemajuan Kampung KB", "Evaluasi per kecamatan"],
        }
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

    model_config = example(
        {
            "minutes": "Rapat dibuka oleh Kepala DPPKB. Laporan per kecamatan.",
            "attendance": [
                {"office": "DPPKB Kota Banjar", "position": "Kepala"},
                {"office": "Kecamatan Pataruman", "position": "Camat", "count": 2},
            ],
        }
    )

    event_id: uuid.UUID | None = None
    held_on: ProgrammeDay | None = Field(None, description="Defaults to the planned date.")
    minutes: Text50k = Field(description="The minutes (notulen) text.")
    attendance: list[AttendeeRequest] = Field(default_factory=list, max_length=500)


class OfficialAnswer(BaseModel):
    """An official named in the attendance (only with ``pii:read``)."""

    office: str
    position: str
    name: str


class _Meeting(BaseModel):
    """What every answer of a meeting begins with: which, over what area, when, by whom."""

    id: str
    level: e.Level
    area: str
    area_name: str | None
    date: dt.date
    title: str
    organiser: str


class MeetingSummary(_Meeting):
    """A meeting in a list."""

    status: MeetingStatus
    held_on: dt.date | None
    reports: int
    version: int


class MeetingAnswer(_Meeting):
    """A meeting with its reports and its resolutions' status now."""

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


@router.post("/v1/meetings", status_code=201, responses=PROBLEMS)
def plan_meeting(
    body: MeetingRequest, response: Response, services: ServicesDep, write: Writer
) -> MeetingAnswer:
    """Plan a meeting over an area inside the caller's reach."""
    area = wilayah.parse(body.area, field="area")
    ensure_writable(write.principal, [area], "area")
    _known_area(services, area, body.level)
    command = command_from(c.PlanMeeting, body, at=services.clock(), area=area)
    meeting_id = MEETINGS.start(services, body, command, write, response, at="/v1/meetings")
    return meeting_answer(services, write.principal, meeting_id, response)


@router.post("/v1/meetings/{meeting_id}/held", responses=PROBLEMS)
def hold_meeting(
    meeting_id: MeetingId,
    body: HeldRequest,
    response: Response,
    services: ServicesDep,
    write: Writer,
) -> MeetingAnswer:
    """Record that the meeting took place, with its minutes and attendance."""
    officials = tuple(
        e.Official(office=a.office, position=a.position, name=a.name)
        for a in body.attendance
        if a.name
    )
    command = command_from(
        c.HoldMeeting,
        body,
        at=services.clock(),
        attendance=tuple(
            e.Attendee(office=a.office, position=a.position, count=a.count) for a in body.attendance
        ),
        personal=e.MeetingPersonal(officials=officials) if officials else None,
    )
    return _change(services, response, write, meeting_id, command, given=body.event_id)


@router.post("/v1/meetings/{meeting_id}/cancel", responses=PROBLEMS)
def cancel_meeting(
    meeting_id: MeetingId,
    body: ReasonRequest,
    response: Response,
    services: ServicesDep,
    write: Writer,
) -> MeetingAnswer:
    """Call off a planned meeting, with the reason."""
    command = command_from(c.CancelMeeting, body, at=services.clock())
    return _change(services, response, write, meeting_id, command, given=body.event_id)


@router.post("/v1/meetings/{meeting_id}/documents", responses=PROBLEMS)
def attach_document(
    meeting_id: MeetingId,
    body: e.Document,
    response: Response,
    services: ServicesDep,
    write: Annotated[Write, Writes("meetings:write", if_match=False, idempotency_key=False)],
) -> MeetingAnswer:
    """Reference a document of the meeting (invitation, signed minutes, photo) by SHA-256
    and size; the file itself is kept elsewhere. The same document twice is stored once."""
    command = c.AttachDocument(at=services.clock(), document=body)
    return _change(services, response, write, meeting_id, command)


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
        answer_from(
            MeetingSummary,
            r.state,
            id=r.id,
            area_name=names.get(r.state.area),
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


def meeting_answer(
    services: Services, caller: Principal, meeting_id: str, response: Response
) -> MeetingAnswer:
    """The meeting as ``GET /v1/meetings/{id}`` answers it, with its ETag."""
    found = visible_meeting(services, caller, meeting_id)
    state = found.state
    today = local_day(services.clock())
    with services.engine.connect() as conn:
        rows = index.list_resolutions(conn, reach=("*",), meeting=meeting_id)
    officials = officials_of(services, caller, found)
    etag(response, found.version)
    return answer_from(
        MeetingAnswer,
        state,
        id=meeting_id,
        area_name=area_names(services, [state.area]).get(state.area),
        officials=None
        if officials is None
        else [OfficialAnswer(**o.model_dump()) for o in officials],
        resolutions=[summary(r, today) for r in rows],
        version=found.version,
    )


def _change(
    services: Services,
    response: Response,
    write: Write,
    meeting_id: uuid.UUID,
    command: c.MeetingCommand,
    *,
    given: uuid.UUID | None = None,
) -> MeetingAnswer:
    """Change a meeting the caller may change, and answer it as it is now."""
    writable_meeting(services, write.principal, str(meeting_id))
    MEETINGS.write(services, str(meeting_id), command, write, given=given)
    return meeting_answer(services, write.principal, str(meeting_id), response)


def _known_area(services: Services, area: str, level: e.Level) -> None:
    if level is e.Level.KAMPUNG_KB:
        with services.engine.connect() as conn:
            row = find_area(conn, area)
        if row is not None and row.kampung_kb is None:
            raise DomainError("this desa/kelurahan is not a Kampung KB", field="area")
    if not desa_under(services, area):
        raise DomainError("there is no registered desa/kelurahan under this code", field="area")
