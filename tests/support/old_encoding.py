"""How earlier versions wrote instants into the log, for building stores that hold such rows.

Up to issue 25 the log's text form of an instant came from ``strftime("%Y-…")``, which on
glibc writes the year without padding: the 5 November of year 26 became
``26-11-05T00:00:00.000000Z`` in the hashed body (and ``26-11-05 …`` in SQLite's columns).
``written_as_before`` makes the real store write exactly that, so a test holds rows with the
old encoding and correct hashes, as a store of that time holds them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest

from events import sql, timefmt


def old_to_text(instant: datetime) -> str:
    """The log's text form of an instant as earlier versions wrote it."""
    if instant.tzinfo is None:
        raise ValueError("instants in the log must carry a time zone")
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def old_sqlite_text(value: datetime) -> str:
    """SQLite's column text of an instant as earlier versions wrote it."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


@contextmanager
def written_as_before() -> Iterator[None]:
    """Appends inside the block encode instants the way earlier versions did."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timefmt, "to_text", old_to_text)
        patch.setattr(sql, "sqlite_text", old_sqlite_text)
        yield
