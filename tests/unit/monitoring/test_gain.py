"""N/T/O/B and 2T on hand-worked weighings: month ends, several weighings, voids, corrections."""

from __future__ import annotations

from datetime import date

import pytest

from domain.fact import DomainError
from domain.monitoring import GainClass, Weighing, WeightGain, counted_by_month, weight_gains

N, T, O, B = GainClass.N, GainClass.T, GainClass.O, GainClass.B  # noqa: E741 - the KMS letters
BORN = date(2024, 1, 15)


def w(day: date, kg: float, order: int = 0) -> Weighing:
    return Weighing(day, kg, order)


def classes(gains: list[WeightGain]) -> list[GainClass]:
    return [g.gain_class for g in gains]


def test_the_first_weighing_ever_is_b() -> None:
    [gain] = weight_gains(BORN, [w(date(2024, 2, 10), 4.0)])

    assert (gain.gain_class, gain.two_t, gain.counted, gain.gain_grams) == (B, False, True, None)


def test_a_gain_equal_to_the_kbm_is_n_and_one_gram_less_is_t() -> None:
    # 10 March 2024 is day 55 of life: 1 completed month, KBM 800 g.
    enough = weight_gains(BORN, [w(date(2024, 2, 10), 4.0), w(date(2024, 3, 10), 4.8)])
    short = weight_gains(BORN, [w(date(2024, 2, 10), 4.0), w(date(2024, 3, 10), 4.799)])

    assert (enough[1].gain_class, enough[1].gain_grams, enough[1].kbm_grams) == (N, 800, 800)
    assert (short[1].gain_class, short[1].gain_grams) == (T, 799)


def test_weights_are_compared_in_whole_grams_so_float_noise_does_not_make_a_t() -> None:
    # 5.3 - 4.5 is 0.7999999999999998 in binary floating point.
    gains = weight_gains(BORN, [w(date(2024, 2, 10), 4.5), w(date(2024, 3, 10), 5.3)])

    assert (gains[1].gain_class, gains[1].gain_grams) == (N, 800)


def test_flat_or_falling_weight_is_t() -> None:
    days = [date(2024, 6, 10), date(2024, 7, 10), date(2024, 8, 10)]

    gains = weight_gains(BORN, [w(days[0], 7.0), w(days[1], 7.0), w(days[2], 6.8)])

    assert classes(gains) == [B, T, T]
    assert [g.gain_grams for g in gains] == [None, 0, -200]


def test_a_month_without_weighing_makes_the_next_weighing_o() -> None:
    gains = weight_gains(BORN, [w(date(2024, 2, 10), 4.0), w(date(2024, 4, 10), 6.0)])

    assert classes(gains) == [B, O]
    assert gains[1].gain_grams is None


@pytest.mark.parametrize(
    ("born", "weighings", "months", "kbm"),
    [
        # 31 January -> 1 February: the previous calendar month, whatever the distance.
        pytest.param(
            date(2024, 6, 1),
            [w(date(2025, 1, 31), 8.0), w(date(2025, 2, 1), 8.3)],
            8,
            300,
            id="even-one-day-apart",
        ),
        # 5 January 2025 is day 370 (12 completed months): 200 g.
        pytest.param(
            date(2024, 1, 1),
            [w(date(2024, 12, 20), 8.0), w(date(2025, 1, 5), 8.2)],
            12,
            200,
            id="december-before-january",
        ),
    ],
)
def test_the_previous_calendar_month_counts(
    born: date, weighings: list[Weighing], months: int, kbm: int
) -> None:
    gains = weight_gains(born, weighings)

    assert (gains[1].gain_class, gains[1].age_months, gains[1].kbm_grams) == (N, months, kbm)


def test_the_first_of_one_month_and_the_end_of_the_next_are_still_consecutive() -> None:
    born = date(2024, 6, 1)
    consecutive = weight_gains(born, [w(date(2025, 1, 1), 8.0), w(date(2025, 2, 28), 8.1)])
    two_apart = weight_gains(born, [w(date(2025, 1, 31), 8.0), w(date(2025, 3, 1), 8.5)])

    assert classes(consecutive) == [B, T]
    assert classes(two_apart) == [B, O]


def test_the_kbm_is_the_one_for_completed_months_at_the_weighing_judged() -> None:
    born = date(2024, 1, 1)
    # 29 Feb 2024 is day 59 (1.94 months: 800 g); 2 Mar 2024 is day 61 (2.00 months: 900 g).
    at_59 = weight_gains(born, [w(date(2024, 1, 31), 4.0), w(date(2024, 2, 29), 4.85)])
    at_61 = weight_gains(born, [w(date(2024, 2, 1), 4.0), w(date(2024, 3, 2), 4.85)])

    assert (at_59[1].age_months, at_59[1].kbm_grams, at_59[1].gain_class) == (1, 800, N)
    assert (at_61[1].age_months, at_61[1].kbm_grams, at_61[1].gain_class) == (2, 900, T)


