"""Each rule of the area figures on hand-computed cases: one child, a few measurements."""

from __future__ import annotations

from datetime import date

import pytest

from domain.child.events import Measurement
from domain.fact import DomainError
from domain.figures import (
    ChildMonth,
    ChildProfile,
    Scored,
    Span,
    age_band,
    child_months,
    figures_of,
)
from domain.figures.child import FIRST_MEASURED, INCIDENT
from domain.figures.periods import months_between, parse_period
from domain.figures.timeline import Timeline
from domain.growth import Position

BORN = date(2024, 1, 15)
HOME, AWAY = "32.79.02.1001", "32.79.02.2003"


def child(*spans: Span, child_id: str = "c1") -> ChildProfile:
    return ChildProfile(child_id, "F", BORN, spans or (Span(HOME, date(2024, 2, 1)),))


def haz(
    day: date, z: float | None, order: int = 0, *, flags: frozenset[str] = frozenset()
) -> Scored:
    return Scored(f"m-{day.isoformat()}-{order}", day, order, z, None, None, flags)


def whz(day: date, z: float | None, order: int = 0, *, oedema: bool = False) -> Scored:
    return Scored(f"w-{day.isoformat()}-{order}", day, order, None, z, None, frozenset(), oedema)


def wasting(month: ChildMonth) -> tuple[bool, bool, bool, bool]:
    return (month.whz_valid, month.wasted, month.severely_wasted, month.overweight)


def test_a_first_valid_haz_below_minus_two_is_first_measured_stunted() -> None:
    [month] = child_months(child(), [haz(date(2025, 5, 10), -2.4)])

    assert (month.month, month.stunted, month.new_case) == ("2025-05", True, FIRST_MEASURED)


def test_falling_below_minus_two_after_a_normal_haz_is_incident() -> None:
    months = child_months(child(), [haz(date(2025, 4, 10), -1.2), haz(date(2025, 5, 10), -2.3)])

    assert [m.new_case for m in months] == [None, INCIDENT]


def test_staying_stunted_is_no_new_case() -> None:
    months = child_months(child(), [haz(date(2025, 4, 10), -2.6), haz(date(2025, 5, 10), -2.3)])

    assert [m.new_case for m in months] == [FIRST_MEASURED, None]
    assert [m.stunted for m in months] == [True, True]


def test_recovery_then_relapse_is_a_new_incident() -> None:
    days = [date(2025, 3, 10), date(2025, 4, 10), date(2025, 5, 10)]
    months = child_months(
        child(), [haz(d, z) for d, z in zip(days, [-2.2, -1.8, -2.1], strict=True)]
    )

    assert [m.new_case for m in months] == [FIRST_MEASURED, None, INCIDENT]


def test_a_flagged_haz_is_not_valid_and_is_skipped_by_the_previous_haz_rule() -> None:
    implausible = haz(date(2025, 4, 10), -7.0, flags=frozenset({"haz"}))
    months = child_months(
        child(), [haz(date(2025, 3, 10), -1.0), implausible, haz(date(2025, 5, 10), -2.5)]
    )

    assert [(m.haz_valid, m.flagged, m.new_case) for m in months] == [
        (True, 0, None),
        (False, 1, None),
        (True, 0, INCIDENT),
    ]


def test_a_removed_measurement_removes_the_case_it_made() -> None:
    before = haz(date(2025, 4, 10), -1.0)
    stunted = haz(date(2025, 5, 10), -2.5)

    with_it = child_months(child(), [before, stunted])
    voided = child_months(child(), [before])
    corrected = child_months(child(), [before, haz(date(2025, 5, 10), -1.5)])

    assert with_it[-1].new_case == INCIDENT
    assert [m.month for m in voided] == ["2025-04"]
    assert corrected[-1].new_case is None


def test_the_latest_measurement_of_the_month_gives_its_status() -> None:
    [month] = child_months(child(), [haz(date(2025, 5, 3), -2.5), haz(date(2025, 5, 20), -1.5, 1)])

    assert (month.stunted, month.new_case, month.event_id) == (
        False,
        FIRST_MEASURED,
        "m-2025-05-20-1",
    )


def test_a_move_mid_month_counts_the_month_where_the_child_lives_at_its_end() -> None:
    moved = child(Span(HOME, date(2024, 2, 1), date(2025, 5, 15)), Span(AWAY, date(2025, 5, 15)))

    [before, after] = child_months(
        moved, [haz(date(2025, 4, 10), -1.0), haz(date(2025, 5, 10), -1.0)]
    )

    assert (before.desa, before.end_desa) == (HOME, HOME)
    assert (after.desa, after.end_desa) == (HOME, AWAY)
    figures = figures_of([("c1", "2025-05", "F", after.band)], [after])
    assert (figures.total.present, figures.total.measured) == (1, 1)


def test_age_bands_follow_completed_months_at_the_months_end() -> None:
    assert [
        age_band(BORN, d)
        for d in (
            date(2024, 7, 14),
            date(2024, 7, 31),
            date(2025, 1, 31),
            date(2026, 1, 31),
            date(2029, 3, 1),
        )
    ] == [
        "0-5",
        "6-11",
        "12-23",
        "24-59",
        "24-59",
    ]


def test_a_quarter_counts_each_child_once_with_its_latest_valid_status() -> None:
    rows = child_months(child(), [haz(date(2025, 1, 10), -2.5), haz(date(2025, 3, 10), -1.0)])

    figures = figures_of([], rows)

    assert (figures.total.measured, figures.total.stunted, figures.total.new_stunting) == (1, 0, 1)
    assert figures.total.flagged == 0


