"""Resolutions adopted at meetings: follow-up, and targets against the figures.

A resolution is seen by whoever's reach overlaps an area it concerns, and followed up
(progress, due date, closing, reopening) only by a caller whose reach holds all its areas.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from api.identity.access import Principal, ensure_writable
from api.meetings.figures import check_target
from api.meetings.views import (
    RESOLUTIONS,
    MeetingId,
    Reader,
    ReasonRequest,
    ResolutionSummary,
    Writer,
    summary,
    visible_resolution,
    writable_meeting,
    writable_resolution,
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
from api.web.routes import variant
from domain import wilayah
from domain.meeting import commands as c
from domain.meeting import events as e
from domain.meeting.decider import ResolutionStatus, local_day
from domain.values import AreaCode, Office, Percent, ProgrammeDay, Text4000
from events.projections import meetings as index

router = APIRouter(tags=["meetings"])
ResolutionId = Annotated[uuid.UUID, Path(description="The resolution's id (a UUID).")]
Follower = Annotated[Write, Writes("meetings:write", if_match='Write only at this version: "3".')]


class ResolutionRequest(Strict):
    """A resolution the meeting adopted."""

    model_config = example(
        {
            "text": "Sweeping balita yang belum ditimbang",
            "office": "Puskesmas Pataruman",
            "due": "2025-08-31",
            "areas": ["32.79.02"],
            "target": {"indicator": "coverage", "value": 0.9},
        }
    )

    id: uuid.UUID | None = Field(None, description="Chosen by the server if null.")
    event_id: uuid.UUID | None = None
    text: Text4000
    office: Office = Field(description="The responsible office (OPD).")
    due: ProgrammeDay
    areas: list[AreaCode] = Field(max_length=100, description="Codes inside the meeting's area.")
    target: e.Target | None = Field(
        None, description='An indicator and value: {"indicator": "coverage", "value": 0.9}.'
    )


class ProgressRequest(Strict):
    """A progress update by the responsible office."""

    model_config = example({"text": "Sweeping di 4 dari 8 desa", "percent": 50})

    event_id: uuid.UUID | None = None
    text: Text4000
    percent: Percent
    evidence: list[e.Document] = Field(default_factory=list, max_length=100)


class DueRequest(Strict):
    """A new due date and why."""

    model_config = example({"due": "2025-09-30", "reason": "Menunggu jadwal posyandu serentak"})

    event_id: uuid.UUID | None = None
    due: ProgrammeDay
    reason: Text4000


class CloseRequest(Strict):
    """Close a resolution as done or dropped."""

    model_config = example({"outcome": "done", "reason": "Semua desa sudah disweeping"})

    event_id: uuid.UUID | None = None
    outcome: e.Outcome
    reason: Text4000
    closed_on: ProgrammeDay | None = Field(None, description="Defaults to today.")


FollowUp = ProgressRequest | DueRequest | CloseRequest | ReasonRequest


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
    """A page of resolutions by due date; ``next`` is the ``after`` of the next page (or null)."""

    items: list[ResolutionSummary]
    next: str | None


@router.post("/v1/meetings/{meeting_id}/resolutions", status_code=201, responses=PROBLEMS)
def adopt_resolution(
    meeting_id: MeetingId,
    body: ResolutionRequest,
    response: Response,
    services: ServicesDep,
    write: Writer,
) -> ResolutionAnswer:
    """A resolution adopted at a held meeting inside the caller's reach."""
    found = writable_meeting(services, write.principal, str(meeting_id))
    codes = tuple(wilayah.parse(a, field="areas") for a in body.areas)
    if codes:  # none: the decider says to name one
        ensure_writable(write.principal, codes, "area")
    meeting = c.MeetingFacts(
        id=found.id,
        status=found.state.status.value,
        date=found.state.held_on or found.state.date,
        area=found.state.area,
    )
    command = command_from(
        c.AdoptResolution, body, at=services.clock(), meeting=meeting, areas=codes
    )
    resolution_id = RESOLUTIONS.start(
        services, body, command, write, response, at="/v1/resolutions"
    )
    return resolution_answer(services, write.principal, resolution_id, response, check=False)


