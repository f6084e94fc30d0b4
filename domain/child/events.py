"""What happened to a child: registration, corrections, moves, exit and measurements.

Personal fields (names, NIK, mother's identity, address) live only in ``personal``, which the
store encrypts under the child's own key; everything else is non-personal and stays for
statistics after the child's key is erased. The assessment (z-scores) is not a fact: the
projections compute it, so a change of the growth rule can be replayed.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from domain.fact import Fact, PersonalPart, nik_identifier
from domain.growth import Assessment, Position, Sex, assess
from domain.values import Finite, Ident, LogDay, ProgrammeDay, Str120, Value, Wilayah

CHILD_FIELDS = ("name", "nik", "address")
MOTHER_FIELDS = ("mother_name", "mother_nik")


class ChildPersonal(Value):
    """The personal part of a registration: encrypted, never in a plain payload or a log.

    The form the log holds; what may be written from now on is ``commands.PersonalEntry``.
    """

    name: str = Field(min_length=1, max_length=120)
    nik: str | None = None
    mother_name: str | None = Field(None, max_length=120)
    mother_nik: str | None = None
    address: str | None = Field(None, max_length=300)

    def parts(self) -> tuple[PersonalPart, ...]:
        """The child's fields under the child's key, the mother's under hers (she may be
        named again in her family's record: her NIK makes her one person in both)."""
        data = self.model_dump(mode="json")
        child = PersonalPart("child", {k: data[k] for k in CHILD_FIELDS}, nik_identifier(self.nik))
        mother = {k: data[k] for k in MOTHER_FIELDS}
        if all(v is None for v in mother.values()):
            return (child,)
        return child, PersonalPart("mother", mother, nik_identifier(self.mother_nik))


class Place(StrEnum):
    """Where a measurement was taken."""

    POSYANDU = "posyandu"
    HOME_VISIT = "home_visit"
    PUSKESMAS = "puskesmas"


class ExitReason(StrEnum):
    """Why a child left the register (turning 60 months is derived, not an exit)."""

    DIED = "died"
    MOVED_OUT = "moved_out"


class Measurement(Value):
    """One anthropometric measurement as the kader wrote it down.

    This is the form the log holds, as wide as what earlier versions stored; what may be
    written from now on is ``commands.MeasurementEntry`` (ranges, strict types).
    """

    measured_on: ProgrammeDay
    weight_kg: Finite | None = None
    length_cm: Finite | None = None
    position: Position | None = None
    oedema: bool = False
    head_cm: Finite | None = None
    muac_cm: Finite | None = None
    place: Place = Place.POSYANDU
    measured_by: str | None = None  # a login name or role, never a person's name

    def assessed(self, sex: Sex | str, birth_date: date) -> Assessment:
        """This measurement scored for a child of ``sex`` born on ``birth_date`` (raises
        ``GrowthInputError`` where the dates allow no assessment)."""
        return assess(
            sex=sex,
            birth_date=birth_date,
            measured_on=self.measured_on,
            weight_kg=self.weight_kg,
            length_cm=self.length_cm,
            position=self.position,
            oedema=self.oedema,
            muac_cm=self.muac_cm,
        )


class ChildRegistered(Fact):
    """A child was registered in a desa/kelurahan (``wilayah`` is the desa code)."""

    event_type = "child.registered"

    sex: Sex
    birth_date: ProgrammeDay
    desa: Wilayah
    posyandu: Str120
    personal: ChildPersonal | None = None


class RegistrationCorrected(Fact):
    """Registration details were corrected; only the fields given changed."""

    event_type = "child.registration_corrected"

    sex: Sex | None = None
    birth_date: ProgrammeDay | None = None
    posyandu: Str120 | None = None
    reason: str
    personal: ChildPersonal | None = None


class ChildMoved(Fact):
    """The child moved to another desa/kelurahan of the installation on ``moved_on``."""

    event_type = "child.moved"

    from_desa: Wilayah
    to_desa: Wilayah
    moved_on: LogDay


class ChildExited(Fact):
    """The child left the register: died, or moved out of the installation."""

    event_type = "child.exited"

    reason: ExitReason
    exited_on: LogDay


class MeasurementRecorded(Fact):
    """A measurement; ``measurement_id`` is the event's own id, which corrections cite."""

    event_type = "child.measurement_recorded"

    measurement_id: Ident
    measurement: Measurement


class MeasurementCorrected(Fact):
    """The measurement ``measurement_id`` now has these values; the original stays logged."""

    event_type = "child.measurement_corrected"

    measurement_id: Ident
    measurement: Measurement
    reason: str


class MeasurementVoided(Fact):
    """The measurement ``measurement_id`` no longer counts anywhere."""

    event_type = "child.measurement_voided"

    measurement_id: Ident
    reason: str


CHILD_FACTS: tuple[type[Fact], ...] = (
    ChildRegistered,
    RegistrationCorrected,
    ChildMoved,
    ChildExited,
    MeasurementRecorded,
    MeasurementCorrected,
    MeasurementVoided,
)
