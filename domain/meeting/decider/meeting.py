"""The meeting aggregate, a ``meeting-<uuid>`` stream: planned, then held or cancelled, with
the documents it refers to and the reports the areas gave at it."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Final

from domain import wilayah
from domain.checks import MAX_ITEMS, day, items, local_day, text
from domain.fact import DomainError, Fact, StateConflict
from domain.meeting import commands as c
from domain.meeting import events as e
from domain.streams import StreamDecider, begun, fact_from, made_from, starts_stream
from domain.values import FIRST_DAY, Value

MEETING_PREFIX: Final = "meeting-"
TITLE_LENGTH: Final = 200
OFFICE_LENGTH: Final = 150
MINUTES_LENGTH: Final = 50_000
_DEPTH: Final = {
    e.Level.KOTA: wilayah.Level.KABKOTA,
    e.Level.KECAMATAN: wilayah.Level.KECAMATAN,
    e.Level.DESA: wilayah.Level.DESA,
    e.Level.KAMPUNG_KB: wilayah.Level.DESA,
}


def meeting_stream(meeting_id: str) -> str:
    """The stream of a meeting."""
    return MEETING_PREFIX + meeting_id


class MeetingStatus(StrEnum):
    """Where a meeting stands."""

    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class Report(Value):
    """An area's latest report at the meeting, and how many it gave."""

    area: str
    office: str
    kampung_kb: e.KampungKbStatus | None
    activities: tuple[str, ...]
    obstacles: tuple[e.Kendala, ...]
    figures: e.ReportFigures | None
    reported_at: datetime
    revision: int


class MeetingState(Value):
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


def _with_report(reports: tuple[Report, ...], fact: e.AreaReported) -> tuple[Report, ...]:
    earlier = next((r for r in reports if r.area == fact.area), None)
    revision = 1 if earlier is None else earlier.revision + 1
    report = made_from(Report, fact, reported_at=fact.occurred_at, revision=revision)
    return tuple(
        sorted([*(r for r in reports if r.area != fact.area), report], key=lambda r: r.area)
    )


@starts_stream
def _plan(command: c.PlanMeeting, state: MeetingState) -> list[Fact]:
    if state.exists:
        raise StateConflict("this meeting is planned already", field="id")
    area = wilayah.parse(command.area, field="area")
    if wilayah.level(area) != _DEPTH[command.level]:
        raise DomainError(
            f"a {command.level.value} meeting covers a {_DEPTH[command.level].name.lower()} code",
            field="area",
        )
    return fact_from(
        e.MeetingPlanned,
        command,
        wilayah=area,
        area=area,
        date=day(command.date, "date"),
        title=text(command.title, "title", TITLE_LENGTH),
        organiser=text(command.organiser, "organiser", OFFICE_LENGTH),
        agenda=items(command.agenda, "agenda"),
    )


def _hold(command: c.HoldMeeting, state: MeetingState) -> list[Fact]:
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
    return fact_from(
        e.MeetingHeld,
        command,
        wilayah=state.area,
        held_on=held_on,
        minutes=text(command.minutes, "minutes", MINUTES_LENGTH, squeeze=False),
    )


def _report(command: c.ReportArea, state: MeetingState) -> list[Fact]:
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
    return fact_from(
        e.AreaReported,
        command,
        wilayah=area,
        area=area,
        office=text(command.office, "office", OFFICE_LENGTH),
        kampung_kb=status,
        activities=items(command.activities, "activities"),
        obstacles=tuple(
            e.Kendala(code=k.code, text=" ".join(k.text.split()))
            for k in command.obstacles[:MAX_ITEMS]
        ),
    )


def _cancel(command: c.CancelMeeting, state: MeetingState) -> list[Fact]:
    if state.status is not MeetingStatus.PLANNED:
        raise StateConflict(f"the meeting is {state.status.value}, not planned")
    reason = text(command.reason, "reason")
    return fact_from(e.MeetingCancelled, command, wilayah=state.area, reason=reason)


def _attach(command: c.AttachDocument, state: MeetingState) -> list[Fact]:
    if command.document in state.documents:
        return []
    return fact_from(e.DocumentAttached, command, wilayah=state.area)


def _planned(state: MeetingState, fact: e.MeetingPlanned) -> MeetingState:
    return begun(MeetingState, fact)


def _held(state: MeetingState, fact: e.MeetingHeld) -> MeetingState:
    update = {
        "status": MeetingStatus.HELD,
        "held_on": fact.held_on,
        "minutes": fact.minutes,
        "attendance": fact.attendance,
    }
    return state.model_copy(update=update)


def _cancelled(state: MeetingState, fact: e.MeetingCancelled) -> MeetingState:
    update = {"status": MeetingStatus.CANCELLED, "cancel_reason": fact.reason}
    return state.model_copy(update=update)


def _attached(state: MeetingState, fact: e.DocumentAttached) -> MeetingState:
    return state.model_copy(update={"documents": (*state.documents, fact.document)})


def _reported(state: MeetingState, fact: e.AreaReported) -> MeetingState:
    return state.model_copy(update={"reports": _with_report(state.reports, fact)})


class MeetingDecider(StreamDecider[c.MeetingCommand, MeetingState]):
    """Decides meeting commands; pure."""

    stream_type: ClassVar[str] = "meeting"
    rules = (_plan, _hold, _cancel, _attach, _report)
    changes = (_planned, _held, _cancelled, _attached, _reported)
