"""The WHO method's rules and boundaries, one named case each."""

from __future__ import annotations

import math
from datetime import date

import pytest

from domain.growth import Assessment, Indicator, Position, Sex, assess
from domain.growth.categories import OBESE, RISK_OF_OVERWEIGHT_FOR_AGE, SEVERELY_WASTED
from domain.growth.lms import value_at, z_lms, z_restricted
from domain.growth.rules import FLAG_LIMITS
from domain.growth.tables import table
from tests.support.growth import ISSUE_EXAMPLE


def _lms_at_cm(indicator: Indicator, sex: Sex, cm: float) -> tuple[float, float, float]:
    lms = table(indicator, sex)
    return lms.rows[round((cm - lms.start) * 10)]


def _weight_at_waz(sex: Sex, age_days: int, z: float) -> float:
    """The weight whose restricted WAZ is ``z`` (beyond +3: SD3 plus (z - 3) SD2-SD3 gaps)."""
    l, m, s = table(Indicator.WFA, sex).rows[age_days]  # noqa: E741 - WHO's names L, M, S
    if z <= 3.0:
        return value_at(z, l, m, s)
    sd3 = value_at(3.0, l, m, s)
    return sd3 + (z - 3.0) * (sd3 - value_at(2.0, l, m, s))


def _weight_below(sex: Sex, age_days: int, z: float) -> float:
    l, m, s = table(Indicator.WFA, sex).rows[age_days]  # noqa: E741
    sd3 = value_at(-3.0, l, m, s)
    return sd3 + (z + 3.0) * (value_at(-2.0, l, m, s) - sd3)


def test_day_730_lying_is_scored_on_the_weight_for_length_table() -> None:
    expected = z_restricted(10.0, *_lms_at_cm(Indicator.WFL, Sex.MALE, 80.0))

    a = assess(sex=Sex.MALE, age_days=730, weight_kg=10.0, length_cm=80.0, position="lying")

    assert a.adjusted_length_cm == 80.0
    assert a.whz == expected


def test_day_731_lying_loses_0_7_cm_and_is_scored_on_the_weight_for_height_table() -> None:
    expected = z_restricted(10.0, *_lms_at_cm(Indicator.WFH, Sex.MALE, 79.3))

    a = assess(sex=Sex.MALE, age_days=731, weight_kg=10.0, length_cm=80.0, position="lying")

    assert a.adjusted_length_cm == 79.3
    assert a.whz == expected


def test_day_730_standing_gains_0_7_cm_and_day_731_standing_keeps_its_height() -> None:
    before = assess(sex=Sex.FEMALE, age_days=730, length_cm=80.0, position=Position.STANDING)

    after = assess(sex=Sex.FEMALE, age_days=731, length_cm=80.0, position=Position.STANDING)

    assert (before.adjusted_length_cm, after.adjusted_length_cm) == (80.7, 80.0)


def test_standing_at_8_months_is_an_unknown_position_and_still_scored() -> None:
    eight_months = 8 * 30  # 240 days

    a = assess(
        sex=Sex.MALE,
        age_days=eight_months,
        weight_kg=8.0,
        length_cm=70.0,
        position=Position.STANDING,
    )

    assert a.adjusted_length_cm == 70.0
    assert None not in (a.haz, a.waz, a.whz, a.baz)


def test_standing_counts_from_9_months_that_is_day_274() -> None:
    day_273 = assess(sex=Sex.MALE, age_days=273, length_cm=70.0, position=Position.STANDING)

    day_274 = assess(sex=Sex.MALE, age_days=274, length_cm=70.0, position=Position.STANDING)

    assert (day_273.adjusted_length_cm, day_274.adjusted_length_cm) == (70.0, 70.7)


def test_missing_position_gets_no_adjustment_on_either_side_of_731_days() -> None:
    young = assess(sex=Sex.FEMALE, age_days=500, weight_kg=9.0, length_cm=75.0, position=None)

    old = assess(sex=Sex.FEMALE, age_days=900, weight_kg=12.0, length_cm=88.0)

    assert (young.adjusted_length_cm, old.adjusted_length_cm) == (75.0, 88.0)
    assert None not in (young.haz, young.whz, old.haz, old.whz)


def _at_1_year(length: float) -> Assessment:
    return assess(sex=Sex.MALE, age_days=365, weight_kg=9.0, length_cm=length, position="lying")


