"""Walk the log and prove that nothing was changed, removed or reordered."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import orjson

from events import timefmt
from events.chain import link_hash


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of a chain check over a range of positions."""

    ok: bool
    checked: int
    first_bad_position: int | None = None
    reason: str | None = None
    last_position: int = 0
    last_hash: str | None = None


class StoredRow(NamedTuple):
    """One row of the event table as verification reads it."""

    position: int
    event_id: str
    stream_id: str
    stream_type: str
    stream_version: int
    event_type: str
    schema_version: int
    occurred_at: datetime | str  # SQLite's driver hands back its stored text
    recorded_at: datetime | str
    wilayah: str | None
    body: bytes
    prev_hash: str
    hash: str


_INDEXED = ("event_id", "stream_id", "stream_type", "stream_version", "event_type",
            "schema_version", "wilayah")  # fmt: skip


def check_rows(rows: Iterable[StoredRow], first_position: int, prev_hash: str) -> Verdict:
    """Check rows that should start at ``first_position`` and follow ``prev_hash``."""
    expected, checked, last_recorded = first_position, 0, ""
    for row in rows:
        problem = _problem(row, expected, prev_hash, last_recorded)
        if problem is not None:
            return Verdict(False, checked, expected, problem, expected - 1, prev_hash)
        prev_hash, expected, checked = row.hash, expected + 1, checked + 1
        last_recorded = _text(row.recorded_at)
    return Verdict(True, checked, None, None, expected - 1, prev_hash)


def _problem(row: StoredRow, expected: int, prev_hash: str, last_recorded: str) -> str | None:
    if row.position != expected:
        if row.position > expected:
            return f"missing row: position {expected} is absent"
        return f"position {row.position} is out of order"
    if row.prev_hash != prev_hash:
        return "broken link: prev_hash is not the previous event's hash"
    if link_hash(row.prev_hash, bytes(row.body)) != row.hash:
        return "changed content: the hash does not match the stored body"
    try:
        doc = orjson.loads(row.body)
    except orjson.JSONDecodeError:
        return "changed content: the body is not JSON"
    if doc.get("position") != row.position or doc.get("prev_hash") != row.prev_hash:
        return "reordered row: the body belongs to another position"
    for name in _INDEXED:
        if doc.get(name) != getattr(row, name):
            return f"changed content: column {name} differs from the hashed body"
    recorded = _text(row.recorded_at)
    if doc.get("occurred_at") != _text(row.occurred_at) or doc.get("recorded_at") != recorded:
        return "changed content: a time column differs from the hashed body"
    if recorded < last_recorded:  # fixed-width UTC text sorts as time does
        return "recorded_at goes backwards"
    return None


def _text(column: datetime | str) -> str:
    """A time column in the log's text form, to compare with the body's."""
    if isinstance(column, str):  # SQLite: "YYYY-MM-DD HH:MM:SS.ffffff", naive UTC
        return column.replace(" ", "T", 1) + "Z"
    return timefmt.to_text(timefmt.as_utc(column))
