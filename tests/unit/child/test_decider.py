"""The child aggregate: given its history, a command leads to facts or a refusal."""

from __future__ import annotations

from datetime import date

import pytest

from domain.child import commands as c
from domain.child import events as e
from domain.child.decider import ChildDecider, ChildState, MeasurementState, at_midnight, stream_id
from domain.fact import DomainError, Fact, NotFound, StateConflict
from domain.growth import GrowthInputError, Position, Sex
from tests.support.deciders import folded

TODAY = date(2025, 5, 20)
BORN = date(2024, 3, 5)
DESA = "32.79.02.1001"
OTHER_DESA = "32.79.02.2001"
FIRST = "0196a000-0000-7000-8000-000000000001"
SECOND = "0196a000-0000-7000-8000-000000000002"
DEMO = e.ChildPersonal(name="Anak Demo Satu", nik="3279024503240001", mother_name="Ibu Demo")
decider = ChildDecider()


def registered() -> e.ChildRegistered:
    return e.ChildRegistered(
        occurred_at=at_midnight(date(2024, 3, 10)),
        wilayah=DESA,
        sex=Sex.MALE,
        birth_date=BORN,
        desa=DESA,
        posyandu="Melati 1",
    )


def measurement(**changes: object) -> e.Measurement:
    values: dict[str, object] = {
        "measured_on": date(2025, 5, 10),
        "weight_kg": 9.1,
        "length_cm": 80.2,
        "position": Position.LYING,
    }
    values.update(changes)
    return e.Measurement.model_validate(values)


def recorded(measurement_id: str = FIRST) -> e.MeasurementRecorded:
    return e.MeasurementRecorded(
        occurred_at=at_midnight(date(2025, 5, 10)),
        wilayah=DESA,
        measurement_id=measurement_id,
        measurement=measurement(),
    )


def given(*facts: Fact) -> ChildState:
    return folded(decider, *facts)


def register(**changes: object) -> c.RegisterChild:
    values: dict[str, object] = {
        "today": TODAY,
        "sex": Sex.MALE,
        "birth_date": BORN,
        "desa": DESA,
        "posyandu": "Melati 1",
        "personal": DEMO,
    }
    values.update(changes)
    return c.RegisterChild.model_validate(values)


def record(**changes: object) -> c.RecordMeasurement:
    return c.RecordMeasurement(
        today=TODAY, measurement_id=SECOND, measurement=measurement(**changes)
    )


def test_a_child_stream_is_named_by_its_id() -> None:
    assert stream_id("abc") == "child-abc"


def test_registering_a_child_records_the_personal_part_apart() -> None:
    facts = decider.decide(register(), given())

    assert len(facts) == 1
    fact = facts[0]
    assert isinstance(fact, e.ChildRegistered)
    assert fact.wilayah == DESA
    assert fact.personal == DEMO
    assert "Anak" not in fact.model_dump_json(exclude={"personal"})


def test_registering_a_child_twice_is_a_conflict() -> None:
    with pytest.raises(StateConflict):
        decider.decide(register(), given(registered()))


def test_a_birth_date_in_the_future_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        decider.decide(register(birth_date=date(2025, 5, 21)), given())

    assert refused.value.field == "birth_date"


def test_a_birth_date_sixty_months_ago_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        decider.decide(register(birth_date=date(2020, 5, 19)), given())

    assert refused.value.field == "birth_date"


def test_a_nik_without_sixteen_digits_is_refused() -> None:
    personal = DEMO.model_copy(update={"nik": "32790245032400"})

    with pytest.raises(DomainError) as refused:
        decider.decide(register(personal=personal), given())

    assert refused.value.field == "personal.nik"
    assert "32790245032400" not in refused.value.detail


def test_a_nik_with_an_impossible_date_part_is_refused() -> None:
    personal = DEMO.model_copy(update={"mother_nik": "3279023302900001"})

    with pytest.raises(DomainError) as refused:
        decider.decide(register(personal=personal), given())

    assert refused.value.field == "personal.mother_nik"


def test_a_womans_nik_with_forty_added_to_the_day_is_accepted() -> None:
    personal = DEMO.model_copy(update={"mother_nik": "3279024102900001"})

    facts = decider.decide(register(personal=personal), given())

    assert len(facts) == 1


def test_a_child_without_a_nik_may_be_registered() -> None:
    personal = DEMO.model_copy(update={"nik": None})

    assert len(decider.decide(register(personal=personal), given())) == 1


def test_a_measurement_of_an_unknown_child_is_not_found() -> None:
    with pytest.raises(NotFound):
        decider.decide(record(), given())


