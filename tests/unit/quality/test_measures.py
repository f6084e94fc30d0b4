"""Completeness, WHO-flag shares, position and timeliness on hand-counted measurements."""

from __future__ import annotations

from datetime import date

import pytest

from domain.growth import Position
from domain.quality import (
    completeness,
    flagged_shares,
    on_schedule_share,
    position_check,
    timeliness,
)
from tests.unit.quality.support import aged, measured

LYING, STANDING = Position.LYING, Position.STANDING


def test_completeness_counts_lengths_positions_of_those_and_plausible_ages() -> None:
    items = [
        measured("m1", cm=85.0, position=LYING),
        measured("m2", cm=86.0),
        measured("m3"),
        measured("m4", born=None),
    ]

    found = completeness(items)

    assert (found.measured, found.with_length_share) == (4, 0.5)
    assert (found.with_position_share, found.plausible_age_share) == (0.5, 0.75)


def test_an_age_of_sixty_months_or_before_birth_is_not_plausible() -> None:
    items = [
        measured("m1", born=aged(1826)),
        measured("m2", born=aged(1827)),
        measured("m3", born=aged(-1)),
    ]

    assert completeness(items).plausible_age_share == pytest.approx(1 / 3)


def test_nothing_measured_leaves_every_share_none() -> None:
    found = completeness([])

    assert (found.with_length_share, found.with_position_share, found.plausible_age_share) == (
        None,
        None,
        None,
    )


def test_flag_shares_are_of_the_z_scores_computed_per_indicator() -> None:
    items = [
        measured("m1", haz=-6.5, waz=-1.0, whz=0.5, flags=frozenset({"haz"})),
        measured("m2", haz=-1.0, waz=-1.2, whz=5.2, flags=frozenset({"whz"})),
        measured("m3", haz=-0.5, waz=-0.3),
        measured("m4", haz=0.2),
        measured("m5"),  # no z-score at all: not in any denominator
    ]

    found = flagged_shares(items)

    assert (found["haz"], found["waz"], found["whz"], found["baz"]) == (0.25, 0.0, 0.5, None)
    assert found["any"] == 0.5


def test_position_is_lying_under_731_days_and_standing_from_731_days() -> None:
    items = [
        measured("young-lying", born=aged(300), cm=70.0, position=LYING),
        measured("young-standing", born=aged(730), cm=85.0, position=STANDING),
        measured("old-standing", born=aged(731), cm=85.0, position=STANDING),
        measured("old-lying", born=aged(800), cm=87.0, position=LYING),
        measured("no-position", born=aged(300), cm=70.0),
        measured("no-length", born=aged(300), position=LYING),
        measured("no-age", born=None, cm=70.0, position=LYING),
    ]

    found = position_check(items)

    assert found.checked == 4
    assert (found.lying_under_24m_share, found.standing_from_24m_share) == (0.5, 0.5)
    assert found.wrong_position_share == 0.5


def test_a_kader_who_never_measures_lying_has_every_young_child_in_the_wrong_position() -> None:
    items = [measured(f"m{d}", born=aged(d), cm=70.0, position=STANDING) for d in (200, 400, 600)]

    found = position_check(items)

    assert (found.lying_under_24m_share, found.standing_from_24m_share) == (0.0, None)
    assert found.wrong_position_share == 1.0


def test_timeliness_gives_the_median_the_largest_and_the_share_later_than_a_week() -> None:
    items = [measured(f"m{d}", late_by=d) for d in (0, 2, 7, 8, 30)]

    found = timeliness(items)

    assert (found.recorded, found.median_days, found.max_days, found.late_share) == (5, 7, 30, 0.4)


def test_no_measurements_give_no_timeliness() -> None:
    found = timeliness([])

    assert (found.median_days, found.max_days, found.late_share) == (None, None, None)


def test_a_posyandu_meeting_on_the_31st_meets_on_the_last_day_of_a_shorter_month() -> None:
    held = [date(2024, 2, 29), date(2024, 4, 30), date(2024, 5, 30)]

    assert on_schedule_share(31, held) == pytest.approx(2 / 3)
    assert on_schedule_share(12, []) is None


def test_a_scheduled_day_outside_the_month_is_refused() -> None:
    with pytest.raises(ValueError, match="1 to 31"):
        on_schedule_share(0, [date(2024, 2, 1)])
