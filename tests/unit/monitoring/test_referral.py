"""The referral's states: each move, each refusal, and the overdue rule."""

from __future__ import annotations

from datetime import date

import pytest

from domain.fact import DomainError
from domain.monitoring import (
    Referral,
    ReferralConflict,
    ReferralStatus,
    Visit,
    VisitAction,
    close,
    days_open,
    is_overdue,
    mark_lost,
    record_visit,
    refer,
)

REFERRED_ON = date(2025, 4, 14)


def referral() -> Referral:
    return refer("Puskesmas Pataruman", "2T", REFERRED_ON, "kader-melati")


def seen(day: date, action: VisitAction = VisitAction.PMT) -> Visit:
    return Visit(day, "weight below the KBM two months running", action)


def test_a_new_referral_is_open_and_waiting_for_a_visit() -> None:
    new = referral()

    assert (new.status, new.open, new.visits) == (ReferralStatus.REFERRED, True, ())


@pytest.mark.parametrize("field", ["to", "reason", "by"])
def test_a_referral_without_where_why_or_who_is_refused(field: str) -> None:
    given = {"to": "Puskesmas Pataruman", "reason": "2T", "by": "kader-melati"}
    given[field] = "  "

    with pytest.raises(DomainError) as refused:
        refer(given["to"], given["reason"], REFERRED_ON, given["by"])

    assert refused.value.field == field


def test_a_visit_makes_the_referral_visited_and_it_stays_open() -> None:
    visited = record_visit(referral(), seen(date(2025, 4, 16)))

    assert (visited.status, visited.open, len(visited.visits)) == (
        ReferralStatus.VISITED,
        True,
        1,
    )


def test_follow_up_visits_are_kept_in_day_order() -> None:
    first = record_visit(referral(), seen(date(2025, 5, 16), VisitAction.COUNSELLING))

    both = record_visit(first, seen(date(2025, 4, 16), VisitAction.TREATMENT))

    assert [v.action for v in both.visits] == [VisitAction.TREATMENT, VisitAction.COUNSELLING]


def test_a_visit_before_the_referral_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        record_visit(referral(), seen(date(2025, 4, 13)))

    assert refused.value.field == "seen_on"


def test_a_visit_without_findings_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        record_visit(referral(), Visit(date(2025, 4, 16), "", VisitAction.PMT))

    assert refused.value.field == "findings"


def test_closing_after_a_visit_records_the_outcome() -> None:
    visited = record_visit(referral(), seen(date(2025, 4, 16)))

    closed = close(visited, "weight gaining again after PMT", date(2025, 6, 1))

    assert (closed.status, closed.open, closed.outcome) == (
        ReferralStatus.CLOSED,
        False,
        "weight gaining again after PMT",
    )


def test_closing_without_a_visit_is_a_conflict() -> None:
    with pytest.raises(ReferralConflict, match="visit"):
        close(referral(), "recovered", date(2025, 6, 1))


def test_closing_before_the_last_visit_is_refused() -> None:
    visited = record_visit(referral(), seen(date(2025, 5, 20)))

    with pytest.raises(DomainError) as refused:
        close(visited, "recovered", date(2025, 5, 19))

    assert refused.value.field == "closed_on"


def test_closing_without_an_outcome_is_refused() -> None:
    visited = record_visit(referral(), seen(date(2025, 4, 16)))

    with pytest.raises(DomainError) as refused:
        close(visited, " ", date(2025, 6, 1))

    assert refused.value.field == "outcome"


def test_an_ended_referral_takes_no_further_move() -> None:
    visited = record_visit(referral(), seen(date(2025, 4, 16)))
    closed = close(visited, "recovered", date(2025, 6, 1))
    lost = mark_lost(referral(), date(2025, 6, 1))

    for ended in (closed, lost):
        with pytest.raises(ReferralConflict):
            record_visit(ended, seen(date(2025, 6, 2)))
        with pytest.raises(ReferralConflict):
            close(ended, "again", date(2025, 6, 2))
        with pytest.raises(ReferralConflict):
            mark_lost(ended, date(2025, 6, 2))


def test_a_referral_is_lost_to_follow_up_with_or_without_visits() -> None:
    never_came = mark_lost(referral(), date(2025, 6, 1))
    stopped_coming = mark_lost(record_visit(referral(), seen(date(2025, 4, 16))), date(2025, 6, 1))

    assert never_came.status is ReferralStatus.LOST
    assert stopped_coming.status is ReferralStatus.LOST
    assert (never_came.open, never_came.ended_on) == (False, date(2025, 6, 1))


def test_a_conflict_is_a_409_state_conflict() -> None:
    with pytest.raises(ReferralConflict) as refused:
        close(referral(), "recovered", date(2025, 6, 1))

    assert (refused.value.status, refused.value.code) == (409, "referral-state")


def test_an_unvisited_referral_is_overdue_from_the_fifteenth_day() -> None:
    open_referral = referral()

    assert not is_overdue(open_referral, date(2025, 4, 28))  # 14 days
    assert is_overdue(open_referral, date(2025, 4, 29))  # 15 days


def test_a_visited_or_ended_referral_is_never_overdue() -> None:
    visited = record_visit(referral(), seen(date(2025, 5, 10)))
    lost = mark_lost(referral(), date(2025, 4, 20))
    much_later = date(2025, 9, 1)

    assert not is_overdue(visited, much_later)
    assert not is_overdue(lost, much_later)


def test_days_open_count_until_today_or_until_the_referral_ended() -> None:
    lost = mark_lost(referral(), date(2025, 4, 20))

    assert days_open(referral(), date(2025, 4, 24)) == 10
    assert days_open(referral(), date(2025, 4, 1)) == 0
    assert days_open(lost, date(2025, 9, 1)) == 6


def test_losing_a_referral_before_its_last_visit_is_refused() -> None:
    visited = record_visit(referral(), seen(date(2025, 5, 20)))

    with pytest.raises(DomainError) as refused:
        mark_lost(visited, date(2025, 5, 1))

    assert refused.value.field == "lost_on"
