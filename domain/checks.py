"""The checks the deciders share: days within the programme's years, texts, lists of texts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Final

from domain.fact import DomainError
from domain.values import FIRST_DAY, LAST_DAY, is_prose

TEXT_LENGTH: Final = 4000
MAX_ITEMS: Final = 100
_EASTERNMOST: Final = timezone(timedelta(hours=9), "WIT")  # the first in Indonesia to reach a day


def local_day(instant: datetime) -> date:
    """The latest date anywhere in Indonesia at ``instant``: "today" is never "future"."""
    return instant.astimezone(_EASTERNMOST).date()


def day(value: date, field: str) -> date:
    """A date within the years the system works with."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise DomainError(f"give a date from {FIRST_DAY} to {LAST_DAY}", field=field)
    return value


def text(value: str, field: str, limit: int = TEXT_LENGTH, *, squeeze: bool = True) -> str:
    """Trimmed text of 1 to ``limit`` characters (runs of white space made one if ``squeeze``)."""
    cleaned = " ".join(value.split()) if squeeze else value.strip()
    if not cleaned or len(cleaned) > limit:
        raise DomainError(f"give a text of 1 to {limit} characters", field=field)
    if not is_prose(cleaned, limit):
        raise DomainError(
            "no control characters, direction overrides or byte order marks", field=field
        )
    return cleaned


def optional_text(value: str | None, field: str, limit: int = TEXT_LENGTH) -> str | None:
    """``text`` of a value that may be missing (None stays None)."""
    return None if value is None else text(value, field, limit)


def items(values: Sequence[str], field: str) -> tuple[str, ...]:
    """Up to ``MAX_ITEMS`` non-empty lines of text."""
    if len(values) > MAX_ITEMS:
        raise DomainError(f"at most {MAX_ITEMS} items", field=field)
    return tuple(text(v, field) for v in values)
