"""What may be asked of meetings and resolutions; every command carries its instant."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime

from domain.fact import Command
from domain.meeting import events as e


class MeetingCommand(Command):
    """Every meeting command carries the time it is made."""

    at: AwareDatetime


class PlanMeeting(MeetingCommand):
    """Plan a meeting over an area (whose existence the caller has checked)."""

    level: e.Level
    area: str
    date: date
    title: str
    organiser: str
    agenda: tuple[str, ...] = ()


class HoldMeeting(MeetingCommand):
    """Record that the meeting took place (on its planned date unless ``held_on``)."""

    held_on: date | None = None
    minutes: str
    attendance: tuple[e.Attendee, ...] = ()
    personal: e.MeetingPersonal | None = None


class CancelMeeting(MeetingCommand):
    """Call off a planned meeting."""

    reason: str


class AttachDocument(MeetingCommand):
    """Reference a document of the meeting by its hash."""

    document: e.Document


class ReportArea(MeetingCommand):
    """An area's progress report at a held meeting, with the figures attached for it."""

    area: str
    office: str
    kampung_kb: e.KampungKbStatus | None = None
    activities: tuple[str, ...] = ()
    obstacles: tuple[e.Kendala, ...] = ()
    figures: e.ReportFigures | None = None


class ResolutionCommand(Command):
    """Every resolution command carries the time it is made."""

    at: AwareDatetime


class MeetingFacts(Command):
    """What a resolution needs to know of its meeting, read from the meeting's stream."""

    id: str
    status: str
    date: date
    area: str


class AdoptResolution(ResolutionCommand):
    """Adopt a resolution at ``meeting``."""

    meeting: MeetingFacts
    text: str
    office: str
    due: date
    areas: tuple[str, ...]
    target: e.Target | None = None


class ReportProgress(ResolutionCommand):
    """The responsible office's progress: text, its own percent, evidence."""

    text: str
    percent: int
    evidence: tuple[e.Document, ...] = ()


class ChangeDue(ResolutionCommand):
    """Move the due date, with a reason."""

    due: date
    reason: str


class CloseResolution(ResolutionCommand):
    """Close as done or dropped (on ``closed_on``, by default the day of the command)."""

    outcome: e.Outcome
    reason: str
    closed_on: date | None = None


class ReopenResolution(ResolutionCommand):
    """Open a closed resolution again."""

    reason: str
