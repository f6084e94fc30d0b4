"""The one text form of instants in the log: UTC, microseconds, a trailing Z."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache


@lru_cache(maxsize=4096)  # events of one batch or one posyandu day share their instants
def to_text(instant: datetime) -> str:
    """``2025-05-10T03:04:05.123456Z``; naive datetimes are refused."""
    if instant.tzinfo is None:
        raise ValueError("instants in the log must carry a time zone")
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_text(text: str) -> datetime:
    """Parse the log's text form back to an aware UTC datetime."""
    return datetime.fromisoformat(text)


def as_utc(instant: datetime) -> datetime:
    """A database value as aware UTC (SQLite hands timestamps back without a zone)."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def utc_now() -> datetime:
    """The wall clock in UTC."""
    return datetime.now(UTC)