def test_44_9_cm_at_1_year_has_no_whz_but_keeps_haz_and_baz() -> None:
    a = _at_1_year(44.9)

    assert a.whz is None
    assert a.haz is not None
    assert a.baz is not None


def test_110_1_cm_at_1_year_has_no_whz_but_keeps_haz_and_baz() -> None:
    a = _at_1_year(110.1)

    assert a.whz is None
    assert a.haz is not None
    assert a.baz is not None


def test_45_and_110_cm_at_1_year_are_scored_on_the_first_and_last_rows() -> None:
    first, last = (
        _lms_at_cm(Indicator.WFL, Sex.MALE, 45.0),
        _lms_at_cm(Indicator.WFL, Sex.MALE, 110.0),
    )

    scores = [_at_1_year(45.0).whz, _at_1_year(110.0).whz]

    assert scores == [z_restricted(9.0, *first), z_restricted(9.0, *last)]


@pytest.mark.parametrize(
    ("length", "scored"), [(64.9, False), (65.0, True), (120.0, True), (120.1, False)]
)
def test_weight_for_height_from_731_days_is_scored_from_65_to_120_cm_only(
    length: float, scored: bool
) -> None:
    a = assess(sex=Sex.FEMALE, age_days=1000, weight_kg=14.0, length_cm=length, position="standing")

    assert (a.whz is not None) == scored


def test_weight_for_length_between_rows_interpolates_l_m_and_s_linearly() -> None:
    low = _lms_at_cm(Indicator.WFL, Sex.FEMALE, 80.0)
    high = _lms_at_cm(Indicator.WFL, Sex.FEMALE, 80.1)
    l, m, s = (a + 0.25 * (b - a) for a, b in zip(low, high, strict=True))  # noqa: E741

    a = assess(sex=Sex.FEMALE, age_days=400, weight_kg=10.0, length_cm=80.025, position="lying")

    assert a.whz == pytest.approx(z_restricted(10.0, l, m, s), abs=1e-12)


def test_oedema_leaves_no_weight_based_z_and_counts_as_severely_wasted() -> None:
    a = assess(
        sex=Sex.FEMALE,
        age_days=814,
        weight_kg=13.1,
        length_cm=86.3,
        position=Position.LYING,
        oedema=True,
    )

    assert (a.waz, a.whz, a.baz) == (None, None, None)
    assert a.haz is not None
    assert (a.wasted, a.severely_wasted, a.underweight) == (True, True, None)
    assert a.categories["whz"] is SEVERELY_WASTED
    assert set(a.categories) == {"haz", "whz"}


def test_waz_of_plus_5_5_is_scored_by_the_restricted_method_and_flagged() -> None:
    weight = _weight_at_waz(Sex.MALE, 400, 5.5)

    a = assess(sex=Sex.MALE, age_days=400, weight_kg=weight)

    assert a.waz == pytest.approx(5.5, abs=1e-9)
    assert a.flags == {"waz"}
    assert a.underweight is None
    assert a.categories["waz"] is RISK_OF_OVERWEIGHT_FOR_AGE


@pytest.mark.parametrize(
    ("z", "flagged"), [(5.004, False), (5.006, True), (-5.994, False), (-6.006, True)]
)
def test_waz_flags_apply_to_the_z_rounded_to_2_decimals(z: float, flagged: bool) -> None:
    weight = _weight_at_waz(Sex.FEMALE, 600, z) if z > 0 else _weight_below(Sex.FEMALE, 600, z)

    a = assess(sex=Sex.FEMALE, age_days=600, weight_kg=weight)

    assert ("waz" in a.flags) == flagged


def test_haz_beyond_6_is_flagged_but_kept_and_categorised() -> None:
    l, m, s = table(Indicator.LHFA, Sex.MALE).rows[700]  # noqa: E741
    tall = value_at(6.2, l, m, s)

    a = assess(sex=Sex.MALE, age_days=700, length_cm=tall, position="lying")

    assert a.haz == pytest.approx(6.2)
    assert a.flags == {"haz"}
    assert (a.stunted, a.categories["haz"].code) == (None, "tall")