def test_a_measurement_is_recorded_under_its_event_id() -> None:
    facts = decider.decide(record(), given(registered()))

    fact = facts[0]
    assert isinstance(fact, e.MeasurementRecorded)
    assert fact.measurement_id == SECOND
    assert fact.occurred_at == at_midnight(date(2025, 5, 10))


def test_a_measurement_before_birth_is_refused() -> None:
    with pytest.raises(GrowthInputError) as refused:
        decider.decide(record(measured_on=date(2024, 3, 4)), given(registered()))

    assert refused.value.field == "measured_on"


def test_a_measurement_in_the_future_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        decider.decide(record(measured_on=date(2025, 5, 21)), given(registered()))

    assert refused.value.field == "measured_on"


def test_a_measurement_sixty_months_after_birth_is_refused() -> None:
    old = registered().model_copy(update={"birth_date": date(2020, 5, 1)})
    command = c.RecordMeasurement(today=TODAY, measurement_id=SECOND, measurement=measurement())

    with pytest.raises(GrowthInputError) as refused:
        decider.decide(command, given(old))

    assert refused.value.field == "measured_on"


def test_a_weight_outside_the_growth_range_is_refused() -> None:
    with pytest.raises(GrowthInputError) as refused:
        decider.decide(record(weight_kg=80.0), given(registered()))

    assert refused.value.field == "weight_kg"


def test_a_length_outside_the_growth_range_is_refused() -> None:
    with pytest.raises(GrowthInputError) as refused:
        decider.decide(record(length_cm=19.9), given(registered()))

    assert refused.value.field == "length_cm"


def test_a_measurement_without_weight_or_length_is_refused() -> None:
    with pytest.raises(GrowthInputError):
        decider.decide(record(weight_kg=None, length_cm=None), given(registered()))


def test_correcting_a_measurement_records_the_new_values_and_reason() -> None:
    command = c.CorrectMeasurement(
        today=TODAY, measurement_id=FIRST, measurement=measurement(weight_kg=9.4), reason="typo"
    )

    facts = decider.decide(command, given(registered(), recorded()))

    fact = facts[0]
    assert isinstance(fact, e.MeasurementCorrected)
    assert fact.measurement.weight_kg == pytest.approx(9.4)
    after = given(registered(), recorded(), fact).measurements[FIRST]
    assert after == MeasurementState(fact.measurement.measured_on)


def test_correcting_an_event_that_is_not_a_measurement_of_this_child_is_refused() -> None:
    command = c.CorrectMeasurement(
        today=TODAY, measurement_id=SECOND, measurement=measurement(), reason="typo"
    )

    with pytest.raises(DomainError) as refused:
        decider.decide(command, given(registered(), recorded()))

    assert refused.value.status == 422


def test_voiding_an_event_that_is_not_a_measurement_of_this_child_is_refused() -> None:
    command = c.VoidMeasurement(today=TODAY, measurement_id=SECOND, reason="wrong child")

    with pytest.raises(DomainError) as refused:
        decider.decide(command, given(registered(), recorded()))

    assert refused.value.status == 422


def test_voiding_a_measurement_twice_is_a_conflict() -> None:
    command = c.VoidMeasurement(today=TODAY, measurement_id=FIRST, reason="wrong child")
    voided = decider.decide(command, given(registered(), recorded()))

    with pytest.raises(StateConflict):
        decider.decide(command, given(registered(), recorded(), *voided))


def test_correcting_a_voided_measurement_is_a_conflict() -> None:
    void = e.MeasurementVoided(
        occurred_at=at_midnight(TODAY), measurement_id=FIRST, reason="wrong child"
    )
    command = c.CorrectMeasurement(
        today=TODAY, measurement_id=FIRST, measurement=measurement(), reason="typo"
    )

    with pytest.raises(StateConflict):
        decider.decide(command, given(registered(), recorded(), void))


def test_a_void_without_a_reason_is_refused() -> None:
    command = c.VoidMeasurement(today=TODAY, measurement_id=FIRST, reason=" ")

    with pytest.raises(DomainError) as refused:
        decider.decide(command, given(registered(), recorded()))

    assert refused.value.field == "reason"


def test_moving_a_child_names_both_desa() -> None:
    command = c.MoveChild(today=TODAY, to_desa=OTHER_DESA, moved_on=date(2025, 5, 1))

    facts = decider.decide(command, given(registered()))

    fact = facts[0]
    assert isinstance(fact, e.ChildMoved)
    assert (fact.from_desa, fact.to_desa, fact.wilayah) == (DESA, OTHER_DESA, OTHER_DESA)
    assert given(registered(), fact).desa == OTHER_DESA


