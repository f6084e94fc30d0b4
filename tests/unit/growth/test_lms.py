"""The LMS maths on its own: both forms, both paths, the L = 0 case."""

from __future__ import annotations

import math

import numpy as np
import pytest

from domain.growth.lms import (
    value_at,
    value_at_array,
    z_lms,
    z_lms_array,
    z_restricted,
    z_restricted_array,
)
from tests.unit.growth.reference import CLOSE

L, M, S = -0.35, 10.0, 0.09


@pytest.mark.parametrize("z", [-4.5, -3.0, -1.2, 0.0, 2.5, 3.0])
def test_value_at_is_the_inverse_of_the_plain_lms_z(z: float) -> None:
    y = value_at(z, L, M, S)

    back = z_lms(y, L, M, S)

    assert back == pytest.approx(z, abs=1e-12)


def test_an_l_of_zero_uses_the_log_form() -> None:
    y = value_at(1.5, 0.0, M, S)

    z = z_lms(y, 0.0, M, S)

    assert y == pytest.approx(M * math.exp(1.5 * S))
    assert z == pytest.approx(1.5, abs=1e-12)
    assert z_lms_array(np.array([y]), np.zeros(1), np.full(1, M), np.full(1, S))[0] == z
    assert value_at_array(1.5, np.zeros(1), np.full(1, M), np.full(1, S))[0] == y


def test_the_restricted_z_is_continuous_at_plus_and_minus_3() -> None:
    sd3, sd3neg = value_at(3.0, L, M, S), value_at(-3.0, L, M, S)

    z = [z_restricted(y, L, M, S) for y in (sd3 * (1 + 1e-12), sd3neg * (1 - 1e-12))]

    assert z == pytest.approx([3.0, -3.0], abs=1e-9)


def test_beyond_3_the_restricted_z_counts_sd2_to_sd3_distances() -> None:
    sd2, sd3 = value_at(2.0, L, M, S), value_at(3.0, L, M, S)
    sd2neg, sd3neg = value_at(-2.0, L, M, S), value_at(-3.0, L, M, S)

    high = z_restricted(sd3 + 1.5 * (sd3 - sd2), L, M, S)
    low = z_restricted(sd3neg - 1.5 * (sd2neg - sd3neg), L, M, S)

    assert (high, low) == pytest.approx((4.5, -4.5), abs=1e-12)


def test_the_array_forms_match_the_scalar_forms_to_the_last_places() -> None:
    """See ``reference.CLOSE`` for why not bit for bit on every CPU."""
    y = np.linspace(4.0, 20.0, 321)
    l, m, s = np.full_like(y, L), np.full_like(y, M), np.full_like(y, S)  # noqa: E741

    plain, restricted = z_lms_array(y, l, m, s), z_restricted_array(y, l, m, s)

    scalar = [z_lms(v, L, M, S) for v in y.tolist()]
    np.testing.assert_allclose(plain, scalar, rtol=CLOSE, atol=CLOSE)
    scalar = [z_restricted(v, L, M, S) for v in y.tolist()]
    np.testing.assert_allclose(restricted, scalar, rtol=CLOSE, atol=CLOSE)
