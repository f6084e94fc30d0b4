"""Implausible changes between a child's consecutive measurements, on hand-worked pairs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.growth import Position
from domain.quality import ChangeKind, change_share, implausible_changes
from tests.unit.quality.support import measured

LYING, STANDING = Position.LYING, Position.STANDING
FIRST = date(2025, 3, 10)


def later(days: int) -> date:
    return FIRST + timedelta(days=days)


def test_a_length_shorter_by_more_than_seven_millimetres_is_implausible() -> None:
    child = [
        measured("a", on=FIRST, cm=75.0, position=LYING),
        measured("b", on=later(30), cm=74.2, position=LYING),
    ]

    found = implausible_changes(child)

    [finding] = found.findings
    assert (finding.measurement_id, finding.previous_id, finding.kind) == (
        "b",
        "a",
        ChangeKind.LENGTH_SHRANK,
    )
    assert (finding.amount, finding.days) == (0.8, 30)


def test_a_length_shorter_by_seven_millimetres_is_within_measurement_error() -> None:
    child = [
        measured("a", on=FIRST, cm=75.0, position=LYING),
        measured("b", on=later(30), cm=74.3, position=LYING),
    ]

    assert implausible_changes(child).findings == ()


@pytest.mark.parametrize(
    ("standing_cm", "implausible"), [(85.4, False), (84.6, False), (84.5, True)]
)
def test_a_standing_height_is_compared_as_lying_length_plus_seven_millimetres(
    standing_cm: float, implausible: bool
) -> None:
    child = [
        measured("a", on=FIRST, cm=86.0, position=LYING),
        measured("b", on=later(30), cm=standing_cm, position=STANDING),
    ]

    assert bool(implausible_changes(child).findings) is implausible


def test_lengths_are_compared_with_the_previous_measurement_that_has_one() -> None:
    child = [
        measured("a", on=FIRST, cm=75.0, position=LYING),
        measured("b", on=later(10)),  # weighed only
        measured("c", on=later(40), cm=73.9, position=LYING),
    ]

    found = implausible_changes(child)

    assert [(f.measurement_id, f.previous_id) for f in found.findings] == [("c", "a")]
    assert found.checked == frozenset({"c"})


@pytest.mark.parametrize(
    ("days", "second_haz", "implausible"),
    [(20, -2.6, True), (20, -2.4, False), (20, 0.6, True), (61, -3.9, False), (61, -4.2, True)],
)
def test_haz_may_move_by_one_and_a_half_per_month_and_a_short_interval_counts_as_a_month(
    days: int, second_haz: float, implausible: bool
) -> None:
    child = [measured("a", on=FIRST, haz=-1.0), measured("b", on=later(days), haz=second_haz)]

    found = implausible_changes(child)

    assert bool(found.findings) is implausible
    if implausible:
        assert found.findings[0].kind is ChangeKind.HAZ_JUMPED
        assert found.findings[0].amount == pytest.approx(second_haz + 1.0)


def test_a_flagged_haz_is_skipped_and_the_previous_valid_one_is_compared() -> None:
    child = [
        measured("a", on=FIRST, haz=-1.0),
        measured("b", on=later(30), haz=-7.0, flags=frozenset({"haz"})),
        measured("c", on=later(60), haz=-1.2),
    ]

    found = implausible_changes(child)

    assert (found.findings, found.checked) == ((), frozenset({"c"}))


def test_a_measurement_can_shrink_and_jump_at_once() -> None:
    child = [
        measured("a", on=FIRST, cm=80.0, position=LYING, haz=-1.0),
        measured("b", on=later(30), cm=78.0, position=LYING, haz=-3.0),
    ]

    found = implausible_changes(child)

    assert [f.kind for f in found.findings] == [ChangeKind.HAZ_JUMPED, ChangeKind.LENGTH_SHRANK]
    assert found.flagged == frozenset({"b"})


def test_the_share_is_of_the_groups_measurements_that_had_a_previous_one() -> None:
    one = implausible_changes(
        [
            measured("a1", on=FIRST, cm=75.0, position=LYING),
            measured("a2", on=later(30), cm=74.0, position=LYING),
            measured("a3", on=later(60), cm=75.5, position=LYING),
        ]
    )
    two = implausible_changes(
        [
            measured("b1", child="c2", on=FIRST, haz=-1.0),
            measured("b2", child="c2", on=later(30), haz=-1.1),
        ]
    )

    # a2 shrank; a3 and b2 are fine; a1 and b1 had nothing to compare with.
    assert change_share({"a1", "a2", "a3", "b1", "b2"}, [one, two]) == pytest.approx(1 / 3)
    assert change_share({"a3", "b2"}, [one, two]) == 0.0
    assert change_share({"a1", "b1"}, [one, two]) is None


def test_changes_are_found_one_child_at_a_time() -> None:
    with pytest.raises(ValueError, match="one child"):
        implausible_changes([measured("a", child="c1"), measured("b", child="c2")])