def test_zero_new_stunting_needs_someone_measured() -> None:
    nobody = figures_of([("c1", "2025-05", "F", "12-23")], [])
    healthy = figures_of([], child_months(child(), [haz(date(2025, 5, 10), -1.0)]))

    assert (nobody.total.zero_new_stunting, healthy.total.zero_new_stunting) == (None, True)
    assert nobody.total.coverage == 0.0
    assert healthy.total.prevalence_stunting == 0.0


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("2025-05", ("2025-05",)),
        ("2025-Q2", ("2025-04", "2025-05", "2025-06")),
        ("2025", tuple(f"2025-{m:02d}" for m in range(1, 13))),
    ],
)
def test_periods_are_months_quarters_and_years(text: str, months: tuple[str, ...]) -> None:
    assert parse_period(text).months == months


@pytest.mark.parametrize("text", ["2025-13", "2025-Q5", "25", "2025-5", "May 2025", ""])
def test_a_malformed_period_is_refused_naming_period(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse_period(text)
    assert refused.value.field == "period"


def test_a_series_runs_from_one_month_to_another_across_years() -> None:
    assert months_between("2024-11", "2025-02") == ("2024-11", "2024-12", "2025-01", "2025-02")


def test_a_first_stunted_haz_and_an_incident_in_one_month_both_count() -> None:
    days = [date(2025, 2, 1), date(2025, 2, 3), date(2025, 2, 10)]
    values = zip(days, [-2.8, -0.7, -3.6], strict=True)
    [month] = child_months(child(), [haz(d, z, i) for i, (d, z) in enumerate(values)])

    assert (month.first_measured_stunted, month.incident) == (True, True)
    counts = figures_of([], [month]).total
    assert (counts.new_stunting, counts.first_measured_stunted, counts.incident) == (1, 1, 1)


def test_a_move_dated_before_the_registration_leaves_an_empty_first_span() -> None:
    registered, moved_on = date(2025, 5, 20), date(2025, 5, 2)
    profile = child(Span(HOME, registered, moved_on), Span(AWAY, moved_on))

    [month] = child_months(profile, [haz(date(2025, 5, 10), -1.0)])

    assert (month.desa, month.end_desa) == (AWAY, AWAY)


def test_oedema_counts_as_wasted_and_severely_wasted_in_the_wasting_denominator() -> None:
    [may, june] = child_months(
        child(), [whz(date(2025, 5, 10), None, oedema=True), whz(date(2025, 6, 10), -0.5)]
    )

    assert wasting(may) == (True, True, True, False)
    assert wasting(june) == (True, False, False, False)
    in_may = figures_of([], [may]).total
    assert (in_may.measured_valid_whz, in_may.wasted, in_may.severely_wasted) == (1, 1, 1)
    in_june = figures_of([], [june]).total
    assert (in_june.measured_valid_whz, in_june.wasted, in_june.severely_wasted) == (1, 0, 0)


def test_a_quarter_takes_the_latest_wasting_status_oedema_or_whz() -> None:
    recovered = child_months(
        child(), [whz(date(2025, 4, 10), None, oedema=True), whz(date(2025, 5, 10), -0.5)]
    )
    fell_ill = child_months(
        child(), [whz(date(2025, 4, 10), 2.5), whz(date(2025, 5, 10), None, oedema=True)]
    )

    first = figures_of([], recovered).total
    second = figures_of([], fell_ill).total

    assert (first.measured_valid_whz, first.wasted, first.severely_wasted) == (1, 0, 0)
    assert (second.wasted, second.severely_wasted, second.overweight) == (1, 1, 0)


def test_within_a_month_the_latest_of_oedema_and_a_valid_whz_decides() -> None:
    [oedema_last] = child_months(
        child(), [whz(date(2025, 5, 3), -1.0), whz(date(2025, 5, 20), None, 1, oedema=True)]
    )
    [whz_last] = child_months(
        child(), [whz(date(2025, 5, 3), None, oedema=True), whz(date(2025, 5, 20), -2.5, 1)]
    )

    assert wasting(oedema_last) == (True, True, True, False)
    assert wasting(whz_last) == (True, True, False, False)


def test_a_timeline_scores_oedema_under_60_months_only() -> None:
    young, old = date(2025, 5, 10), date(2029, 2, 1)  # 15 months; 60 months and over
    values = {
        d: Measurement(
            measured_on=d, weight_kg=9.0, length_cm=78.0, position=Position.LYING, oedema=True
        )
        for d in (young, old)
    }
    timeline = Timeline(
        "c1",
        "F",
        BORN,
        (Span(HOME, date(2024, 2, 1)),),
        {"a": (values[young], 1), "b": (values[old], 2)},
    )

    scored = {s.event_id: s for s in timeline.scored()}

    assert (scored["a"].oedema, scored["a"].whz, scored["a"].waz) == (True, None, None)
    assert scored["b"].oedema is False
    [month] = child_months(timeline.profile(), [scored["a"]])
    assert wasting(month) == (True, True, True, False)


def test_months_since_a_month_still_count_the_earlier_haz_as_previous() -> None:
    history = [
        haz(date(2025, 3, 10), -1.0),
        haz(date(2025, 4, 10), -2.5),
        haz(date(2025, 5, 10), -2.6),
    ]

    every = child_months(child(), history)
    later = child_months(child(), history, since="2025-04")

    assert [m.month for m in later] == ["2025-04", "2025-05"]
    assert later == every[1:]
    assert [m.new_case for m in later] == [INCIDENT, None]
