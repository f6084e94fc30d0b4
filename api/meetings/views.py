"""What the meetings and resolutions routes share: who sees what, the resolution summary,
area names, cursors and ids."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict

from api.identity.access import Principal, Requires, ensure_writable
from api.services import Services
from api.web.kit import Strict
from api.web.responses import problems
from domain.fact import DomainError, NotFound
from domain.meeting import events as e
from domain.meeting.decider import ResolutionStatus
from domain.values import Text4000
from events.projections import meetings as index

PROBLEMS = problems(404, 409, 412)
Reader = Annotated[Principal, Requires("meetings:read")]
Writer = Annotated[Principal, Requires("meetings:write")]


class ReasonRequest(Strict):
    """A reason, for cancelling a meeting or reopening a resolution."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Bersamaan dengan kunjungan provinsi"}]}
    )

    event_id: uuid.UUID | None = None
    reason: Text4000


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


def visible_meeting(services: Services, caller: Principal, meeting_id: str) -> index.MeetingRow:
    """The meeting, if the caller's reach overlaps its area (else 404)."""
    with services.engine.connect() as conn:
        found = index.find_meeting(conn, meeting_id)
    if found is None or not caller.reach.sees([found.state.area]):
        raise NotFound("there is no such meeting")
    return found


def writable_meeting(services: Services, caller: Principal, meeting_id: str) -> index.MeetingRow:
    """The meeting, if its area lies inside the caller's reach (else 404)."""
    found = visible_meeting(services, caller, meeting_id)
    ensure_writable(caller, [found.state.area], "meeting")
    return found


def visible_resolution(
    services: Services, caller: Principal, resolution_id: str
) -> index.ResolutionRow:
    """The resolution, if the caller's reach overlaps one of its areas (else 404)."""
    with services.engine.connect() as conn:
        found = index.find_resolution(conn, resolution_id)
    if found is None or not caller.reach.sees(found.state.areas):
        raise NotFound("there is no such resolution")
    return found


def writable_resolution(
    services: Services, caller: Principal, resolution_id: str
) -> index.ResolutionRow:
    """The resolution, if every one of its areas lies inside the caller's reach (else 404):
    a camat does not move the due date of, or close, the kota's resolution."""
    found = visible_resolution(services, caller, resolution_id)
    ensure_writable(caller, found.state.areas, "resolution")
    return found


def cursor(after: str | None) -> tuple[date, str] | None:
    if after is None:
        return None
    day, _, last = after.partition("_")
    try:
        return date.fromisoformat(day), str(uuid.UUID(last))
    except ValueError:
        raise DomainError("give the `next` of the previous page", field="after") from None
