"""WHO's published SD curves score as -3 ... +3 (and -4 / +4 where the restriction applies)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from domain.growth import Indicator, Sex, assess_many, standard_curves
from tests.unit.growth.reference import SD_COLUMNS, FloatArray

TOLERANCE = 0.005
PLAIN_LEVELS = [-3, -2, 2, 3]
RESTRICTED_LEVELS = [-4, -3, -2, 2, 3, 4]


def _assess_by_age(
    indicator: Indicator, sex: Sex, days: FloatArray, values: FloatArray
) -> FloatArray:
    age = days.astype(np.int64)
    sexes = np.full(len(age), sex.value)
    if indicator is Indicator.LHFA:
        position = np.where(age < 731, "lying", "standing")
        return assess_many(sex=sexes, age_days=age, length_cm=values, position=position).haz
    if indicator is Indicator.WFA:
        return assess_many(sex=sexes, age_days=age, weight_kg=values).waz
    # At 100 cm (1 m squared) the weight in kg is the BMI.
    metre = np.full(len(age), 100.0)
    return assess_many(sex=sexes, age_days=age, weight_kg=values, length_cm=metre).baz


def _assess_by_length(
    indicator: Indicator, sex: Sex, cm: FloatArray, values: FloatArray
) -> FloatArray:
    lying = indicator is Indicator.WFL
    age = np.full(len(cm), 400 if lying else 1000)
    position = np.full(len(cm), "lying" if lying else "standing")
    return assess_many(
        sex=np.full(len(cm), sex.value),
        age_days=age,
        weight_kg=values,
        length_cm=cm,
        position=position,
    ).whz


def _worst_misses(
    score: Callable[[Indicator, Sex, FloatArray, FloatArray], FloatArray],
    who: dict[str, FloatArray],
    indicator: Indicator,
    sex: Sex,
    levels: list[int],
) -> dict[int, float]:
    """For each SD level, how far from it the farthest z that ``score`` gives its values lies."""
    return {
        k: np.max(np.abs(score(indicator, sex, who["x"], who[SD_COLUMNS[k]]) - k)) for k in levels
    }


@pytest.mark.parametrize("sex", list(Sex))
@pytest.mark.parametrize(
    ("indicator", "levels"),
    [
        (Indicator.LHFA, PLAIN_LEVELS),
        (Indicator.WFA, RESTRICTED_LEVELS),
        (Indicator.BFA, RESTRICTED_LEVELS),
    ],
)
def test_published_sd_values_by_age_give_their_z_every_day_0_to_1826(
    who: dict[str, FloatArray], indicator: Indicator, levels: list[int], sex: Sex
) -> None:
    worst = _worst_misses(_assess_by_age, who, indicator, sex, levels)

    assert max(worst.values()) < TOLERANCE, worst
    assert len(who["x"]) == 1827


@pytest.mark.parametrize("sex", list(Sex))
@pytest.mark.parametrize("indicator", [Indicator.WFL, Indicator.WFH])
def test_published_sd_values_by_length_give_their_z_every_0_1_cm(
    who: dict[str, FloatArray], indicator: Indicator, sex: Sex
) -> None:
    worst = _worst_misses(_assess_by_length, who, indicator, sex, RESTRICTED_LEVELS)

    assert max(worst.values()) < TOLERANCE, worst


@pytest.mark.parametrize("sex", list(Sex))
@pytest.mark.parametrize(
    "indicator", [Indicator.LHFA, Indicator.WFA, Indicator.BFA, Indicator.WFL, Indicator.WFH]
)
def test_standard_curves_reproduce_the_published_sd_values(
    who: dict[str, FloatArray], indicator: Indicator, sex: Sex
) -> None:
    curves = standard_curves(indicator, sex)

    np.testing.assert_array_equal(curves.x, who["x"])
    for k, values in curves.sd.items():
        np.testing.assert_allclose(values, who[SD_COLUMNS[k]], rtol=0, atol=0.0005 + 1e-9)
