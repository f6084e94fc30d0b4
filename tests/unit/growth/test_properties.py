"""Properties that hold for every valid measurement (hypothesis)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from domain.growth import Assessment, Position, Sex, assess, assess_many
from domain.growth.rules import LENGTH_RANGE_CM, MUAC_RANGE_CM, WEIGHT_RANGE_KG
from tests.unit.growth.reference import same_assessments

sexes = st.sampled_from(list(Sex))
ages = st.integers(min_value=0, max_value=1826)
weights = st.floats(*WEIGHT_RANGE_KG)
lengths = st.floats(*LENGTH_RANGE_CM)
muacs = st.floats(*MUAC_RANGE_CM)
positions = st.sampled_from([None, Position.LYING, Position.STANDING])


class Row(NamedTuple):
    """One measurement, by the names ``assess`` takes."""

    sex: Sex
    age_days: int
    weight_kg: float | None
    length_cm: float | None
    position: Position | None
    oedema: bool
    muac_cm: float | None


rows: st.SearchStrategy[Row] = st.tuples(
    sexes,
    st.integers(min_value=0, max_value=2000),
    st.none() | weights,
    st.none() | lengths,
    positions,
    st.booleans(),
    st.none() | muacs,
).map(Row._make)


def _assess_row(row: Row) -> Assessment:
    return assess(**row._asdict())


@given(sexes, ages, positions, st.lists(lengths, min_size=2, max_size=2).map(sorted))
def test_haz_never_falls_as_length_grows(
    sex: Sex, age: int, position: Position | None, pair: list[float]
) -> None:
    shorter, taller = (assess(sex=sex, age_days=age, length_cm=c, position=position) for c in pair)

    assert shorter.haz is not None
    assert taller.haz is not None
    assert shorter.haz <= taller.haz


@given(sexes, ages, lengths, positions, st.lists(weights, min_size=2, max_size=2).map(sorted))
def test_weight_based_z_never_falls_as_weight_grows(
    sex: Sex, age: int, length: float, position: Position | None, pair: list[float]
) -> None:
    lighter, heavier = (
        assess(sex=sex, age_days=age, weight_kg=w, length_cm=length, position=position)
        for w in pair
    )

    for name in ("waz", "whz", "baz"):
        low, high = getattr(lighter, name), getattr(heavier, name)
        assert (low is None) == (high is None)
        assert low is None or low <= high


@given(sexes, ages, weights, lengths, positions, st.booleans(), muacs)
def test_every_z_of_a_valid_measurement_is_finite(
    sex: Sex,
    age: int,
    weight: float,
    length: float,
    position: Position | None,
    oedema: bool,
    muac: float,
) -> None:
    a = _assess_row(Row(sex, age, weight, length, position, oedema, muac))

    zs = [a.haz, a.waz, a.whz, a.baz, a.acz]
    assert all(z is None or math.isfinite(z) for z in zs)
    assert a.haz is not None
    assert (a.waz is None) == oedema


@given(st.lists(rows, min_size=1, max_size=40))
def test_assess_many_equals_assess_row_by_row(batch: list[Row]) -> None:
    singles = [_assess_row(row) for row in batch]

    many = assess_many(
        sex=[row.sex.value for row in batch],
        age_days=[row.age_days for row in batch],
        weight_kg=[np.nan if row.weight_kg is None else row.weight_kg for row in batch],
        length_cm=[np.nan if row.length_cm is None else row.length_cm for row in batch],
        position=[row.position for row in batch],
        oedema=[row.oedema for row in batch],
        muac_cm=[np.nan if row.muac_cm is None else row.muac_cm for row in batch],
    )

    assert same_assessments([many.row(i) for i in range(len(many))], singles)
