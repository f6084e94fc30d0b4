"""What happened at coordination meetings and to the resolutions they adopted.

A *meeting* (rakor TPPS, Kampung KB review, evaluation) is planned, then held or cancelled;
at a held meeting the camat, lurah or kepala desa report their area's progress, and the
meeting adopts *resolutions*, each its own stream, followed through until closed. Names of
officials are personal data and go only in ``personal``; documents are referenced by their
SHA-256 and size, never stored.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import ConfigDict, Field

from domain.area.events import KampungKbCategory
from domain.fact import Fact, PersonalPart, name_identifier
from domain.values import Finite, Ident, Int53, Str150, Value, Wilayah

SHA256_PATTERN = r"^[0-9a-f]{64}$"


class Level(StrEnum):
    """The level a meeting works at; its area code has the matching depth."""

    KOTA = "kota"
    KECAMATAN = "kecamatan"
    DESA = "desa"
    KAMPUNG_KB = "kampung_kb"


class Obstacle(StrEnum):
    """The coded categories of kendala (obstacles) an area reports."""

    DATA = "data"
    KADER = "kader"
    BUDGET = "budget"
    ACCESS = "access"
    BEHAVIOUR = "behaviour"
    OTHER = "other"


class DocumentKind(StrEnum):
    """What a referenced document is."""

    INVITATION = "invitation"
    MINUTES = "minutes"
    ATTENDANCE = "attendance"
    PHOTO = "photo"
    OTHER = "other"


class Outcome(StrEnum):
    """How a resolution was closed."""

    DONE = "done"
    DROPPED = "dropped"


class Document(Value):
    """A file kept elsewhere, named by its content: SHA-256 (hex) and size in bytes."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "minutes",
                    "media_type": "application/pdf",
                    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                    "size": 48213,
                }
            ]
        }
    )

    sha256: str = Field(pattern=SHA256_PATTERN)
    size: int = Field(gt=0, le=10**10)
    kind: DocumentKind = DocumentKind.OTHER
    media_type: str | None = Field(None, max_length=100, pattern=r"^[\w.+-]+/[\w.+-]+$")


class Attendee(Value):
    """An office and position present at the meeting (their count, default one person)."""

    office: str = Field(min_length=1, max_length=150)
    position: str = Field(min_length=1, max_length=150)
    count: int = Field(1, ge=1, le=1000)


class Official(Value):
    """The name of an official attending: personal data, in the encrypted part only."""

    office: str = Field(min_length=1, max_length=150)
    position: str = Field(min_length=1, max_length=150)
    name: str = Field(min_length=1, max_length=150)


class MeetingPersonal(Value):
    """The personal part of a held meeting: the officials named in the attendance list."""

    officials: tuple[Official, ...] = ()

    def parts(self) -> tuple[PersonalPart, ...]:
        """Each official under his own key, the same in every meeting that names him."""
        return tuple(
            PersonalPart(
                "official", {"officials": [o.model_dump(mode="json")]}, name_identifier(o.name)
            )
            for o in self.officials
        )


class Kendala(Value):
    """One obstacle an area reports: its category and what it is."""

    code: Obstacle
    text: str = Field("", max_length=1000)


class KampungKbStatus(Value):
    """The Kampung KB status an area reports: designated or not, and its maturity."""

    designated: bool
    maturity: KampungKbCategory | None = None


class ReportFigures(Value):
    """The area figures of the month before the meeting, as known at the end of its day."""

    period: str
    log_position: Int53
    present: Int53
    measured: Int53
    coverage: Finite | None
    measured_valid_haz: Int53
    stunted: Int53
    severely_stunted: Int53
    prevalence_stunting: Finite | None
    wasted: Int53
    underweight: Int53
    new_stunting: Int53
    zero_new_stunting: bool | None
    flagged: Int53


class Target(Value):
    """An indicator of the area figures and the value a resolution aims for."""

    indicator: str
    value: Finite


class MeetingPlanned(Fact):
    """A meeting was planned for ``date`` at ``level`` over the area ``area``."""

    event_type = "meeting.planned"

    level: Level
    area: Wilayah
    date: date
    title: str
    organiser: str
    agenda: tuple[str, ...] = ()


class MeetingHeld(Fact):
    """The meeting took place on ``held_on``; its minutes and attendance (by office)."""

    event_type = "meeting.held"

    held_on: date
    minutes: str
    attendance: tuple[Attendee, ...] = ()
    personal: MeetingPersonal | None = None


class MeetingCancelled(Fact):
    """The planned meeting will not take place."""

    event_type = "meeting.cancelled"

    reason: str


class DocumentAttached(Fact):
    """A document of the meeting (invitation, signed minutes, photo), by its hash."""

    event_type = "meeting.document_attached"

    document: Document


class AreaReported(Fact):
    """An area's progress report at the meeting, with the figures the meeting saw.

    A later report for the same area replaces the earlier one in the meeting's view.
    """

    event_type = "meeting.area_reported"

    area: Wilayah
    office: Str150
    kampung_kb: KampungKbStatus | None = None
    activities: tuple[str, ...] = ()
    obstacles: tuple[Kendala, ...] = ()
    figures: ReportFigures | None = None


class ResolutionAdopted(Fact):
    """The meeting ``meeting`` adopted a resolution: what, who, by when, where."""

    event_type = "resolution.adopted"

    meeting: Ident
    meeting_date: date
    text: str
    office: Str150
    due: date
    areas: tuple[Wilayah, ...]
    target: Target | None = None


class ProgressReported(Fact):
    """The responsible office reported progress: text, its own percent, evidence."""

    event_type = "resolution.progress_reported"

    text: str
    percent: Int53
    evidence: tuple[Document, ...] = ()


class DueDateChanged(Fact):
    """The resolution's due date was moved, with the reason."""

    event_type = "resolution.due_changed"

    due: date
    reason: str


class ResolutionClosed(Fact):
    """The resolution was closed on ``closed_on`` as done or dropped, with the reason."""

    event_type = "resolution.closed"

    outcome: Outcome
    closed_on: date
    reason: str


class ResolutionReopened(Fact):
    """A closed resolution is open again, with the reason."""

    event_type = "resolution.reopened"

    reason: str


MEETING_FACTS: tuple[type[Fact], ...] = (
    MeetingPlanned,
    MeetingHeld,
    MeetingCancelled,
    DocumentAttached,
    AreaReported,
)
RESOLUTION_FACTS: tuple[type[Fact], ...] = (
    ResolutionAdopted,
    ProgressReported,
    DueDateChanged,
    ResolutionClosed,
    ResolutionReopened,
)
