"""The early-warning flag by each rule, its edges, and an installation's own thresholds."""

from __future__ import annotations

from datetime import date

import pytest

from domain.monitoring import (
    EarlyWarning,
    FlagReason,
    WarningRules,
    Weighing,
    WeightGain,
    ZScores,
    early_warning,
    weight_gains,
)
from domain.monitoring.warning import months_before

BORN = date(2023, 1, 10)


def gains(*kg: float) -> list[WeightGain]:
    days = [date(2024, month, 10) for month in range(1, len(kg) + 1)]
    return weight_gains(BORN, [Weighing(d, k) for d, k in zip(days, kg, strict=True)])


def z(
    day: date, *, haz: float | None = None, waz: float | None = None, whz: float | None = None
) -> ZScores:
    return ZScores(day, haz=haz, waz=waz, whz=whz)


def test_a_child_whose_latest_weighing_is_2t_is_flagged() -> None:
    latest = gains(9.0, 9.0, 9.0)[-1]

    warning = early_warning(latest, [])

    assert (warning.flagged, warning.reasons) == (True, (FlagReason.TWO_T,))


def test_a_single_t_or_no_weighing_at_all_is_not_flagged() -> None:
    assert early_warning(gains(9.0, 9.0)[-1], []) == EarlyWarning()
    assert not early_warning(None, []).flagged


def test_waz_below_minus_three_flags_and_minus_three_itself_does_not() -> None:
    day = date(2024, 5, 10)

    assert early_warning(None, [z(day, waz=-3.01)]).reasons == (FlagReason.SEVERELY_UNDERWEIGHT,)
    assert not early_warning(None, [z(day, waz=-3.0)]).flagged
    # z-scores count as WHO reports them, to 2 decimals: -3.004 is -3.00.
    assert not early_warning(None, [z(day, waz=-3.004)]).flagged


def test_only_the_latest_valid_waz_counts() -> None:
    history = [z(date(2024, 4, 10), waz=-3.5), z(date(2024, 5, 10), waz=-2.5)]

    assert not early_warning(None, history).flagged


def test_whz_below_minus_two_flags_until_a_later_whz_is_normal() -> None:
    wasted = [z(date(2024, 4, 10), whz=-2.1)]
    recovered = [*wasted, z(date(2024, 5, 10), whz=-1.5)]

    assert early_warning(None, wasted).reasons == (FlagReason.WASTED,)
    assert not early_warning(None, recovered).flagged


def test_bilateral_oedema_flags_as_severe_wasting_without_a_whz() -> None:
    history = [z(date(2024, 4, 10), whz=-0.5), ZScores(date(2024, 5, 10), oedema=True)]

    assert early_warning(None, history).reasons == (FlagReason.OEDEMA,)


def test_haz_falling_half_a_unit_within_three_months_while_above_minus_two_flags() -> None:
    history = [z(date(2024, 1, 10), haz=-1.2), z(date(2024, 4, 10), haz=-1.7)]

    assert early_warning(None, history).reasons == (FlagReason.HAZ_FALLING,)


def test_a_fall_over_more_than_three_calendar_months_does_not_flag() -> None:
    history = [z(date(2024, 1, 9), haz=-1.0), z(date(2024, 4, 10), haz=-1.6)]

    assert not early_warning(None, history).flagged


def test_any_earlier_haz_within_the_window_may_show_the_fall() -> None:
    history = [
        z(date(2023, 12, 1), haz=-0.2),  # outside the window
        z(date(2024, 2, 1), haz=-1.1),
        z(date(2024, 3, 1), haz=-1.4),
        z(date(2024, 4, 10), haz=-1.6),
    ]

    assert early_warning(None, history).reasons == (FlagReason.HAZ_FALLING,)


def test_a_fall_of_less_than_half_a_unit_does_not_flag() -> None:
    history = [z(date(2024, 3, 10), haz=-1.0), z(date(2024, 4, 10), haz=-1.49)]

    assert not early_warning(None, history).flagged


def test_a_fall_into_stunting_is_not_heading_for_it_any_more() -> None:
    history = [z(date(2024, 3, 10), haz=-1.6), z(date(2024, 4, 10), haz=-2.1)]

    assert not early_warning(None, history).flagged


def test_a_rising_haz_does_not_flag() -> None:
    history = [z(date(2024, 3, 10), haz=-1.9), z(date(2024, 4, 10), haz=-1.0)]

    assert not early_warning(None, history).flagged


def test_all_reasons_are_returned_in_the_order_of_the_rules() -> None:
    latest = gains(9.0, 9.0, 9.0)[-1]
    history = [
        z(date(2024, 1, 10), haz=-0.5),
        z(date(2024, 3, 10), haz=-1.1, waz=-3.2, whz=-2.5),
    ]

    assert early_warning(latest, history).reasons == (
        FlagReason.TWO_T,
        FlagReason.SEVERELY_UNDERWEIGHT,
        FlagReason.WASTED,
        FlagReason.HAZ_FALLING,
    )


def test_an_installation_can_set_its_own_thresholds() -> None:
    latest = gains(9.0, 9.0, 9.0)[-1]
    history = [z(date(2024, 1, 10), haz=-1.0, whz=-1.8), z(date(2024, 3, 10), haz=-1.3)]
    strict = WarningRules(two_t=False, whz_below=-1.5, haz_drop=0.3, haz_drop_within_months=2)

    assert early_warning(latest, history, strict).reasons == (
        FlagReason.WASTED,
        FlagReason.HAZ_FALLING,
    )
    assert early_warning(latest, history).reasons == (FlagReason.TWO_T,)


@pytest.mark.parametrize(
    ("drop", "months"), [(0.0, 3), (-0.5, 3), (0.5, 0)], ids=["zero", "negative", "no-window"]
)
def test_rules_that_cannot_flag_a_fall_are_refused(drop: float, months: int) -> None:
    with pytest.raises(ValueError, match="haz_drop"):
        WarningRules(haz_drop=drop, haz_drop_within_months=months)


def test_three_months_before_the_end_of_may_is_the_end_of_february() -> None:
    assert months_before(date(2024, 5, 31), 3) == date(2024, 2, 29)
    assert months_before(date(2025, 5, 31), 3) == date(2025, 2, 28)
    assert months_before(date(2025, 1, 15), 3) == date(2024, 10, 15)
