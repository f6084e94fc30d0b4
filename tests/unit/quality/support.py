"""A measurement as the data-quality measures see it, with defaults for what a test ignores."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypedDict, Unpack

from domain.growth import Position
from domain.quality import Measured

BORN = date(2023, 4, 1)
DAY = date(2025, 4, 12)


class Scored(TypedDict, total=False):
    """What a test may give by ``Measured``'s own names; left out, it takes their defaults."""

    position: Position | None
    haz: float | None
    waz: float | None
    whz: float | None
    baz: float | None
    flags: frozenset[str]


def measured(
    measurement_id: str,
    *,
    child: str = "c1",
    on: date = DAY,
    late_by: int = 0,
    born: date | None = BORN,
    kg: float | None = 11.3,
    cm: float | None = None,
    **scored: Unpack[Scored],
) -> Measured:
    return Measured(
        measurement_id=measurement_id,
        child_id=child,
        measured_on=on,
        recorded_on=on + timedelta(days=late_by),
        birth_date=born,
        weight_kg=kg,
        length_cm=cm,
        **scored,
    )


def aged(days: int) -> date:
    """The birth date of a child ``days`` old on ``DAY``."""
    return DAY - timedelta(days=days)
