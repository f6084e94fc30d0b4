"""A child's share of each period's sums, on hand-computed cases."""

from __future__ import annotations

from datetime import date

from domain.figures import ChildProfile, Scored, Span, child_months
from domain.figures.shares import periods_of, shares

BORN = date(2024, 1, 15)
HOME, AWAY = "32.79.02.1001", "32.79.02.2003"


def haz(day: date, z: float) -> Scored:
    return Scored(f"m-{day.isoformat()}", day, 0, z, None, None, frozenset())


def profile(*spans: Span) -> ChildProfile:
    return ChildProfile("c1", "F", BORN, spans or (Span(HOME, date(2024, 2, 1)),))


def test_periods_of_a_month_are_it_its_quarter_and_its_year() -> None:
    assert periods_of("2025-05") == ("2025-05", "2025-Q2", "2025")
    assert periods_of("2025-12") == ("2025-12", "2025-Q4", "2025")


def test_a_child_living_in_one_desa_counts_there_in_each_month_quarter_and_year() -> None:
    child = profile()
    found = shares(
        child, child_months(child, [haz(date(2025, 4, 10), -1.5), haz(date(2025, 5, 10), -2.4)])
    )

    may, quarter, april = found["2025-05"], found["2025-Q2"], found["2025-04"]
    assert may.desa == (HOME,)
    assert may.counts is not None
    assert (may.counts.present, may.counts.measured, may.counts.stunted) == (1, 1, 1)
    assert (may.counts.incident, may.band) == (1, "12-23")
    assert april.counts is not None
    assert april.counts.stunted == 0
    # The quarter counts the child once, with its latest valid HAZ (May's) and the case.
    assert quarter.counts is not None
    assert (quarter.counts.present, quarter.counts.stunted, quarter.counts.new_stunting) == (
        1,
        1,
        1,
    )
    # June: present at the month's end, not measured.
    june = found["2025-06"].counts
    assert june is not None
    assert (june.present, june.measured) == (1, 0)


def test_the_child_is_present_from_its_registration_until_it_turns_60_months() -> None:
    found = shares(profile(), [])

    months = sorted(p for p in found if len(p) == 7 and "Q" not in p)
    assert months[0] == "2024-02"
    # Born 15 January 2024: 60 months (1826.25 days) are reached on 15 January 2029, so
    # December 2028 is the last month-end it is present at.
    assert months[-1] == "2028-12"
    assert len(months) == 59
    assert found["2028-12"].band == "24-59"


def test_a_child_that_moved_within_a_period_is_left_to_be_counted_when_read() -> None:
    child = profile(Span(HOME, date(2024, 2, 1), date(2025, 5, 20)), Span(AWAY, date(2025, 5, 20)))
    found = shares(child, [])

    assert found["2025-04"].desa == (HOME,)
    assert found["2025-05"].desa == (AWAY,)  # where it lives at the month's end
    assert found["2025-Q2"].desa == (HOME, AWAY)
    assert found["2025-Q2"].counts is None
    assert not found["2025-Q2"].summed
    assert found["2025-Q3"].summed


def test_a_measurement_away_from_home_makes_the_month_a_movers_share() -> None:
    child = profile(Span(HOME, date(2024, 2, 1), date(2025, 5, 20)), Span(AWAY, date(2025, 5, 20)))
    found = shares(child, child_months(child, [haz(date(2025, 5, 10), -1.0)]))

    assert found["2025-05"].desa == (HOME, AWAY)


def test_a_move_dated_before_the_registration_counts_from_its_date() -> None:
    child = profile(Span(HOME, date(2025, 2, 1), date(2025, 1, 31)), Span(AWAY, date(2025, 1, 31)))
    found = shares(child, [])

    assert found["2025-01"].desa == (AWAY,)


def test_only_the_periods_asked_are_computed() -> None:
    assert set(shares(profile(), [], {"2025-05", "2025-Q2"})) == {"2025-05", "2025-Q2"}
