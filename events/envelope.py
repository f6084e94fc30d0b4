"""The stored event and what an append asks for."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, TypeAlias

from domain.fact import PersonalPart

JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None
JsonObject: TypeAlias = dict[str, JsonValue]


class StreamState(enum.Enum):
    """Expected versions that are not a number."""

    ANY = "any"
    NO_STREAM = "no_stream"


ANY: Final = StreamState.ANY
NO_STREAM: Final = StreamState.NO_STREAM
ExpectedVersion: TypeAlias = int | StreamState


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append; personal fields are plain here and encrypted by the store."""

    event_id: str
    event_type: str
    occurred_at: datetime
    payload: JsonObject
    schema_version: int = 1
    wilayah: str | None = None
    personal: JsonObject | None = None
    meta: JsonObject = field(default_factory=dict)
    subject_id: str | None = None  # whose key seals an unsplit ``personal``; the stream's id
    # ``personal`` split by person, each part sealed under its person's key; empty: all of
    # ``personal`` is sealed as one part under the key ``subject_id`` (or the stream's)
    parts: tuple[PersonalPart, ...] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    """A stream's decision state after an append, as stored beside it (``events/decisions.py``):
    the shape of the state's type, and the state as JSON."""

    shape: str
    state: str

    def row(self) -> dict[str, str]:
        return {"shape": self.shape, "state": self.state}


@dataclass(frozen=True, slots=True)
class StreamAppend:
    """Events for one stream, with the version the writer expects the stream to have, and the
    stream's decision state after them (None: the stream's stored snapshot is dropped)."""

    stream_id: str
    stream_type: str
    expected_version: ExpectedVersion
    events: tuple[NewEvent, ...]
    decision: Decision | None = None


WHOLE: Final = "*"
"""The subject of a part that holds the whole personal part of its event: sealed under one
key for the stream (every event written before keys were per person, and unsplit ones)."""


@dataclass(frozen=True, slots=True)
class SealedPart:
    """One person's personal fields as stored: whose (``subject``), under which key."""

    key_id: str
    ciphertext: str  # base64 of nonce ‖ AES-GCM ciphertext ‖ tag
    subject: str = WHOLE


@dataclass(frozen=True, slots=True)
class SealedPersonal:
    """The encrypted personal part as stored: one sealed part per person.

    Stored as ``{"key_id", "ciphertext"}`` when it is one whole part (the form of every
    event from before keys were per person), else as ``{"parts": [{"subject", "key_id",
    "ciphertext"}, …]}``.
    """

    parts: tuple[SealedPart, ...]

    @classmethod
    def of(cls, key_id: str, ciphertext: str) -> SealedPersonal:
        """One whole part under one key."""
        return cls((SealedPart(key_id, ciphertext),))

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> SealedPersonal:
        """The stored form read back."""
        if "parts" not in doc:
            return cls.of(str(doc["key_id"]), str(doc["ciphertext"]))
        return cls(
            tuple(SealedPart(p["key_id"], p["ciphertext"], p["subject"]) for p in doc["parts"])
        )

    @property
    def key_ids(self) -> tuple[str, ...]:
        """The keys its parts are sealed under."""
        return tuple(p.key_id for p in self.parts)

    def to_json(self) -> JsonObject:
        """The form that enters the canonical body."""
        if len(self.parts) == 1 and self.parts[0].subject == WHOLE:
            return {"key_id": self.parts[0].key_id, "ciphertext": self.parts[0].ciphertext}
        return {
            "parts": [
                {"subject": p.subject, "key_id": p.key_id, "ciphertext": p.ciphertext}
                for p in self.parts
            ]
        }


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as the log holds it; ``body`` is exactly the bytes that were hashed."""

    position: int
    event_id: str
    stream_id: str
    stream_type: str
    stream_version: int
    event_type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    wilayah: str | None
    payload: JsonObject
    personal: SealedPersonal | None
    meta: JsonObject
    prev_hash: str
    hash: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Head:
    """The end of the log: last position and hash (0 and the genesis hash when empty)."""

    position: int
    hash: str
    recorded_at: datetime | None
