"""The one text form of instants in the log: UTC, microseconds, a trailing Z.

The form is RFC 3339 with a four-digit year (``0026-11-05T00:00:00.000000Z``). Earlier
versions wrote it with ``strftime("%Y…")``, which leaves a year before 1000 unpadded
(``26-11-05T…``); those bytes are hashed and never change, so ``from_text`` reads both.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Final

# An unpadded year of one to three digits, as earlier versions wrote years before 1000.
_SHORT_YEAR: Final = re.compile(r"(\d{1,3})-")


@lru_cache(maxsize=4096)  # events of one batch or one posyandu day share their instants
def to_text(instant: datetime) -> str:
    """``2025-05-10T03:04:05.123456Z``; naive datetimes are refused."""
    if instant.tzinfo is None:
        raise ValueError("instants in the log must carry a time zone")
    # isoformat always writes four digits for the year; strftime("%Y") does not on glibc.
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_text(text: str) -> datetime:
    """Parse the log's text form back to an aware UTC datetime (old unpadded years too)."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        short = _SHORT_YEAR.match(text)
        if short is None:
            raise
        parsed = datetime.fromisoformat(short.group(1).zfill(4) + text[short.end(1) :])
    if parsed.tzinfo is UTC:
        return parsed
    if parsed.tzinfo is None:
        raise ValueError("an instant of the log carries a time zone")
    return parsed.astimezone(UTC)


def as_utc(instant: datetime) -> datetime:
    """A database value as aware UTC (SQLite hands timestamps back without a zone)."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def utc_now() -> datetime:
    """The wall clock in UTC."""
    return datetime.now(UTC)