def test_the_last_weighing_of_a_month_counts_and_is_what_the_next_month_is_compared_with() -> None:
    days = [date(2024, 6, 10), date(2024, 7, 5), date(2024, 7, 25), date(2024, 8, 10)]
    weights = [7.0, 7.5, 7.2, 7.6]

    gains = weight_gains(BORN, [w(d, kg) for d, kg in zip(days, weights, strict=True)])

    # Both July weighings are compared with June's 7.0 kg (age 5 months: 500 g; 6: 400 g).
    assert classes(gains) == [B, N, T, N]
    assert [g.counted for g in gains] == [True, False, True, True]
    assert gains[3].gain_grams == 400
    by_month = counted_by_month(gains)
    assert {m: g.gain_class for m, g in by_month.items()} == {
        "2024-06": B,
        "2024-07": T,
        "2024-08": N,
    }


def test_every_weighing_of_the_first_month_is_b() -> None:
    gains = weight_gains(BORN, [w(date(2024, 2, 1), 3.9), w(date(2024, 2, 20), 4.3)])

    assert classes(gains) == [B, B]


def test_weighings_on_one_day_count_in_recording_order() -> None:
    june, july = date(2024, 6, 10), date(2024, 7, 10)

    gains = weight_gains(BORN, [w(july, 7.6, order=2), w(july, 7.1, order=1), w(june, 7.0)])

    assert [(g.weighing.weight_kg, g.gain_class, g.counted) for g in gains] == [
        (7.0, B, True),
        (7.1, T, False),
        (7.6, N, True),
    ]


def test_t_in_two_consecutive_months_is_2t() -> None:
    days = [date(2024, 6, 10), date(2024, 7, 10), date(2024, 8, 10), date(2024, 9, 10)]

    gains = weight_gains(
        BORN, [w(d, kg) for d, kg in zip(days, [7.0, 7.1, 7.2, 7.25], strict=True)]
    )

    assert classes(gains) == [B, T, T, T]
    assert [g.two_t for g in gains] == [False, False, True, True]


def test_a_t_after_an_n_or_after_a_missed_month_is_not_2t() -> None:
    days = [date(2024, 6, 10), date(2024, 7, 10), date(2024, 8, 10), date(2024, 9, 10)]
    after_n = weight_gains(
        BORN, [w(d, kg) for d, kg in zip(days, [7.0, 7.1, 7.6, 7.7], strict=True)]
    )
    after_gap = weight_gains(
        BORN,
        [w(days[0], 7.0), w(days[1], 7.1), w(date(2024, 9, 10), 7.2), w(date(2024, 10, 9), 7.2)],
    )

    assert [(g.gain_class, g.two_t) for g in after_n] == [
        (B, False),
        (T, False),
        (N, False),
        (T, False),
    ]
    assert [(g.gain_class, g.two_t) for g in after_gap] == [
        (B, False),
        (T, False),
        (O, False),
        (T, False),
    ]


def test_a_voided_weighing_left_out_turns_the_next_month_into_o() -> None:
    june, july, aug = date(2024, 6, 10), date(2024, 7, 10), date(2024, 8, 10)
    all_three = [w(june, 7.0), w(july, 7.5), w(aug, 7.9)]

    before = weight_gains(BORN, all_three)
    after_void = weight_gains(BORN, [all_three[0], all_three[2]])

    assert classes(before) == [B, N, N]
    assert classes(after_void) == [B, O]


def test_a_corrected_weight_is_judged_by_its_corrected_value() -> None:
    june, july, aug = date(2024, 6, 10), date(2024, 7, 10), date(2024, 8, 10)

    recorded = weight_gains(BORN, [w(june, 7.0), w(july, 7.1), w(aug, 7.2)])
    corrected = weight_gains(BORN, [w(june, 7.0), w(july, 7.6), w(aug, 7.7)])

    assert [(g.gain_class, g.two_t) for g in recorded][-1] == (T, True)
    assert [(g.gain_class, g.two_t) for g in corrected] == [(B, False), (N, False), (T, False)]


def test_a_weighing_before_birth_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        weight_gains(BORN, [w(date(2024, 1, 14), 3.0)])

    assert refused.value.field == "measured_on"


def test_a_weight_of_zero_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        weight_gains(BORN, [w(date(2024, 2, 14), 0.0)])

    assert refused.value.field == "weight_kg"


def test_a_child_never_weighed_has_no_gains() -> None:
    assert weight_gains(BORN, []) == []
