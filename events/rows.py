"""Rows of the event table ↔ events, and the checks an append passes before the lock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import orjson
from sqlalchemy import Select, select

from events import statements, timefmt
from events.envelope import (
    ANY,
    NO_STREAM,
    JsonObject,
    NewEvent,
    RecordedEvent,
    SealedPersonal,
    StreamAppend,
)
from events.errors import InvalidAppend, WrongExpectedVersion
from events.schema import events

MAX_STREAM_ID = 120


def all_query(
    after: int,
    limit: int,
    *,
    stream_types: Sequence[str] | None = None,
    event_types: Sequence[str] | None = None,
    wilayah: str | None = None,
    until: int | None = None,
) -> Select[int, str, str, bytes]:
    """The query behind ``read_all``, shared with the projection runner."""
    query = select(*statements.ROW).where(events.c.position > after)
    if until is not None:
        query = query.where(events.c.position <= until)
    if stream_types:
        query = query.where(events.c.stream_type.in_(list(stream_types)))
    if event_types:
        query = query.where(events.c.event_type.in_(list(event_types)))
    if wilayah:
        query = query.where(
            (events.c.wilayah == wilayah) | events.c.wilayah.startswith(wilayah + ".")
        )
    return query.order_by(events.c.position).limit(limit)


def check_expected(append: StreamAppend, actual: int) -> None:
    expected = append.expected_version
    ok = (
        expected is ANY
        or (expected is NO_STREAM and actual == 0)
        or (isinstance(expected, int) and expected == actual)
    )
    if not ok:
        raise WrongExpectedVersion(append.stream_id, expected, actual)


def check_shape(appends: Sequence[StreamAppend]) -> None:
    if not appends or any(not a.events for a in appends):
        raise InvalidAppend("an append needs at least one event for each stream")
    stream_ids = [a.stream_id for a in appends]
    if len(set(stream_ids)) != len(stream_ids):
        raise InvalidAppend("a stream may appear only once in one append")
    if any(not s or len(s) > MAX_STREAM_ID for s in stream_ids):
        raise InvalidAppend(f"a stream id has 1 to {MAX_STREAM_ID} characters")
    event_ids = [n.event_id for a in appends for n in a.events]
    if len(set(event_ids)) != len(event_ids):
        raise InvalidAppend("an event id may appear only once in one append")


def content(append: StreamAppend, new: NewEvent, sealed: SealedPersonal | None) -> JsonObject:
    return {
        "event_id": new.event_id,
        "event_type": new.event_type,
        "meta": new.meta,
        "occurred_at": timefmt.to_text(new.occurred_at),
        "payload": new.payload,
        "personal": None if sealed is None else sealed.to_json(),
        "schema_version": new.schema_version,
        "stream_id": append.stream_id,
        "stream_type": append.stream_type,
        "wilayah": new.wilayah,
    }


def instant(value: datetime | str) -> datetime:
    # The driver hands SQLite's stored text back as it is.
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def to_row(event: RecordedEvent) -> dict[str, object]:
    return {
        "position": event.position,
        "event_id": event.event_id,
        "stream_id": event.stream_id,
        "stream_type": event.stream_type,
        "stream_version": event.stream_version,
        "event_type": event.event_type,
        "schema_version": event.schema_version,
        "occurred_at": event.occurred_at,
        "recorded_at": event.recorded_at,
        "wilayah": event.wilayah,
        "body": event.body,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def row_to_event(position: int, prev_hash: str, digest: str, body: bytes) -> RecordedEvent:
    """An event from its stored body; the columns beside it only serve the indexes."""
    doc = orjson.loads(body)
    personal = doc["personal"]
    return RecordedEvent(
        position=position,
        event_id=doc["event_id"],
        stream_id=doc["stream_id"],
        stream_type=doc["stream_type"],
        stream_version=doc["stream_version"],
        event_type=doc["event_type"],
        schema_version=doc["schema_version"],
        occurred_at=timefmt.from_text(doc["occurred_at"]),
        recorded_at=timefmt.from_text(doc["recorded_at"]),
        wilayah=doc["wilayah"],
        payload=doc["payload"],
        personal=None if personal is None else SealedPersonal.from_json(personal),
        meta=doc["meta"],
        prev_hash=prev_hash,
        hash=digest,
        body=bytes(body),
    )