def test_haz_uses_the_plain_lms_method_even_beyond_3() -> None:
    l, m, s = table(Indicator.LHFA, Sex.FEMALE).rows[100]  # noqa: E741

    a = assess(sex=Sex.FEMALE, age_days=100, length_cm=70.0, position="lying")

    assert a.haz == z_lms(70.0, l, m, s)
    assert a.haz is not None
    assert a.haz > 3


def test_day_1826_is_scored_and_day_1827_is_not() -> None:
    last, past = (
        assess(
            sex=Sex.MALE,
            age_days=day,
            weight_kg=18.0,
            length_cm=110.0,
            position="standing",
            muac_cm=16.5,
        )
        for day in (1826, 1827)
    )

    assert None not in (last.haz, last.waz, last.whz, last.baz, last.acz)
    assert (past.haz, past.waz, past.whz, past.baz, past.acz) == (None,) * 5
    assert (past.categories, past.stunted, past.within_standards) == ({}, None, False)


def test_oedema_past_60_months_is_not_classified() -> None:
    a = assess(sex=Sex.MALE, age_days=1830, weight_kg=18.0, length_cm=110.0, oedema=True)

    assert (a.wasted, a.categories) == (None, {})


def test_missing_weight_or_length_leaves_only_the_indicators_that_need_them_empty() -> None:
    no_weight = assess(sex=Sex.MALE, age_days=500, length_cm=78.0, position="lying")

    no_length = assess(sex=Sex.MALE, age_days=500, weight_kg=10.0)

    assert (no_weight.waz, no_weight.whz, no_weight.baz, no_weight.bmi) == (None,) * 4
    assert no_weight.haz is not None
    assert (no_length.haz, no_length.whz, no_length.baz, no_length.adjusted_length_cm) == (
        None,
    ) * 4
    assert no_length.waz is not None


def test_arm_circumference_for_age_starts_at_91_days() -> None:
    day_90 = assess(sex=Sex.FEMALE, age_days=90, muac_cm=12.0)

    day_91 = assess(sex=Sex.FEMALE, age_days=91, muac_cm=12.0)

    assert day_90.acz is None
    assert day_91.acz is not None
    assert -3 < day_91.acz < 3


def test_birth_and_measurement_dates_give_the_age_in_days() -> None:
    by_dates = assess(
        sex="F",
        birth_date=date(2022, 2, 10),
        measured_on=date(2023, 12, 25),
        weight_kg=10.4,
        length_cm=84.8,
        position="lying",
        today=date(2024, 1, 1),
    )

    by_age = assess(sex="F", age_days=683, weight_kg=10.4, length_cm=84.8, position="lying")

    assert by_dates == by_age


def test_the_issue_example_scores_a_boy_of_683_days() -> None:
    a = assess(**ISSUE_EXAMPLE)

    assert all(isinstance(z, float) for z in (a.haz, a.waz, a.whz, a.baz))
    assert (a.adjusted_length_cm, a.age_months, a.flags) == (84.8, 22, frozenset())
    assert (a.stunted, a.severely_stunted, a.wasted, a.underweight) == (False,) * 4
    assert set(a.categories) == {"haz", "waz", "whz", "baz"}


def test_sex_and_position_are_built_from_their_codes() -> None:
    codes = (Sex("M"), Sex("F"), Position("lying"), Position("standing"))

    assert codes == (Sex.MALE, Sex.FEMALE, Position.LYING, Position.STANDING)


def test_a_bmi_for_age_above_3_is_obese() -> None:
    a = assess(sex=Sex.FEMALE, age_days=1200, weight_kg=30.0, length_cm=95.0, position="standing")

    assert a.baz is not None
    assert a.baz > 3
    assert a.categories["baz"] is OBESE


@pytest.mark.parametrize(
    ("indicator", "below", "above"),
    [
        ("haz", -6.0, 6.0),
        ("waz", -6.0, 5.0),
        ("whz", -5.0, 5.0),
        ("baz", -5.0, 5.0),
        ("acz", -5.0, 5.0),
    ],
)
def test_flag_thresholds_are_exactly_where_the_z_rounded_to_2_decimals_crosses_the_limit(
    indicator: str, below: float, above: float
) -> None:
    low, high = FLAG_LIMITS[indicator]

    inside_low, inside_high = math.nextafter(low, math.inf), math.nextafter(high, -math.inf)

    assert round(low, 2) < below <= round(inside_low, 2)
    assert round(high, 2) > above >= round(inside_high, 2)
