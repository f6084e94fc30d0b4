"""What a kader, bidan or field app may ask of a child's record.

Every command carries ``today`` (the caller's date), so the decider stays free of clocks.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from domain.child.events import ChildPersonal, ExitReason, Measurement, Place
from domain.fact import Command
from domain.growth import Position, Sex
from domain.values import (
    HeadCm,
    Kilograms,
    LengthCm,
    Line300,
    Login,
    MuacCm,
    Name,
    Nik,
    ProgrammeDay,
    StrictBool,
    StrictFinite,
)

MAX_TEXT = 4000  # what any one text of a request may hold before its own rule is checked


class PersonalEntry(ChildPersonal):
    """Personal fields as they may be written: trimmed names of one line, NIKs of 16 ASCII
    digits (checked further by the decider), an address of one line."""

    name: Name
    nik: Nik | None = None
    mother_name: Name | None = None
    mother_nik: Nik | None = None
    address: Line300 | None = None


class MeasurementTyped(Measurement):
    """A measurement with strict types: finite numbers (no ``true``, no NaN), ``true`` or
    ``false`` for oedema, a date as ``YYYY-MM-DD``. The ranges are the decider's to check,
    so an item of a posyandu day is refused on its own, naming the field."""

    measured_on: ProgrammeDay
    weight_kg: StrictFinite | None = None
    length_cm: StrictFinite | None = None
    position: Position | None = None
    oedema: StrictBool = False
    head_cm: StrictFinite | None = None
    muac_cm: StrictFinite | None = None
    place: Place = Place.POSYANDU
    measured_by: str | None = Field(None, max_length=MAX_TEXT)


class MeasurementEntry(MeasurementTyped):
    """A measurement as a single write takes it: also within what a child can measure, and
    a short ``measured_by``."""

    weight_kg: Kilograms | None = None
    length_cm: LengthCm | None = None
    head_cm: HeadCm | None = None
    muac_cm: MuacCm | None = None
    measured_by: Login | None = None


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
