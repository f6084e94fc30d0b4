"""The meetings and resolutions read models: each stream's decided state, kept as JSON,
beside the columns the lists filter on (area, date, office, due date, status).

The state is the one the deciders fold (``domain.meeting.decider``), so the read model can
never disagree with what a command would see. Resolutions are also indexed by each area
they concern, for the per-area lists and queues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import groupby
from typing import ClassVar

from sqlalchemy import Column, Connection, Date, Index, String, Table, delete, or_, select

from domain.meeting import events as e
from domain.meeting.decider import (
    MEETING_PREFIX,
    RESOLUTION_PREFIX,
    MeetingDecider,
    MeetingState,
    ResolutionDecider,
    ResolutionState,
    ResolutionStatus,
)
from events.envelope import RecordedEvent
from events.projections.codes import overlapping, under
from events.projections.decided import decided_row, decided_table, listed, states_of, stored_state
from events.projections.upsert import upsert
from events.registry import Registry
from events.schema import code_column, id_column, metadata

meetings = decided_table(
    "proj_meetings",
    Column("level", String(12), nullable=False),
    code_column("area", nullable=False),
    Column("date", Date, nullable=False),
    Column("status", String(10), nullable=False),
    Index("ix_proj_meetings_area_date", "area", "date"),
    Index("ix_proj_meetings_date", "date"),
)

resolutions = decided_table(
    "proj_resolutions",
    id_column("meeting_id", nullable=False),
    code_column("meeting_area", nullable=False),
    Column("office", String(150), nullable=False),
    Column("due", Date, nullable=False),
    Column("status", String(8), nullable=False),
    Index("ix_proj_resolutions_meeting", "meeting_id"),
    Index("ix_proj_resolutions_status_due", "status", "due"),
)

resolution_areas = Table(
    "proj_resolution_areas",
    metadata,
    id_column("resolution_id", primary_key=True),
    code_column("code", primary_key=True),
    Index("ix_proj_resolution_areas_code", "code"),
)


@dataclass(frozen=True)
class MeetingRow:
    """A meeting as the read model holds it."""

    id: str
    version: int
    state: MeetingState


@dataclass(frozen=True)
class ResolutionRow:
    """A resolution as the read model holds it."""

    id: str
    version: int
    state: ResolutionState


class MeetingIndex:
    """Keeps the meetings and resolutions tables in step with their streams."""

    name: ClassVar[str] = "meetings"
    tables: ClassVar[tuple[Table, ...]] = (meetings, resolutions, resolution_areas)
    event_types: ClassVar[frozenset[str] | None] = frozenset(
        f.event_type for f in (*e.MEETING_FACTS, *e.RESOLUTION_FACTS)
    )
    write_only: ClassVar[bool] = False
    stream_local: ClassVar[bool] = True

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def apply(self, conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        """Fold each stream's new events onto its stored state."""
        for stream_id, group in groupby(batch, key=lambda event: event.stream_id):
            events = list(group)
            if stream_id.startswith(MEETING_PREFIX):
                self._meeting(conn, stream_id.removeprefix(MEETING_PREFIX), events)
            elif stream_id.startswith(RESOLUTION_PREFIX):
                self._resolution(conn, stream_id.removeprefix(RESOLUTION_PREFIX), events)

    def _meeting(self, conn: Connection, meeting_id: str, batch: list[RecordedEvent]) -> None:
        found = find_meeting(conn, meeting_id)
        state = self.registry.fold(MeetingDecider(), batch, None if found is None else found.state)
        row = decided_row(
            meeting_id,
            state,
            batch[-1].stream_version,
            level=state.level.value,
            area=state.area,
            date=state.date,
            status=state.status.value,
        )
        upsert(conn, meetings, [row], ["id"])

    def _resolution(self, conn: Connection, resolution_id: str, batch: list[RecordedEvent]) -> None:
        found = find_resolution(conn, resolution_id)
        stored = None if found is None else found.state
        state = self.registry.fold(ResolutionDecider(), batch, stored)
        row = decided_row(
            resolution_id,
            state,
            batch[-1].stream_version,
            meeting_id=state.meeting,
            meeting_area=state.meeting_area,
            office=state.office,
            due=state.due,
            status=state.status.value,
        )
        upsert(conn, resolutions, [row], ["id"])
        if found is None:
            conn.execute(
                delete(resolution_areas).where(resolution_areas.c.resolution_id == resolution_id)
            )
            concerned = [
                {"resolution_id": resolution_id, "code": a} for a in sorted(set(state.areas))
            ]
            if concerned:  # an empty list would insert one row of NULLs
                conn.execute(resolution_areas.insert(), concerned)


