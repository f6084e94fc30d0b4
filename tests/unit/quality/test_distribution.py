"""SD, skewness and kurtosis by hand and against the textbook formulas in numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from domain.quality import z_distribution


def test_three_values_have_the_hand_computed_moments() -> None:
    # mean 1; deviations -1, -1, 2; m2 = 6/3 = 2, m3 = 6/3 = 2, m4 = 18/3 = 6.
    found = z_distribution([0.0, 0.0, 3.0])

    assert found.n == 3
    assert found.mean == pytest.approx(1.0)
    assert found.sd == pytest.approx(math.sqrt(6 / 2))  # sample SD: n - 1
    assert found.skewness == pytest.approx(2 / 2**1.5)  # m3 / m2^(3/2)
    assert found.kurtosis == pytest.approx(6 / 2**2)  # m4 / m2^2, not minus 3


def test_the_estimators_match_the_textbook_formulas_on_skewed_z_scores() -> None:
    z = np.random.default_rng(31).gamma(2.0, 0.6, size=137) - 1.9
    d = z - z.mean()

    found = z_distribution(z.tolist())

    assert found.mean == pytest.approx(float(z.mean()))
    assert found.sd == pytest.approx(float(np.std(z, ddof=1)))
    assert found.skewness == pytest.approx(float(np.mean(d**3) / np.mean(d**2) ** 1.5))
    assert found.kurtosis == pytest.approx(float(np.mean(d**4) / np.mean(d**2) ** 2))


def test_the_sd_is_the_sample_sd_and_not_the_population_sd() -> None:
    z = [-1.2, -0.4, 0.3, 1.1]

    found = z_distribution(z)

    assert found.sd == pytest.approx(float(np.std(z, ddof=1)))
    assert found.sd != pytest.approx(float(np.std(z, ddof=0)))


def test_a_large_normal_sample_has_kurtosis_near_three() -> None:
    z = np.random.default_rng(7).standard_normal(20_000)

    found = z_distribution(z.tolist())

    assert found.kurtosis == pytest.approx(3.0, abs=0.1)
    assert found.skewness == pytest.approx(0.0, abs=0.05)
    assert found.sd == pytest.approx(1.0, abs=0.02)


def test_too_few_or_identical_values_leave_what_cannot_be_computed_none() -> None:
    one = z_distribution([-1.5])
    same = z_distribution([1.1, 1.1, 1.1])
    none = z_distribution([])

    assert (one.n, one.mean, one.sd, one.skewness, one.kurtosis) == (1, -1.5, None, None, None)
    assert (same.mean, same.sd, same.skewness, same.kurtosis) == (1.1, 0.0, None, None)
    assert (none.n, none.mean, none.sd) == (0, None, None)
