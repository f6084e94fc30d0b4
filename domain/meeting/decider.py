"""The meeting and resolution aggregates: ``meeting-<uuid>`` and ``resolution-<uuid>``.

Their states are plain models so the read models can keep them as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import ClassVar, Final

from domain import wilayah
from domain.fact import DomainError, Fact, NotFound, StateConflict
from domain.meeting import commands as c
from domain.meeting import events as e
from domain.meeting.targets import check_target
from domain.values import FIRST_DAY, LAST_DAY, is_prose

MEETING_PREFIX: Final = "meeting-"
RESOLUTION_PREFIX: Final = "resolution-"
TITLE_LENGTH: Final = 200
OFFICE_LENGTH: Final = 150
TEXT_LENGTH: Final = 4000
MINUTES_LENGTH: Final = 50_000
MAX_ITEMS: Final = 100
_EASTERNMOST: Final = timezone(timedelta(hours=9), "WIT")  # the first in Indonesia to reach a day
_DEPTH: Final = {
    e.Level.KOTA: wilayah.Level.KABKOTA,
    e.Level.KECAMATAN: wilayah.Level.KECAMATAN,
    e.Level.DESA: wilayah.Level.DESA,
    e.Level.KAMPUNG_KB: wilayah.Level.DESA,
}


def meeting_stream(meeting_id: str) -> str:
    """The stream of a meeting."""
    return MEETING_PREFIX + meeting_id


def resolution_stream(resolution_id: str) -> str:
    """The stream of a resolution."""
    return RESOLUTION_PREFIX + resolution_id


def local_day(instant: datetime) -> date:
    """The latest date anywhere in Indonesia at ``instant``: "today" is never "future"."""
    return instant.astimezone(_EASTERNMOST).date()


class MeetingStatus(StrEnum):
    """Where a meeting stands."""

    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class Report(e.Value):
    """An area's latest report at the meeting, and how many it gave."""

    area: str
    office: str
    kampung_kb: e.KampungKbStatus | None
    activities: tuple[str, ...]
    obstacles: tuple[e.Kendala, ...]
    figures: e.ReportFigures | None
    reported_at: datetime
    revision: int


class MeetingState(e.Value):
    """A meeting as its history leaves it (without the officials' names)."""

    exists: bool = False
    level: e.Level = e.Level.KOTA
    area: str = ""
    date: dt.date = FIRST_DAY
    title: str = ""
    organiser: str = ""
    agenda: tuple[str, ...] = ()
    status: MeetingStatus = MeetingStatus.PLANNED
    held_on: dt.date | None = None
    minutes: str | None = None
    attendance: tuple[e.Attendee, ...] = ()
    cancel_reason: str | None = None
    documents: tuple[e.Document, ...] = ()
    reports: tuple[Report, ...] = ()


class MeetingDecider:
    """Decides meeting commands; pure."""

    stream_type: ClassVar[str] = "meeting"

    def initial_state(self) -> MeetingState:
        """A meeting not yet planned."""
        return MeetingState()

    def evolve(self, state: MeetingState, fact: Fact) -> MeetingState:
        """The state after ``fact``."""
        match fact:
            case e.MeetingPlanned():
                return MeetingState(
                    exists=True,
                    level=fact.level,
                    area=fact.area,
                    date=fact.date,
                    title=fact.title,
                    organiser=fact.organiser,
                    agenda=fact.agenda,
                )
            case e.MeetingHeld():
                return state.model_copy(
                    update={
                        "status": MeetingStatus.HELD,
                        "held_on": fact.held_on,
                        "minutes": fact.minutes,
                        "attendance": fact.attendance,
                    }
                )
            case e.MeetingCancelled():
                return state.model_copy(
                    update={"status": MeetingStatus.CANCELLED, "cancel_reason": fact.reason}
                )
            case e.DocumentAttached():
                return state.model_copy(update={"documents": (*state.documents, fact.document)})
            case e.AreaReported():
                return state.model_copy(update={"reports": _with_report(state.reports, fact)})
        return state

    def decide(self, command: c.MeetingCommand, state: MeetingState) -> Sequence[Fact]:
        """The facts ``command`` leads to, or a refusal."""
        if isinstance(command, c.PlanMeeting):
            return [_plan(command, state)]
        if not state.exists:
            raise NotFound("there is no such meeting")
        match command:
            case c.HoldMeeting():
                return [_hold(command, state)]
            case c.CancelMeeting():
                if state.status is not MeetingStatus.PLANNED:
                    raise StateConflict(f"the meeting is {state.status.value}, not planned")
                return [
                    e.MeetingCancelled(
                        occurred_at=command.at,
                        wilayah=state.area,
                        reason=text(command.reason, "reason"),
                    )
                ]
            case c.AttachDocument():
                if command.document in state.documents:
                    return []
                return [
                    e.DocumentAttached(
                        occurred_at=command.at, wilayah=state.area, document=command.document
                    )
                ]
            case c.ReportArea():
                return [_report(command, state)]
        raise DomainError(f"{type(command).__name__} is not a meeting command")