@router.get("/v1/resolutions", responses=PROBLEMS)
def list_resolutions(
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
            after=cursor(after),
            limit=limit,
        )
    following = f"{rows[-1].state.due}_{rows[-1].id}" if len(rows) == limit else None
    return ResolutionPage(items=[summary(r, today) for r in rows], next=following)


@router.get("/v1/resolutions/{resolution_id}", responses=PROBLEMS)
def get_resolution(
    resolution_id: ResolutionId, response: Response, services: ServicesDep, caller: Reader
) -> ResolutionAnswer:
    """A resolution, its history, and its target checked against the figures of the
    month it is due in (beside the office's own claim: status and percent)."""
    return resolution_answer(services, caller, str(resolution_id), response, check=True)


def _follow_up(
    step: str, name: str, request: type[FollowUp], command: type[c.ResolutionCommand], doc: str
) -> None:
    """The route ``name`` at ``step`` (described by ``doc``): the ``command`` of its
    ``request`` body, on a resolution the caller may change."""

    def follow_up(
        resolution_id: ResolutionId,
        body: FollowUp,
        response: Response,
        services: ServicesDep,
        write: Follower,
    ) -> ResolutionAnswer:
        done = command_from(command, body, at=services.clock())
        return _change(services, response, write, resolution_id, done, given=body.event_id)

    route = variant(follow_up, name=name, doc=doc, body=request)
    router.post(f"/v1/resolutions/{{resolution_id}}/{step}", responses=PROBLEMS)(route)


# The follow-ups of a resolution: the path's last step, the route's name (its operation id),
# its request body and command, and what it does.
_FOLLOW_UPS = (
    (
        "progress",
        "report_progress",
        ProgressRequest,
        c.ReportProgress,
        "Progress on an open resolution: text, percent, evidence hashes.",
    ),
    (
        "due",
        "change_due",
        DueRequest,
        c.ChangeDue,
        "Move an open resolution's due date, with the reason.",
    ),
    (
        "close",
        "close_resolution",
        CloseRequest,
        c.CloseResolution,
        "Close an open resolution as done or dropped, with the reason (409 if closed).",
    ),
    (
        "reopen",
        "reopen_resolution",
        ReasonRequest,
        c.ReopenResolution,
        "Open a closed resolution again, with the reason.",
    ),
)
for follow_up in _FOLLOW_UPS:
    _follow_up(*follow_up)


def resolution_answer(
    services: Services, caller: Principal, resolution_id: str, response: Response, *, check: bool
) -> ResolutionAnswer:
    """The resolution as ``GET /v1/resolutions/{id}`` answers it, with its ETag."""
    found = visible_resolution(services, caller, resolution_id)
    state, today = found.state, local_day(services.clock())
    checked = None
    if check and state.target is not None:
        found_check = check_target(services, state.target, state.areas, state.due, today)
        checked = TargetCheckAnswer.model_validate(found_check, from_attributes=True)
    etag(response, found.version)
    return answer_from(
        ResolutionAnswer,
        state,
        id=found.id,
        overdue=state.overdue(today),
        version=found.version,
        progress=[p.model_dump(mode="json") for p in state.progress],
        due_changes=[d.model_dump(mode="json") for d in state.due_changes],
        target_check=checked,
    )


def _change(
    services: Services,
    response: Response,
    write: Write,
    resolution_id: uuid.UUID,
    command: c.ResolutionCommand,
    *,
    given: uuid.UUID | None,
) -> ResolutionAnswer:
    """Follow up a resolution the caller may change, and answer it as it is now."""
    writable_resolution(services, write.principal, str(resolution_id))
    RESOLUTIONS.write(services, str(resolution_id), command, write, given=given)
    return resolution_answer(services, write.principal, str(resolution_id), response, check=False)
