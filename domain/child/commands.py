"""What a kader, bidan or field app may ask of a child's record.

Every command carries ``today`` (the caller's date), so the decider stays free of clocks.
"""

from __future__ import annotations

from datetime import date

from domain.child.events import ChildPersonal, ExitReason, Measurement
from domain.fact import Command
from domain.growth import Sex


class ChildCommand(Command):
    """Every child command carries the date it is made on."""

    today: date


class RegisterChild(ChildCommand):
    """Register a balita in a desa/kelurahan (the code is already known to exist)."""

    sex: Sex
    birth_date: date
    desa: str
    posyandu: str
    personal: ChildPersonal | None = None


class CorrectRegistration(ChildCommand):
    """Correct registration details; fields left None stay as they are."""

    sex: Sex | None = None
    birth_date: date | None = None
    posyandu: str | None = None
    personal: ChildPersonal | None = None
    reason: str


class MoveChild(ChildCommand):
    """Move the child to another desa/kelurahan from ``moved_on``."""

    to_desa: str
    moved_on: date


class ExitChild(ChildCommand):
    """Take the child off the register."""

    reason: ExitReason
    exited_on: date


class RecordMeasurement(ChildCommand):
    """Record a measurement under the event id ``measurement_id``."""

    measurement_id: str
    measurement: Measurement


class CorrectMeasurement(ChildCommand):
    """Replace the values of the measurement ``measurement_id``."""

    measurement_id: str
    measurement: Measurement
    reason: str


class VoidMeasurement(ChildCommand):
    """Void the measurement ``measurement_id``."""

    measurement_id: str
    reason: str
