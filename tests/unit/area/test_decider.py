"""The area aggregate: given its history, a command leads to facts or a refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.area import commands as c
from domain.area import events as e
from domain.area.decider import AreaDecider, AreaState, Sasaran, area_code, stream_id
from domain.fact import DomainError, Fact, NotFound, StateConflict
from domain.wilayah import InvalidWilayah
from tests.support.deciders import folded

AT = datetime(2025, 5, 10, 3, 0, tzinfo=UTC)
CODE = "32.79.02.1001"
decider = AreaDecider()


def registered(code: str = CODE, kind: e.AreaKind = e.AreaKind.KELURAHAN) -> e.AreaRegistered:
    return e.AreaRegistered(
        occurred_at=AT,
        wilayah=code,
        code=code,
        name="Hegarsari",
        kind=kind,
        kecamatan="Pataruman",
        kota="Kota Banjar",
    )


def given(*facts: Fact) -> AreaState:
    return folded(decider, *facts)


def register(**changes: object) -> c.RegisterArea:
    fields: dict[str, object] = {
        "at": AT,
        "code": CODE,
        "name": "Hegarsari",
        "kecamatan": "Pataruman",
        "kota": "Kota Banjar",
    }
    return c.RegisterArea.model_validate(fields | changes)


def sasaran(year: int = 2025, balita: int = 420, baduta: int = 170) -> c.SetSasaran:
    return c.SetSasaran(at=AT, year=year, balita=balita, baduta=baduta)


def designate(category: e.KampungKbCategory, on: date = date(2024, 8, 1)) -> c.DesignateKampungKb:
    return c.DesignateKampungKb(at=AT, category=category, designated_on=on)


def test_registering_a_kelurahan_records_its_names_and_its_kind_from_the_code() -> None:
    facts = decider.decide(register(), given())

    assert facts == [registered()]


def test_an_undotted_code_is_registered_in_its_dotted_form_and_2_means_desa() -> None:
    facts = decider.decide(register(code="3279022001"), given())

    assert facts == [registered("32.79.02.2001", e.AreaKind.DESA)]


def test_names_are_trimmed_of_surrounding_and_repeated_spaces() -> None:
    facts = decider.decide(register(name="  Hegarsari ", kota="Kota  Banjar"), given())

    assert isinstance(facts[0], e.AreaRegistered)
    assert (facts[0].name, facts[0].kota) == ("Hegarsari", "Kota Banjar")


def test_registering_a_code_twice_is_a_conflict() -> None:
    with pytest.raises(StateConflict) as refusal:
        decider.decide(register(), given(registered()))

    assert refusal.value.field == "code"


@pytest.mark.parametrize("code", ["32.79.02", "32.79", "32.79.02.3001", "32.79.02.0001", "3279x"])
def test_only_a_well_formed_desa_or_kelurahan_code_is_registered(code: str) -> None:
    with pytest.raises(InvalidWilayah) as refusal:
        decider.decide(register(code=code), given())

    assert refusal.value.field == "code"


@pytest.mark.parametrize("field", ["name", "kecamatan", "kota"])
def test_an_empty_or_overlong_name_is_refused(field: str) -> None:
    for bad in ("  ", "x" * 101):
        with pytest.raises(DomainError) as refusal:
            decider.decide(register(**{field: bad}), given())

        assert refusal.value.field == field


def test_the_stream_id_is_the_dotted_code_whatever_form_was_given() -> None:
    assert stream_id("3279021001") == stream_id(CODE) == "area-32.79.02.1001"
    assert area_code(" 32.79.02.1001 ") == CODE


def test_commands_on_an_unregistered_area_find_nothing() -> None:
    with pytest.raises(NotFound):
        decider.decide(sasaran(), given())


def test_designating_a_kampung_kb_records_its_category_and_date() -> None:
    state = given(registered())

    facts = decider.decide(designate(e.KampungKbCategory.BERKEMBANG), state)

    assert facts == [
        e.KampungKbDesignated(
            occurred_at=AT,
            wilayah=CODE,
            category=e.KampungKbCategory.BERKEMBANG,
            designated_on=date(2024, 8, 1),
        )
    ]
    assert given(registered(), *facts).kampung_kb is e.KampungKbCategory.BERKEMBANG


def test_designating_the_same_category_on_the_same_date_again_changes_nothing() -> None:
    first = decider.decide(designate(e.KampungKbCategory.DASAR), given(registered()))

    again = decider.decide(designate(e.KampungKbCategory.DASAR), given(registered(), *first))

    assert again == []


def test_a_designation_dated_in_the_future_is_refused() -> None:
    with pytest.raises(DomainError) as refusal:
        decider.decide(designate(e.KampungKbCategory.DASAR, date(2025, 5, 11)), given(registered()))

    assert refusal.value.field == "designated_on"


def test_setting_the_sasaran_of_a_year_records_both_targets() -> None:
    facts = decider.decide(sasaran(), given(registered()))

    assert facts == [e.SasaranSet(occurred_at=AT, wilayah=CODE, year=2025, balita=420, baduta=170)]
    assert given(registered(), *facts).sasaran == {2025: Sasaran(420, 170)}


def test_setting_the_same_sasaran_again_changes_nothing_and_a_new_one_replaces_it() -> None:
    state = given(registered(), *decider.decide(sasaran(), given(registered())))

    assert decider.decide(sasaran(), state) == []
    assert len(decider.decide(sasaran(balita=430), state)) == 1


def test_more_baduta_than_balita_is_refused() -> None:
    with pytest.raises(DomainError) as refusal:
        decider.decide(sasaran(balita=100, baduta=101), given(registered()))

    assert refusal.value.field == "baduta"


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (sasaran(balita=-1, baduta=0), "balita"),
        (sasaran(baduta=-1), "baduta"),
        (sasaran(year=1999), "year"),
        (sasaran(year=2101), "year"),
    ],
)
def test_negative_targets_and_unlikely_years_are_refused(command: c.SetSasaran, field: str) -> None:
    with pytest.raises(DomainError) as refusal:
        decider.decide(command, given(registered()))

    assert refusal.value.field == field
