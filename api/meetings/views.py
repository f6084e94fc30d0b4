"""What the meetings and resolutions routes share: who sees what, the streams they write,
the officials named at a meeting, the resolution summary and ids."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Final

from fastapi import Path
from pydantic import BaseModel

from api.identity.access import Principal, Requires, ensure_writable, read_meta
from api.services import Services
from api.web.kit import Streams, Strict, Write, Writes, answer_from, example
from domain.fact import NotFound
from domain.meeting import events as e
from domain.meeting.decider import (
    MEETING_PREFIX,
    RESOLUTION_PREFIX,
    MeetingDecider,
    MeetingStatus,
    ResolutionDecider,
    ResolutionStatus,
)
from domain.values import Text4000
from events import feed
from events.projections import meetings as index

Reader = Annotated[Principal, Requires("meetings:read")]
Writer = Annotated[Write, Writes("meetings:write", if_match=False)]
MeetingId = Annotated[uuid.UUID, Path(description="The meeting's id (a UUID).")]
MEETINGS: Final = Streams(MeetingDecider(), MEETING_PREFIX)
RESOLUTIONS: Final = Streams(ResolutionDecider(), RESOLUTION_PREFIX)


class ReasonRequest(Strict):
    """A reason, for cancelling a meeting or reopening a resolution."""

    model_config = example({"reason": "Bersamaan dengan kunjungan provinsi"})

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
    return answer_from(
        ResolutionSummary,
        row.state,
        id=row.id,
        overdue=row.state.overdue(today),
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


def officials_of(
    services: Services, caller: Principal, found: index.MeetingRow
) -> tuple[e.Official, ...] | None:
    """The officials named at the meeting, for callers with ``pii:read`` (a logged read)."""
    state = found.state
    if "pii:read" not in caller.scopes or state.status is not MeetingStatus.HELD:
        return None
    stream = MEETING_PREFIX + found.id
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
