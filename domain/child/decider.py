"""The child aggregate: registration, moves, exit and the measurement history; pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import ClassVar, Final

from domain.child import commands as c
from domain.child import events as e
from domain.child.personal import check_nik
from domain.fact import DomainError, Fact, StateConflict
from domain.growth import GrowthInputError
from domain.growth.inputs import check_measurements, range_error
from domain.growth.rules import DAYS_PER_MONTH, HEAD_RANGE_CM, MAX_AGE_MONTHS
from domain.streams import StreamDecider, fact_from, starts_stream
from domain.values import is_line, is_prose

NAME_LENGTH: Final = 120
ADDRESS_LENGTH: Final = 300
LOGIN_LENGTH: Final = 100
REASON_LENGTH: Final = 500

STREAM_PREFIX: Final = "child-"


def stream_id(child_id: str) -> str:
    """The stream of the child ``child_id`` (a UUID)."""
    return STREAM_PREFIX + child_id


def at_midnight(day: date) -> datetime:
    """The valid time of a fact that happened on ``day``."""
    return datetime.combine(day, time(), UTC)


@dataclass(frozen=True)
class MeasurementState:
    """One measurement as its history leaves it: what later decisions need of it."""

    measured_on: date
    voided: bool = False


@dataclass(frozen=True)
class ChildState:
    """A child as its history leaves it."""

    exists: bool = False
    sex: str = ""
    birth_date: date = date.min
    desa: str = ""
    posyandu: str = ""
    exited_on: date | None = None
    since: date = date.min  # the day of the last move (a later move or exit may not predate it)
    measurements: Mapping[str, MeasurementState] = field(default_factory=dict)


@starts_stream
def _register(command: c.RegisterChild, state: ChildState) -> list[Fact]:
    if state.exists:
        raise StateConflict("this child is registered already", field="id")
    _check_birth_date(command.birth_date, command.today)
    _check_personal(command.personal)
    _check_posyandu(command.posyandu)
    return fact_from(
        e.ChildRegistered,
        command,
        occurred_at=at_midnight(command.today),
        wilayah=command.desa,
        posyandu=command.posyandu.strip(),
    )


def _correct_registration(command: c.CorrectRegistration, state: ChildState) -> list[Fact]:
    if command.birth_date is not None:
        _check_birth_date(command.birth_date, command.today)
        _check_scorable(command.birth_date, state)
    if command.posyandu is not None:
        _check_posyandu(command.posyandu)
    _check_personal(command.personal)
    _check_reason(command.reason)
    return fact_from(
        e.RegistrationCorrected, command, occurred_at=at_midnight(command.today), wilayah=state.desa
    )


def _move(command: c.MoveChild, state: ChildState) -> list[Fact]:
    _check_active(state)
    if command.to_desa == state.desa:
        raise StateConflict("the child lives in this desa already", field="to_desa")
    _check_record_day(command.moved_on, command.today, state, "moved_on")
    return fact_from(
        e.ChildMoved,
        command,
        occurred_at=at_midnight(command.moved_on),
        wilayah=command.to_desa,
        from_desa=state.desa,
    )


def _exit(command: c.ExitChild, state: ChildState) -> list[Fact]:
    _check_active(state)
    _check_record_day(command.exited_on, command.today, state, "exited_on")
    return fact_from(
        e.ChildExited, command, occurred_at=at_midnight(command.exited_on), wilayah=state.desa
    )


def _record(command: c.RecordMeasurement, state: ChildState) -> list[Fact]:
    if command.measurement_id in state.measurements:
        raise StateConflict("a measurement with this event id exists", field="event_id")
    _check_measurement(command.measurement, state, command.today)
    return fact_from(
        e.MeasurementRecorded,
        command,
        occurred_at=at_midnight(command.measurement.measured_on),
        wilayah=state.desa,
    )


def _correct_measurement(command: c.CorrectMeasurement, state: ChildState) -> list[Fact]:
    _open_measurement(command.measurement_id, state)
    _check_reason(command.reason)
    _check_measurement(command.measurement, state, command.today)
    return fact_from(
        e.MeasurementCorrected, command, occurred_at=at_midnight(command.today), wilayah=state.desa
    )


def _void(command: c.VoidMeasurement, state: ChildState) -> list[Fact]:
    _open_measurement(command.measurement_id, state)
    _check_reason(command.reason)
    return fact_from(
        e.MeasurementVoided, command, occurred_at=at_midnight(command.today), wilayah=state.desa
    )


def _open_measurement(measurement_id: str, state: ChildState) -> MeasurementState:
    found = state.measurements.get(measurement_id)
    if found is None:
        raise DomainError(
            "the event is not a measurement of this child", field="measurement_event_id"
        )
    if found.voided:
        raise StateConflict("the measurement is voided already", field="measurement_event_id")
    return found


def _check_measurement(measurement: e.Measurement, state: ChildState, today: date) -> None:
    day = measurement.measured_on
    _not_future(day, today, "measured_on")
    _check_age(day, state.birth_date, "measured_on")
    if state.exited_on is not None and day > state.exited_on:
        raise StateConflict(
            f"the child left the register on {state.exited_on.isoformat()}", field="measured_on"
        )
    check_measurements(measurement.weight_kg, measurement.length_cm, measurement.muac_cm)
    head = measurement.head_cm
    if head is not None and not HEAD_RANGE_CM[0] <= head <= HEAD_RANGE_CM[1]:
        raise range_error("head_cm")
    if measurement.weight_kg is None and measurement.length_cm is None:
        raise GrowthInputError("give weight_kg, length_cm or both", field="weight_kg")
    by = measurement.measured_by
    if by is not None and not is_line(by, LOGIN_LENGTH):
        raise DomainError(
            f"measured_by is a login name or role: one line of 1 to {LOGIN_LENGTH} characters",
            field="measured_by",
        )


def _check_age(day: date, birth_date: date, name: str) -> None:
    if day < birth_date:
        raise GrowthInputError(f"{name} must not be before birth_date", field=name)
    if (day - birth_date).days / DAYS_PER_MONTH >= MAX_AGE_MONTHS:
        raise GrowthInputError(f"the child was 60 months or older on {name}", field=name)


def _check_scorable(birth_date: date, state: ChildState) -> None:
    """A corrected birth date must leave every counted measurement between 0 and 60 months."""
    for kept in state.measurements.values():
        day = kept.measured_on
        if not kept.voided and not 0 <= (day - birth_date).days / DAYS_PER_MONTH < MAX_AGE_MONTHS:
            raise DomainError(
                f"the measurement of {day.isoformat()} would fall outside 0-60 months; "
                "void or correct it first",
                field="birth_date",
            )


def _check_birth_date(birth_date: date, today: date) -> None:
    _not_future(birth_date, today, "birth_date")
    if (today - birth_date).days / DAYS_PER_MONTH >= MAX_AGE_MONTHS:
        raise DomainError("a balita is under 60 months old", field="birth_date")


def _check_personal(personal: e.ChildPersonal | None) -> None:
    if personal is None:
        return
    check_nik(personal.nik, field="personal.nik")
    check_nik(personal.mother_nik, field="personal.mother_nik")
    lines = {"name": personal.name, "mother_name": personal.mother_name}
    for name, value in {**lines, "address": personal.address}.items():
        limit = ADDRESS_LENGTH if name == "address" else NAME_LENGTH
        if value is not None and not is_line(value, limit):
            raise DomainError(
                f"{name} is one line of 1 to {limit} characters, without control characters",
                field=f"personal.{name}",
            )


def _check_posyandu(posyandu: str) -> None:
    if not is_line(posyandu, NAME_LENGTH):
        raise DomainError("name the posyandu the child attends, on one line", field="posyandu")


def _check_reason(reason: str) -> None:
    if not is_prose(reason, REASON_LENGTH):
        raise DomainError(f"give a reason of 1 to {REASON_LENGTH} characters", field="reason")


def _check_active(state: ChildState) -> None:
    if state.exited_on is not None:
        raise StateConflict("the child has left the register")


def _check_record_day(day: date, today: date, state: ChildState, name: str) -> None:
    """The day of a move or an exit: not to come, not before birth nor before the last move."""
    _not_future(day, today, name)
    if day < state.birth_date:
        raise DomainError(f"{name} must not be before the birth_date", field=name)
    if day < state.since:
        raise DomainError(
            f"{name} must not be before {state.since.isoformat()}, when the child moved to "
            "its present desa",
            field=name,
        )


def _not_future(day: date, today: date, name: str) -> None:
    if day > today:
        raise DomainError(f"{name} must not be after {today.isoformat()}", field=name)


def _with_measurement(state: ChildState, key: str, value: MeasurementState) -> ChildState:
    return replace(state, measurements={**state.measurements, key: value})


def age_on(birth_date: date, day: date) -> tuple[int, int]:
    """Age in days and in completed months (as Indonesian reports show it) on ``day``."""
    days = (day - birth_date).days
    return days, int(days / DAYS_PER_MONTH)


def _registered(state: ChildState, fact: e.ChildRegistered) -> ChildState:
    return ChildState(True, fact.sex, fact.birth_date, fact.desa, fact.posyandu)


def _registration_corrected(state: ChildState, fact: e.RegistrationCorrected) -> ChildState:
    return replace(
        state,
        sex=fact.sex or state.sex,
        birth_date=fact.birth_date or state.birth_date,
        posyandu=fact.posyandu or state.posyandu,
    )


def _moved(state: ChildState, fact: e.ChildMoved) -> ChildState:
    return replace(state, desa=fact.to_desa, since=fact.moved_on)


def _exited(state: ChildState, fact: e.ChildExited) -> ChildState:
    return replace(state, exited_on=fact.exited_on)


def _measured(
    state: ChildState, fact: e.MeasurementRecorded | e.MeasurementCorrected
) -> ChildState:
    measured = MeasurementState(fact.measurement.measured_on)
    return _with_measurement(state, fact.measurement_id, measured)


def _voided(state: ChildState, fact: e.MeasurementVoided) -> ChildState:
    old = state.measurements[fact.measurement_id]
    return _with_measurement(state, fact.measurement_id, replace(old, voided=True))


class ChildDecider(StreamDecider[c.ChildCommand, ChildState]):
    """Decides child commands; pure."""

    stream_type: ClassVar[str] = "child"
    rules = (_register, _correct_registration, _move, _exit, _record, _correct_measurement, _void)
    changes = (_registered, _registration_corrected, _moved, _exited, _measured, _voided)