def test_moving_a_child_to_its_own_desa_is_a_conflict() -> None:
    command = c.MoveChild(today=TODAY, to_desa=DESA, moved_on=date(2025, 5, 1))

    with pytest.raises(StateConflict):
        decider.decide(command, given(registered()))


def test_an_exited_child_cannot_exit_again() -> None:
    command = c.ExitChild(today=TODAY, reason=e.ExitReason.MOVED_OUT, exited_on=TODAY)
    exited = decider.decide(command, given(registered()))

    with pytest.raises(StateConflict):
        decider.decide(command, given(registered(), *exited))


def test_a_registration_correction_changes_only_the_fields_given() -> None:
    command = c.CorrectRegistration(today=TODAY, birth_date=date(2024, 3, 6), reason="akta")

    facts = decider.decide(command, given(registered()))

    state = given(registered(), *facts)
    assert (state.birth_date, state.sex, state.posyandu) == (date(2024, 3, 6), "M", "Melati 1")


def exited(on: date) -> e.ChildExited:
    return e.ChildExited(
        occurred_at=at_midnight(on), wilayah=DESA, reason=e.ExitReason.MOVED_OUT, exited_on=on
    )


def test_a_measurement_after_the_child_left_the_register_is_a_conflict() -> None:
    command = c.RecordMeasurement(
        today=TODAY, measurement_id=SECOND, measurement=measurement(measured_on=date(2025, 5, 2))
    )

    with pytest.raises(StateConflict) as refused:
        decider.decide(command, given(registered(), exited(date(2025, 5, 1))))
    assert refused.value.field == "measured_on"


def test_a_late_measurement_taken_before_the_exit_is_accepted() -> None:
    command = c.RecordMeasurement(
        today=TODAY, measurement_id=SECOND, measurement=measurement(measured_on=date(2025, 4, 30))
    )

    facts = decider.decide(command, given(registered(), exited(date(2025, 5, 1))))

    assert [type(f) for f in facts] == [e.MeasurementRecorded]


def test_a_correction_may_not_move_a_measurement_past_the_exit() -> None:
    command = c.CorrectMeasurement(
        today=TODAY,
        measurement_id=FIRST,
        reason="tanggal salah",
        measurement=measurement(measured_on=date(2025, 5, 12)),
    )

    with pytest.raises(StateConflict):
        decider.decide(command, given(registered(), recorded(), exited(date(2025, 5, 11))))


def test_a_birth_date_correction_that_leaves_a_measurement_before_birth_is_refused() -> None:
    command = c.CorrectRegistration(today=TODAY, birth_date=date(2025, 5, 11), reason="akta")

    with pytest.raises(DomainError) as refused:
        decider.decide(command, given(registered(), recorded()))
    assert refused.value.field == "birth_date"


def test_a_birth_date_correction_is_checked_only_against_counted_measurements() -> None:
    void = e.MeasurementVoided(
        occurred_at=at_midnight(TODAY), wilayah=DESA, measurement_id=FIRST, reason="salah anak"
    )
    command = c.CorrectRegistration(today=TODAY, birth_date=date(2025, 5, 11), reason="akta")

    facts = decider.decide(command, given(registered(), recorded(), void))

    assert given(registered(), recorded(), void, *facts).birth_date == date(2025, 5, 11)


def moved_away_on_5_january() -> e.ChildMoved:
    return e.ChildMoved(
        occurred_at=at_midnight(date(2025, 1, 5)),
        wilayah=OTHER_DESA,
        from_desa=DESA,
        to_desa=OTHER_DESA,
        moved_on=date(2025, 1, 5),
    )


def test_a_move_dated_before_the_last_move_is_refused() -> None:
    moved = moved_away_on_5_january()
    command = c.MoveChild(today=TODAY, to_desa=DESA, moved_on=date(2025, 1, 4))

    with pytest.raises(DomainError) as refused:
        decider.decide(command, given(registered(), moved))
    assert refused.value.field == "moved_on"


def test_a_move_dated_before_the_registration_day_is_accepted() -> None:
    command = c.MoveChild(today=TODAY, to_desa=OTHER_DESA, moved_on=date(2024, 3, 9))

    facts = decider.decide(command, given(registered()))  # registered on 2024-03-10

    assert [type(f) for f in facts] == [e.ChildMoved]


def test_an_exit_dated_before_the_last_move_is_refused() -> None:
    moved = moved_away_on_5_january()
    command = c.ExitChild(today=TODAY, reason=e.ExitReason.DIED, exited_on=date(2025, 1, 4))

    with pytest.raises(DomainError) as refused:
        decider.decide(command, given(registered(), moved))
    assert refused.value.field == "exited_on"
