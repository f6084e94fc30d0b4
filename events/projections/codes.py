"""Area-code conditions for the read models' queries: under an area, inside a reach, or
overlapping one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, or_, true

from domain import wilayah


def under(column: Any, prefix: str) -> ColumnElement[bool]:
    """Codes equal to ``prefix`` or under it (``*``: every code)."""
    if prefix == wilayah.EVERYWHERE:
        return true()
    return or_(column == prefix, column.startswith(prefix + "."))


def in_reach(column: Any, reach: Sequence[str]) -> ColumnElement[bool]:
    """Codes inside one of the prefixes of ``reach``."""
    if wilayah.EVERYWHERE in reach:
        return true()
    return or_(*(under(column, p) for p in reach)) if reach else ~true()


def overlapping(column: Any, reach: Sequence[str]) -> ColumnElement[bool]:
    """Codes inside one of ``reach``'s prefixes, or containing one (a kota meeting is seen
    by a camat of that kota)."""
    if wilayah.EVERYWHERE in reach or not reach:
        return in_reach(column, reach)
    containing = {p[:n] for p in reach for n in (2, 5, 8) if n < len(p)}
    return or_(in_reach(column, reach), column.in_(sorted(containing)))
