"""The resolution aggregate, a ``resolution-<uuid>`` stream: what a held meeting resolved,
followed through until closed."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar, Final

from domain import wilayah
from domain.checks import MAX_ITEMS, day, local_day, text
from domain.fact import DomainError, Fact, StateConflict
from domain.meeting import commands as c
from domain.meeting import events as e
from domain.meeting.decider.meeting import OFFICE_LENGTH, MeetingStatus
from domain.meeting.targets import check_target
from domain.streams import StreamDecider, begun, fact_from, starts_stream
from domain.values import FIRST_DAY, Value

RESOLUTION_PREFIX: Final = "resolution-"
TEXT_LENGTH: Final = 4000


def resolution_stream(resolution_id: str) -> str:
    """The stream of a resolution."""
    return RESOLUTION_PREFIX + resolution_id


class ResolutionStatus(StrEnum):
    """Where a resolution stands."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class Progress(Value):
    """One progress update."""

    on: date
    text: str
    percent: int
    evidence: tuple[e.Document, ...]


class DueChange(Value):
    """One change of the due date."""

    on: date
    due: date
    reason: str


class ResolutionState(Value):
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


@starts_stream
def _adopt(command: c.AdoptResolution, state: ResolutionState) -> list[Fact]:
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
    return fact_from(
        e.ResolutionAdopted,
        command,
        wilayah=meeting.area,
        meeting=meeting.id,
        meeting_date=meeting.date,
        text=text(command.text, "text", TEXT_LENGTH),
        office=text(command.office, "office", OFFICE_LENGTH),
        due=_due(command.due, meeting.date),
        areas=tuple(sorted(areas)),
    )


def _report_progress(command: c.ReportProgress, state: ResolutionState) -> list[Fact]:
    _open(state, "progress is reported on an open resolution")
    if not 0 <= command.percent <= 100:
        raise DomainError("percent lies between 0 and 100", field="percent")
    return fact_from(
        e.ProgressReported,
        command,
        wilayah=state.meeting_area,
        text=text(command.text, "text", TEXT_LENGTH),
        evidence=command.evidence[:MAX_ITEMS],
    )


def _change_due(command: c.ChangeDue, state: ResolutionState) -> list[Fact]:
    _open(state, "the due date of a closed resolution stays")
    due = _due(command.due, state.meeting_date)
    if due == state.due:
        raise StateConflict("the resolution is due on that date already", field="due")
    reason = text(command.reason, "reason")
    return fact_from(e.DueDateChanged, command, wilayah=state.meeting_area, due=due, reason=reason)


def _close(command: c.CloseResolution, state: ResolutionState) -> list[Fact]:
    _open(state, "the resolution is closed already")
    today = local_day(command.at)
    closed_on = command.closed_on or today
    if closed_on > today:
        raise DomainError("a resolution is closed on a day that has come", field="closed_on")
    if closed_on < state.meeting_date:
        raise DomainError(
            "a resolution is closed after the meeting that adopted it", field="closed_on"
        )
    return fact_from(
        e.ResolutionClosed,
        command,
        wilayah=state.meeting_area,
        closed_on=closed_on,
        reason=text(command.reason, "reason"),
    )


def _reopen(command: c.ReopenResolution, state: ResolutionState) -> list[Fact]:
    if state.status is ResolutionStatus.OPEN:
        raise StateConflict("the resolution is open")
    reason = text(command.reason, "reason")
    return fact_from(e.ResolutionReopened, command, wilayah=state.meeting_area, reason=reason)


def _open(state: ResolutionState, refusal: str) -> None:
    if state.status is not ResolutionStatus.OPEN:
        raise StateConflict(f"{refusal} (it is {state.status.value})")


def _due(due: date, meeting_date: date) -> date:
    if due < meeting_date:
        raise DomainError("the due date is on or after the meeting's date", field="due")
    return day(due, "due")


def _adopted(state: ResolutionState, fact: e.ResolutionAdopted) -> ResolutionState:
    return begun(
        ResolutionState,
        fact,
        meeting_area=fact.wilayah or "",
        original_due=fact.due,
        adopted_on=local_day(fact.occurred_at),
    )


def _progressed(state: ResolutionState, fact: e.ProgressReported) -> ResolutionState:
    update = Progress(
        on=local_day(fact.occurred_at), text=fact.text, percent=fact.percent, evidence=fact.evidence
    )
    return state.model_copy(update={"percent": fact.percent, "progress": (*state.progress, update)})


def _due_changed(state: ResolutionState, fact: e.DueDateChanged) -> ResolutionState:
    change = DueChange(on=local_day(fact.occurred_at), due=fact.due, reason=fact.reason)
    return state.model_copy(update={"due": fact.due, "due_changes": (*state.due_changes, change)})


def _closed(state: ResolutionState, fact: e.ResolutionClosed) -> ResolutionState:
    status = ResolutionStatus(fact.outcome.value)
    update = {"status": status, "closed_on": fact.closed_on, "close_reason": fact.reason}
    return state.model_copy(update=update)


def _reopened(state: ResolutionState, fact: e.ResolutionReopened) -> ResolutionState:
    update = {"status": ResolutionStatus.OPEN, "closed_on": None, "close_reason": None}
    return state.model_copy(update=update)


class ResolutionDecider(StreamDecider[c.ResolutionCommand, ResolutionState]):
    """Decides resolution commands; pure."""

    stream_type: ClassVar[str] = "resolution"
    rules = (_adopt, _report_progress, _change_due, _close, _reopen)
    changes = (_adopted, _progressed, _due_changed, _closed, _reopened)
