"""Absurd input is refused with a typed error naming the field and the allowed range."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from domain.fact import DomainError
from domain.growth import GrowthInputError, Sex, assess, assess_many


def _refusal(**measurement: object) -> GrowthInputError:
    arguments: dict[str, object] = {"sex": Sex.MALE, "age_days": 400} | measurement
    with pytest.raises(GrowthInputError) as raised:
        assess(**arguments)  # type: ignore[arg-type]
    return raised.value


@pytest.mark.parametrize("weight", [0.0, 1e-320, 1e-10, 0.19, -1.0, 58.01, math.nan, math.inf])
def test_a_weight_outside_0_2_to_58_kg_is_refused(weight: float) -> None:
    error = _refusal(weight_kg=weight)

    assert error.field == "weight_kg"
    assert error.detail == "weight_kg must be 0.2-58 kg"
    assert (error.status, isinstance(error, DomainError)) == (422, True)


@pytest.mark.parametrize("length", [19.9, 150.1, -80.0, math.nan])
def test_a_length_outside_20_to_150_cm_is_refused(length: float) -> None:
    error = _refusal(length_cm=length)

    assert (error.field, error.detail) == ("length_cm", "length_cm must be 20-150 cm")


def test_the_range_edges_are_scored_not_refused() -> None:
    extremes = [
        assess(sex=Sex.MALE, age_days=400, weight_kg=58.0, length_cm=150.0),
        assess(sex=Sex.MALE, age_days=400, weight_kg=0.2, length_cm=20.0),
    ]

    flagged = [a.flags for a in extremes]

    assert flagged == [{"haz", "waz", "baz"}, {"haz", "waz", "baz"}]


def test_an_unknown_sex_is_refused() -> None:
    error = _refusal(sex="X")

    assert (error.field, error.detail) == ("sex", "sex must be 'M' or 'F'")


def test_an_unknown_position_is_refused() -> None:
    error = _refusal(position="sitting")

    assert error.field == "position"


@pytest.mark.parametrize("age", [-1, True, 3.5, None])
def test_an_age_that_is_not_a_whole_number_of_days_from_zero_is_refused(age: object) -> None:
    error = _refusal(age_days=age)

    assert error.field == "age_days"


def test_a_measurement_before_birth_is_refused() -> None:
    error = _refusal(age_days=None, birth_date=date(2024, 5, 2), measured_on=date(2024, 5, 1))

    assert (error.field, error.detail) == (
        "measured_on",
        "measured_on must not be before birth_date",
    )


def test_a_measurement_in_the_future_is_refused() -> None:
    error = _refusal(
        age_days=None,
        birth_date=date(2024, 1, 1),
        measured_on=date(2024, 6, 2),
        today=date(2024, 6, 1),
    )

    assert (error.field, error.detail) == (
        "measured_on",
        "measured_on must not be after 2024-06-01",
    )


def test_a_birth_date_without_a_measurement_date_is_refused() -> None:
    error = _refusal(age_days=None, birth_date=date(2024, 1, 1))

    assert error.field == "measured_on"


def test_an_age_in_days_that_disagrees_with_the_dates_is_refused() -> None:
    error = _refusal(age_days=10, birth_date=date(2024, 1, 1), measured_on=date(2024, 2, 1))

    assert (error.field, error.detail) == (
        "age_days",
        "age_days disagrees with the dates (31 days)",
    )


@pytest.mark.parametrize(
    ("column", "values", "field"),
    [
        ("weight_kg", [10.0, 0.0], "weight_kg"),
        ("length_cm", [80.0, 151.0], "length_cm"),
        ("sex", ["M", "male"], "sex"),
        ("age_days", [10, -3], "age_days"),
        ("position", ["lying", "sitting"], "position"),
    ],
)
def test_assess_many_refuses_the_first_bad_row_by_number(
    column: str, values: list[object], field: str
) -> None:
    columns: dict[str, object] = {"sex": ["M", "F"], "age_days": [10, 20]} | {column: values}

    with pytest.raises(GrowthInputError) as raised:
        assess_many(**columns)  # type: ignore[arg-type]

    assert raised.value.field == field
    assert raised.value.detail.endswith("(row 1)")


def test_assess_many_refuses_columns_of_different_lengths() -> None:
    with pytest.raises(GrowthInputError) as raised:
        assess_many(sex=["M"], age_days=[10, 20])

    assert raised.value.field == "sex"


def test_assess_many_takes_nan_as_a_missing_measurement() -> None:
    many = assess_many(sex=["M"], age_days=[10], weight_kg=[np.nan], length_cm=[50.0])

    assert (np.isnan(many.waz[0]), np.isnan(many.haz[0])) == (True, False)
