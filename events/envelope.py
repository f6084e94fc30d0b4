"""The stored event and what an append asks for."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, TypeAlias

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
    subject_id: str | None = None  # whose key seals ``personal``; the stream's id if None


@dataclass(frozen=True, slots=True)
class StreamAppend:
    """Events for one stream, with the version the writer expects the stream to have."""

    stream_id: str
    stream_type: str
    expected_version: ExpectedVersion
    events: tuple[NewEvent, ...]


@dataclass(frozen=True, slots=True)
class SealedPersonal:
    """The encrypted personal part as stored: the subject key's id and the ciphertext."""

    key_id: str
    ciphertext: str  # base64 of nonce ‖ AES-GCM ciphertext ‖ tag

    def to_json(self) -> JsonObject:
        """The form that enters the canonical body."""
        return {"key_id": self.key_id, "ciphertext": self.ciphertext}


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