def _with_report(reports: tuple[Report, ...], fact: e.AreaReported) -> tuple[Report, ...]:
    earlier = next((r for r in reports if r.area == fact.area), None)
    report = Report(
        area=fact.area,
        office=fact.office,
        kampung_kb=fact.kampung_kb,
        activities=fact.activities,
        obstacles=fact.obstacles,
        figures=fact.figures,
        reported_at=fact.occurred_at,
        revision=1 if earlier is None else earlier.revision + 1,
    )
    return tuple(
        sorted([*(r for r in reports if r.area != fact.area), report], key=lambda r: r.area)
    )


def _plan(command: c.PlanMeeting, state: MeetingState) -> e.MeetingPlanned:
    if state.exists:
        raise StateConflict("this meeting is planned already", field="id")
    area = wilayah.parse(command.area, field="area")
    if wilayah.level(area) != _DEPTH[command.level]:
        raise DomainError(
            f"a {command.level.value} meeting covers a {_DEPTH[command.level].name.lower()} code",
            field="area",
        )
    return e.MeetingPlanned(
        occurred_at=command.at,
        wilayah=area,
        level=command.level,
        area=area,
        date=day(command.date, "date"),
        title=text(command.title, "title", TITLE_LENGTH),
        organiser=text(command.organiser, "organiser", OFFICE_LENGTH),
        agenda=items(command.agenda, "agenda"),
    )


def _hold(command: c.HoldMeeting, state: MeetingState) -> e.MeetingHeld:
    if state.status is not MeetingStatus.PLANNED:
        raise StateConflict(f"the meeting is {state.status.value} already")
    held_on = command.held_on or state.date
    if held_on > local_day(command.at):
        raise DomainError("a meeting is held on a day that has come", field="held_on")
    if abs((held_on - state.date).days) > 366:
        raise DomainError(
            "held more than a year from the planned date: plan it anew", field="held_on"
        )
    if len(command.attendance) > MAX_ITEMS * 5:
        raise DomainError(f"at most {MAX_ITEMS * 5} attendance lines", field="attendance")
    return e.MeetingHeld(
        occurred_at=command.at,
        wilayah=state.area,
        held_on=held_on,
        minutes=text(command.minutes, "minutes", MINUTES_LENGTH, squeeze=False),
        attendance=command.attendance,
        personal=command.personal,
    )


def _report(command: c.ReportArea, state: MeetingState) -> e.AreaReported:
    if state.status is not MeetingStatus.HELD:
        raise StateConflict(
            f"reports are given at a held meeting; this one is {state.status.value}"
        )
    area = wilayah.parse(command.area, field="area")
    if not wilayah.covers(state.area, area):
        raise DomainError(f"the area lies outside the meeting's area {state.area}", field="area")
    status = command.kampung_kb
    if status is not None and status.maturity is not None and not status.designated:
        raise DomainError(
            "a maturity is reported only for a designated Kampung KB", field="kampung_kb.maturity"
        )
    return e.AreaReported(
        occurred_at=command.at,
        wilayah=area,
        area=area,
        office=text(command.office, "office", OFFICE_LENGTH),
        kampung_kb=status,
        activities=items(command.activities, "activities"),
        obstacles=tuple(
            e.Kendala(code=k.code, text=" ".join(k.text.split()))
            for k in command.obstacles[:MAX_ITEMS]
        ),
        figures=command.figures,
    )


