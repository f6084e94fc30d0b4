"""Terminal digits, their 0/5 share and index of dissimilarity, and birth-date heaping."""

from __future__ import annotations

from datetime import date

import pytest

from domain.quality import birth_day_heaping, digit_preference, terminal_digit
from domain.quality.rules import EXPECTED_BIRTH_DAY_SHARE


@pytest.mark.parametrize(
    ("value", "digit"),
    [(8.7, 7), (10.0, 0), (74.5, 5), (8.74, 7), (8.76, 8), (12.25, 2), (9.95, 9)],
)
def test_the_terminal_digit_is_the_tenths_of_the_value_rounded_to_one_decimal(
    value: float, digit: int
) -> None:
    # 12.25 and 9.95 round as R's round(x, 1) does: half to even on the binary value.
    assert terminal_digit(value) == digit


def test_twenty_weights_with_heaping_on_zero_have_the_hand_counted_shares() -> None:
    # 10 end in .0, 2 in .5, one each in .1 .2 .3 .4 .6 .7 .8 .9.
    weights = [8.0, 9.0, 10.0, 11.0, 7.0, 6.0, 12.0, 13.0, 8.0, 9.0, 8.5, 9.5]
    weights += [8.1, 8.2, 8.3, 8.4, 8.6, 8.7, 8.8, 8.9]

    found = digit_preference(weights)

    assert found.counts == (10, 1, 1, 1, 1, 2, 1, 1, 1, 1)
    assert found.share_0_5 == pytest.approx(0.6)
    # 1/2 (|0.5 - 0.1| + 8 x |0.05 - 0.1| + |0.1 - 0.1|) = 1/2 (0.4 + 0.4) = 0.4
    assert found.dissimilarity == pytest.approx(0.4)
    assert found.shares is not None
    assert found.shares[0] == pytest.approx(0.5)


def test_digits_spread_evenly_show_the_expected_twenty_percent_and_no_dissimilarity() -> None:
    found = digit_preference([70.0 + d / 10 for d in range(10)])

    assert found.share_0_5 == pytest.approx(0.2)
    assert found.dissimilarity == pytest.approx(0.0)


def test_lengths_rounded_to_five_centimetres_have_the_largest_dissimilarity() -> None:
    found = digit_preference([70.0, 75.0, 80.0, 85.0, 90.0])

    assert found.share_0_5 == 1.0
    assert found.dissimilarity == pytest.approx(0.9)


def test_no_values_give_no_shares() -> None:
    found = digit_preference([])

    assert (found.n, found.shares, found.share_0_5, found.dissimilarity) == (0, None, None, None)


def test_birth_dates_heaped_on_the_first_and_fifteenth_are_counted_against_twelve_in_365() -> None:
    born = [date(2023, 1, 1), date(2023, 6, 1), date(2024, 2, 15), date(2023, 3, 7)]
    born.append(date(2022, 12, 20))

    heaping = birth_day_heaping(born)

    assert (heaping.n, heaping.on_1st, heaping.on_15th) == (5, 2, 1)
    assert (heaping.share_1st, heaping.share_15th) == (0.4, 0.2)
    assert heaping.expected_share == EXPECTED_BIRTH_DAY_SHARE == pytest.approx(0.032854, abs=1e-6)


def test_no_birth_dates_give_no_heaping_shares() -> None:
    heaping = birth_day_heaping([])

    assert (heaping.share_1st, heaping.share_15th) == (None, None)
