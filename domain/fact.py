"""What every domain event and decider looks like; no I/O, no storage."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Protocol, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints, field_validator

Wilayah = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$")
]
"""An area code in its canonical dotted form, as every fact states it."""

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PersonalPart:
    """The personal fields of one person in a fact, sealed under that person's own key.

    ``subject`` is her place in the stream (``child``, ``mother``, ``head``, ``sponsor``,
    ``official``, ``mother-<id>``); ``identifier`` recognises the same person in any
    stream (``nik:<16 digits>``, ``name:<normalised name>``), so that one key holds her data
    wherever she is named and one erasure removes it everywhere. Without one, the person
    is known only as this subject of this stream.
    """

    subject: str
    fields: Mapping[str, Any]
    identifier: str | None = None


def nik_identifier(nik: str | None) -> str | None:
    """The identifier of a person with a NIK (None without one)."""
    return None if nik is None else "nik:" + nik


def name_identifier(name: str) -> str:
    """The identifier of a person known only by name (an official): spacing and case aside."""
    return "name:" + _SPACES.sub(" ", name).strip().casefold()


class Fact(BaseModel):
    """A domain event: a past-tense fact with a stable stored name.

    ``event_type`` and ``schema_version`` are the names the log stores; moving or renaming
    the class never changes them. ``occurred_at`` is valid time (the day measured, the
    meeting date); ``wilayah`` is the area code the fact concerns. A field named
    ``personal`` (a model or None) holds the personal data: the store encrypts it under the
    subject's key and keeps it out of the plain payload.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    personal_subject: ClassVar[str] = "subject"  # whose a personal part is, if not split

    occurred_at: AwareDatetime
    wilayah: Wilayah | None = None

    @field_validator("occurred_at")
    @classmethod
    def _in_utc(cls, instant: datetime) -> datetime:
        """Valid time in UTC, as the log writes and reads it (an instant near the year 1 or
        9999 that UTC cannot hold is refused here, not when the event is encoded)."""
        try:
            return instant.astimezone(UTC)
        except OverflowError:
            raise ValueError("the instant lies outside the years 1 to 9999 in UTC") from None

    def personal_parts(self) -> tuple[PersonalPart, ...]:
        """The personal part split by person: as its model splits it (``parts()``), else one
        part, all of it ``personal_subject``'s."""
        personal: BaseModel | None = getattr(self, "personal", None)
        if personal is None:
            return ()
        split = getattr(personal, "parts", None)
        if split is not None:
            parts: tuple[PersonalPart, ...] = split()
            return parts
        return (PersonalPart(self.personal_subject, personal.model_dump(mode="json")),)


class Command(BaseModel):
    """An instruction to a decider, in the imperative (``RecordMeasurement``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class DomainError(Exception):
    """A rule of the domain refused a command; mapped to HTTP in ``api/web/errors.py`` only."""

    status: ClassVar[int] = 422
    code: ClassVar[str] = "domain-rule"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class StateConflict(DomainError):
    """The command does not fit the current state (closing twice, voiding twice): 409."""

    status = 409
    code = "state-conflict"


class NotFound(DomainError):
    """The thing the command refers to does not exist (or is out of reach): 404."""

    status = 404
    code = "not-found"


CommandT_contra = TypeVar("CommandT_contra", bound=Command, contravariant=True)
StateT = TypeVar("StateT")
FactT = TypeVar("FactT", bound=Fact)


class Decider(Protocol[CommandT_contra, StateT]):
    """A pure aggregate: ``decide(command, state) -> facts``, ``evolve(state, fact) -> state``."""

    stream_type: ClassVar[str]

    def initial_state(self) -> StateT: ...

    def evolve(self, state: StateT, fact: Fact) -> StateT: ...

    def decide(self, command: CommandT_contra, state: StateT) -> Sequence[Fact]: ...


class Clock(Protocol):
    """Where "now" comes from, so deciders and tests never read the wall clock directly."""

    def now(self) -> datetime: ...