def find_meeting(conn: Connection, meeting_id: str) -> MeetingRow | None:
    """The meeting ``meeting_id``, or None."""
    found = stored_state(conn, meetings, MeetingState, meeting_id)
    return None if found is None else MeetingRow(meeting_id, found[1], found[0])


def find_resolution(conn: Connection, resolution_id: str) -> ResolutionRow | None:
    """The resolution ``resolution_id``, or None."""
    found = stored_state(conn, resolutions, ResolutionState, resolution_id)
    return None if found is None else ResolutionRow(resolution_id, found[1], found[0])


def list_meetings(
    conn: Connection,
    *,
    reach: Sequence[str],
    area: str | None,
    first: date | None,
    last: date | None,
    after: tuple[date, str] | None,
    limit: int,
) -> list[MeetingRow]:
    """Meetings overlapping ``reach`` (and ``area``), by date then id, after the cursor."""
    query = states_of(meetings).where(overlapping(meetings.c.area, reach))
    if area is not None:
        query = query.where(overlapping(meetings.c.area, [area]))
    if first is not None:
        query = query.where(meetings.c.date >= first)
    if last is not None:
        query = query.where(meetings.c.date <= last)
    if after is not None:
        query = query.where(
            or_(
                meetings.c.date > after[0],
                (meetings.c.date == after[0]) & (meetings.c.id > after[1]),
            )
        )
    query = query.order_by(meetings.c.date, meetings.c.id).limit(limit)
    return [
        MeetingRow(k, v, s) for k, s, v in listed(conn, query, MeetingState.model_validate_json)
    ]


def list_resolutions(
    conn: Connection,
    *,
    reach: Sequence[str],
    area: str | None = None,
    meeting: str | None = None,
    status: ResolutionStatus | None = None,
    overdue: bool | None = None,
    today: date | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    office: str | None = None,
    after: tuple[date, str] | None = None,
    limit: int | None = None,
) -> list[ResolutionRow]:
    """Resolutions concerning an area that overlaps ``reach`` (and lies in ``area``), by due
    date then id; ``overdue`` keeps those open and due before ``today`` (or all others)."""
    concerned = select(resolution_areas.c.resolution_id).where(
        overlapping(resolution_areas.c.code, reach)
    )
    if area is not None:
        concerned = concerned.where(under(resolution_areas.c.code, area))
    r = resolutions.c
    query = states_of(resolutions).where(r.id.in_(concerned))
    if overdue is not None:
        if today is None:
            raise ValueError("overdue is judged on a given day")
        late = (r.status == ResolutionStatus.OPEN.value) & (r.due < today)
        query = query.where(late if overdue else ~late)
    if meeting is not None:
        query = query.where(r.meeting_id == meeting)
    if status is not None:
        query = query.where(r.status == status.value)
    if due_from is not None:
        query = query.where(r.due >= due_from)
    if due_to is not None:
        query = query.where(r.due <= due_to)
    if office is not None:
        query = query.where(r.office == office)
    if after is not None:
        query = query.where(or_(r.due > after[0], (r.due == after[0]) & (r.id > after[1])))
    query = query.order_by(r.due, r.id)
    if limit is not None:
        query = query.limit(limit)
    return [ResolutionRow(k, v, s) for k, s, v in listed(conn, query, _resolution)]


@lru_cache(maxsize=8192)
def _resolution(state: str) -> ResolutionState:
    """A stored state parsed once (frozen): every evaluation lists the resolutions due."""
    return ResolutionState.model_validate_json(state)
