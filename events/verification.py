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


LinkRow = tuple[int, str, str, bytes]  # position, prev_hash, hash, body

_INDEXED = (
    "event_id",
    "stream_id",
    "stream_type",
    "stream_version",
    "event_type",
    "schema_version",
    "wilayah",
)
_ROW_INDEXED = tuple(StoredRow._fields.index(name) for name in _INDEXED)


def check_rows(rows: Iterable[StoredRow], first_position: int, prev_hash: str) -> Verdict:
    """Check rows that should start at ``first_position`` and follow ``prev_hash``."""
    expected, checked, last_recorded = first_position, 0, ""
    for row in rows:
        try:
            problem, recorded = _problem(row, expected, prev_hash, last_recorded)
        except (ValueError, TypeError, KeyError, AttributeError) as unreadable:
            # A body that parses but is not an event: the verdict names it, never a traceback.
            problem, recorded = f"changed content: the body is not an event ({unreadable})", ""
        if problem is not None:
            return Verdict(False, checked, expected, problem, expected - 1, prev_hash)
        prev_hash, expected, checked, last_recorded = row.hash, expected + 1, checked + 1, recorded
    return Verdict(True, checked, None, None, expected - 1, prev_hash)


def _problem(
    row: StoredRow, expected: int, prev_hash: str, last_recorded: str
) -> tuple[str | None, str]:
    """What is wrong with ``row`` (None if nothing), and its recorded_at as text."""
    if row.position != expected:
        if row.position > expected:
            return f"missing row: position {expected} is absent", ""
        return f"position {row.position} is out of order", ""
    if row.prev_hash != prev_hash:
        return "broken link: prev_hash is not the previous event's hash", ""
    if link_hash(row.prev_hash, bytes(row.body)) != row.hash:
        return "changed content: the hash does not match the stored body", ""
    try:
        doc = orjson.loads(row.body)
    except orjson.JSONDecodeError:
        return "changed content: the body is not JSON", ""
    if doc.get("position") != row.position or doc.get("prev_hash") != row.prev_hash:
        return "reordered row: the body belongs to another position", ""
    if tuple(doc.get(name) for name in _INDEXED) != tuple(row[i] for i in _ROW_INDEXED):
        differing = next(n for n in _INDEXED if doc.get(n) != getattr(row, n))
        return f"changed content: column {differing} differs from the hashed body", ""
    recorded = doc.get("recorded_at", "")
    if not (_same(recorded, row.recorded_at) and _same(doc.get("occurred_at"), row.occurred_at)):
        return "changed content: a time column differs from the hashed body", recorded
    if recorded < last_recorded:  # fixed-width UTC text sorts as time does
        return "recorded_at goes backwards", recorded
    return None, recorded


def check_chain(rows: Iterable[LinkRow], first_position: int, prev_hash: str) -> Verdict:
    """Check only the chain: positions, links, hashes, and that each body is its row's.

    The indexed columns beside the body are not compared (``check_rows`` does that); this
    is the fast pass for very large logs.
    """
    expected, checked = first_position, 0
    for position, row_prev, digest, body in rows:
        problem = None
        if position != expected:
            problem = f"missing row: position {expected} is absent"
        elif row_prev != prev_hash:
            problem = "broken link: prev_hash is not the previous event's hash"
        elif link_hash(row_prev, body := bytes(body)) != digest:
            problem = "changed content: the hash does not match the stored body"
        elif f',"position":{position},"prev_hash":"{row_prev}",'.encode() not in body:
            problem = "reordered row: the body belongs to another position"
        if problem is not None:
            return Verdict(False, checked, expected, problem, expected - 1, prev_hash)
        prev_hash, expected, checked = digest, expected + 1, checked + 1
    return Verdict(True, checked, None, None, expected - 1, prev_hash)


def _same(text: object, column: datetime | str) -> bool:
    """Whether a time column holds the instant the body states.

    Compared as instants, not as text: earlier versions wrote a year before 1000 unpadded
    in the body (``26-11-05T…``) and, on SQLite, in the column too.
    """
    if not isinstance(text, str):
        return False
    try:
        if isinstance(column, str):  # SQLite: "YYYY-MM-DD HH:MM:SS.ffffff", naive UTC
            written = column.replace(" ", "T", 1) + "Z"
            if written == text:  # the usual case, without parsing
                return True
            column = timefmt.from_text(written)
        return timefmt.as_utc(column) == timefmt.from_text(text)
    except ValueError:
        return False