class ResolutionStatus(StrEnum):
    """Where a resolution stands."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class Progress(e.Value):
    """One progress update."""

    on: date
    text: str
    percent: int
    evidence: tuple[e.Document, ...]


class DueChange(e.Value):
    """One change of the due date."""

    on: date
    due: date
    reason: str


class ResolutionState(e.Value):
    """A resolution as its history leaves it."""

    exists: bool = False
    meeting: str = ""
    meeting_date: date = FIRST_DAY
    meeting_area: str = ""
    text: str = ""
    office: str = ""
    due: date = FIRST_DAY
    original_due: date = FIRST_DAY
    areas: tuple[str, ...] = ()
    target: e.Target | None = None
    adopted_on: date = FIRST_DAY
    status: ResolutionStatus = ResolutionStatus.OPEN
    closed_on: date | None = None
    close_reason: str | None = None
    percent: int | None = None
    progress: tuple[Progress, ...] = ()
    due_changes: tuple[DueChange, ...] = ()

    def overdue(self, today: date) -> bool:
        """Open after its due date."""
        return self.status is ResolutionStatus.OPEN and self.due < today


class ResolutionDecider:
    """Decides resolution commands; pure."""

    stream_type: ClassVar[str] = "resolution"

    def initial_state(self) -> ResolutionState:
        """A resolution not yet adopted."""
        return ResolutionState()

    def evolve(self, state: ResolutionState, fact: Fact) -> ResolutionState:
        """The state after ``fact``."""
        match fact:
            case e.ResolutionAdopted():
                return ResolutionState(
                    exists=True,
                    meeting=fact.meeting,
                    meeting_date=fact.meeting_date,
                    meeting_area=fact.wilayah or "",
                    text=fact.text,
                    office=fact.office,
                    due=fact.due,
                    original_due=fact.due,
                    areas=fact.areas,
                    target=fact.target,
                    adopted_on=local_day(fact.occurred_at),
                )
            case e.ProgressReported():
                update = Progress(
                    on=local_day(fact.occurred_at),
                    text=fact.text,
                    percent=fact.percent,
                    evidence=fact.evidence,
                )
                return state.model_copy(
                    update={"percent": fact.percent, "progress": (*state.progress, update)}
                )
            case e.DueDateChanged():
                change = DueChange(on=local_day(fact.occurred_at), due=fact.due, reason=fact.reason)
                return state.model_copy(
                    update={"due": fact.due, "due_changes": (*state.due_changes, change)}
                )
            case e.ResolutionClosed():
                return state.model_copy(
                    update={
                        "status": ResolutionStatus(fact.outcome.value),
                        "closed_on": fact.closed_on,
                        "close_reason": fact.reason,
                    }
                )
            case e.ResolutionReopened():
                return state.model_copy(
                    update={
                        "status": ResolutionStatus.OPEN,
                        "closed_on": None,
                        "close_reason": None,
                    }
                )
        return state

    def decide(self, command: c.ResolutionCommand, state: ResolutionState) -> Sequence[Fact]:
        """The facts ``command`` leads to, or a refusal."""
        if isinstance(command, c.AdoptResolution):
            return [_adopt(command, state)]
        if not state.exists:
            raise NotFound("there is no such resolution")
        where = state.meeting_area
        match command:
            case c.ReportProgress():
                _open(state, "progress is reported on an open resolution")
                if not 0 <= command.percent <= 100:
                    raise DomainError("percent lies between 0 and 100", field="percent")
                return [
                    e.ProgressReported(
                        occurred_at=command.at,
                        wilayah=where,
                        text=text(command.text, "text", TEXT_LENGTH),
                        percent=command.percent,
                        evidence=command.evidence[:MAX_ITEMS],
                    )
                ]
            case c.ChangeDue():
                _open(state, "the due date of a closed resolution stays")
                due = _due(command.due, state.meeting_date)
                if due == state.due:
                    raise StateConflict("the resolution is due on that date already", field="due")
                return [
                    e.DueDateChanged(
                        occurred_at=command.at,
                        wilayah=where,
                        due=due,
                        reason=text(command.reason, "reason"),
                    )
                ]
            case c.CloseResolution():
                _open(state, "the resolution is closed already")
                return [_close(command, state)]
            case c.ReopenResolution():
                if state.status is ResolutionStatus.OPEN:
                    raise StateConflict("the resolution is open")
                return [
                    e.ResolutionReopened(
                        occurred_at=command.at, wilayah=where, reason=text(command.reason, "reason")
                    )
                ]
        raise DomainError(f"{type(command).__name__} is not a resolution command")


def _adopt(command: c.AdoptResolution, state: ResolutionState) -> e.ResolutionAdopted:
    if state.exists:
        raise StateConflict("this resolution is adopted already", field="id")
    meeting = command.meeting
    if meeting.status != MeetingStatus.HELD:
        raise StateConflict(
            f"resolutions are adopted at a held meeting; this one is {meeting.status}"
        )
    if not command.areas:
        raise DomainError("name at least one area the resolution concerns", field="areas")
    if len(command.areas) > MAX_ITEMS:
        raise DomainError(f"at most {MAX_ITEMS} areas", field="areas")
    areas = []
    for given in command.areas:
        code = wilayah.parse(given, field="areas")
        if not wilayah.covers(meeting.area, code):
            raise DomainError(
                f"{code} lies outside the meeting's area {meeting.area}", field="areas"
            )
        if code not in areas:
            areas.append(code)
    if command.target is not None:
        check_target(command.target.indicator, command.target.value)
    return e.ResolutionAdopted(
        occurred_at=command.at,
        wilayah=meeting.area,
        meeting=meeting.id,
        meeting_date=meeting.date,
        text=text(command.text, "text", TEXT_LENGTH),
        office=text(command.office, "office", OFFICE_LENGTH),
        due=_due(command.due, meeting.date),
        areas=tuple(sorted(areas)),
        target=command.target,
    )


def _close(command: c.CloseResolution, state: ResolutionState) -> e.ResolutionClosed:
    today = local_day(command.at)
    closed_on = command.closed_on or today
    if closed_on > today:
        raise DomainError("a resolution is closed on a day that has come", field="closed_on")
    if closed_on < state.meeting_date:
        raise DomainError(
            "a resolution is closed after the meeting that adopted it", field="closed_on"
        )
    return e.ResolutionClosed(
        occurred_at=command.at,
        wilayah=state.meeting_area,
        outcome=command.outcome,
        closed_on=closed_on,
        reason=text(command.reason, "reason"),
    )


def _open(state: ResolutionState, refusal: str) -> None:
    if state.status is not ResolutionStatus.OPEN:
        raise StateConflict(f"{refusal} (it is {state.status.value})")


def _due(due: date, meeting_date: date) -> date:
    if due < meeting_date:
        raise DomainError("the due date is on or after the meeting's date", field="due")
    return day(due, "due")


def day(value: date, field: str) -> date:
    """A date within the years the system works with."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise DomainError(f"give a date from {FIRST_DAY} to {LAST_DAY}", field=field)
    return value


def text(value: str, field: str, limit: int = TEXT_LENGTH, *, squeeze: bool = True) -> str:
    """Trimmed text of 1 to ``limit`` characters (runs of white space made one if ``squeeze``)."""
    cleaned = " ".join(value.split()) if squeeze else value.strip()
    if not cleaned or len(cleaned) > limit:
        raise DomainError(f"give a text of 1 to {limit} characters", field=field)
    if not is_prose(cleaned, limit):
        raise DomainError(
            "no control characters, direction overrides or byte order marks", field=field
        )
    return cleaned


def items(values: Sequence[str], field: str) -> tuple[str, ...]:
    """Up to ``MAX_ITEMS`` non-empty lines of text."""
    if len(values) > MAX_ITEMS:
        raise DomainError(f"at most {MAX_ITEMS} items", field=field)
    return tuple(text(v, field) for v in values)
