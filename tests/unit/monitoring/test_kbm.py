"""The KBM table as the Buku KIA 2023 prints it, month by month."""

from __future__ import annotations

import pytest

from domain.monitoring import kbm_grams, kbm_table


def test_the_first_six_months_each_have_their_own_minimum_gain() -> None:
    table = kbm_table()

    assert [table[m] for m in range(1, 7)] == [800, 900, 800, 600, 500, 400]


def test_seven_to_ten_months_need_300_grams_and_from_eleven_months_200_grams() -> None:
    table = kbm_table()

    assert {table[m] for m in range(7, 11)} == {300}
    assert {table[m] for m in range(11, 61)} == {200}
    assert sorted(table) == list(range(1, 61))


def test_a_weighing_under_one_month_is_judged_by_the_first_row() -> None:
    assert kbm_grams(0) == 800


def test_a_weighing_from_sixty_months_keeps_the_last_row() -> None:
    assert (kbm_grams(60), kbm_grams(71)) == (200, 200)


def test_a_negative_age_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        kbm_grams(-1)
