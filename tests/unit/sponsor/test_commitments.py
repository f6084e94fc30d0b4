"""Commitments and deliveries without storage: the refusals, and fulfilment computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.fact import DomainError, NotFound, StateConflict
from domain.sponsor import commands as c
from domain.sponsor import events as e
from domain.sponsor.decider import CommitmentDecider, CommitmentState, Pause, SponsorDecider
from domain.sponsor.fulfilment import active_on, fulfilment, runs_between
from tests.support.deciders import decided

decider = CommitmentDecider()


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T03:00:00+00:00").astimezone(UTC)


def commit(**changes: Any) -> c.MakeCommitment:
    fields: dict[str, Any] = {
        "at": at("2025-01-01"),
        "sponsor": "s-1",
        "desa": "32.79.02.1001",
        "beneficiary": e.Beneficiary(kind=e.BeneficiaryKind.CHILD, id="c-1"),
        "aid": e.Aid.NUTRITION,
        "description": "Telur dan susu",
        "amount_rupiah": 70_000,
        "frequency": e.Frequency.WEEKLY,
        "start": date(2025, 1, 1),
    }
    return c.MakeCommitment(**(fields | changes))


def run(*commands: c.SponsorCommand) -> CommitmentState:
    return decided(decider, *commands)


def deliver(day: str, delivery: str, amount: int = 70_000) -> c.RecordDelivery:
    return c.RecordDelivery(
        at=at(day),
        delivery=delivery,
        on=date.fromisoformat(day),
        amount_rupiah=amount,
        delivered_by=e.DeliveredBy.TPK,
    )


def verify(day: str, delivery: str, verified: bool = True) -> c.VerifyDelivery:
    return c.VerifyDelivery(
        at=at(day),
        delivery=delivery,
        verified=verified,
        reason=None if verified else "Foto tidak jelas",
    )


def status(day: str, action: e.StatusAction, reason: str | None = "alasan") -> c.ChangeStatus:
    return c.ChangeStatus(at=at(day), action=action, on=date.fromisoformat(day), reason=reason)


def test_weekly_fulfilment_counts_started_weeks_and_only_verified_deliveries() -> None:
    state = run(
        commit(),
        deliver("2025-01-03", "d1"),
        verify("2025-01-04", "d1"),
        deliver("2025-01-10", "d2"),
        verify("2025-01-11", "d2", verified=False),
        deliver("2025-01-17", "d3"),
    )

    account = fulfilment(state, date(2025, 1, 20))

    # 1-20 January: 20 active days, 3 started weeks, 210,000 due; d1 counts, d2 rejected,
    # d3 waits for verification.
    assert (account.active_days, account.due_periods, account.due_rupiah) == (20, 3, 210_000)
    assert (account.delivered_rupiah, account.delivered, account.pending) == (70_000, 1, 1)
    assert account.fulfilment == 0.3333
    assert account.overdue  # nothing verified since 3 January: more than a week
    assert not fulfilment(state, date(2025, 1, 10)).overdue


def test_a_pause_stops_the_clock_and_a_resume_restarts_the_overdue_count() -> None:
    state = run(
        commit(),
        status("2025-01-08", e.StatusAction.PAUSE),
        status("2025-01-15", e.StatusAction.RESUME, None),
    )

    account = fulfilment(state, date(2025, 1, 20))

    # 20 days less 7 paused (8-14 January) = 13 active days: 2 started weeks.
    assert (account.active_days, account.due_periods, account.due_rupiah) == (13, 2, 140_000)
    assert not account.overdue  # resumed on the 15th: 5 days ago
    assert fulfilment(state, date(2025, 1, 23)).overdue
    assert not active_on(state, date(2025, 1, 10))
    assert active_on(state, date(2025, 1, 15))
    paused = run(commit(), status("2025-01-08", e.StatusAction.PAUSE))
    assert fulfilment(paused, date(2025, 1, 20)).active_days == 7
    assert not fulfilment(paused, date(2025, 3, 1)).overdue


def test_monthly_and_one_off_commitments_and_an_end_date() -> None:
    monthly = run(
        commit(frequency=e.Frequency.MONTHLY, amount_rupiah=450_000, end=date(2025, 3, 31))
    )
    once = run(
        commit(
            frequency=e.Frequency.ONCE,
            amount_rupiah=2_500_000,
            aid=e.Aid.NON_NUTRITION,
            description="Jamban sehat",
            start=date(2025, 2, 1),
        )
    )

    # 1 Jan - 31 Mar: 90 days, 3 started periods of 30; later days are past the end.
    assert fulfilment(monthly, date(2025, 3, 1)).due_periods == 2  # 60 days
    assert fulfilment(monthly, date(2025, 6, 1)).due_rupiah == 1_350_000
    assert fulfilment(once, date(2025, 1, 31)).due_rupiah == 0
    assert fulfilment(once, date(2025, 2, 1)).due_rupiah == 2_500_000
    assert fulfilment(once, date(2025, 2, 1)).fulfilment == 0.0


@pytest.mark.parametrize(
    "action", [e.StatusAction.CANCEL, e.StatusAction.END, e.StatusAction.PAUSE]
)
def test_no_delivery_on_a_cancelled_ended_or_paused_commitment(action: e.StatusAction) -> None:
    state = run(commit(), status("2025-02-01", action))
    with pytest.raises(StateConflict):
        decider.decide(deliver("2025-02-02", "d9"), state)


@pytest.mark.parametrize("on", [date(2024, 12, 31), date(2025, 2, 3)])
def test_a_delivery_before_the_start_or_in_the_future_is_refused(on: date) -> None:
    command = deliver("2025-02-02", "d9").model_copy(update={"on": on})
    with pytest.raises(DomainError) as refused:
        decider.decide(command, run(commit()))
    assert refused.value.field == "date"


def test_verifying_twice_an_unknown_delivery_and_a_rejection_without_reason_are_refused() -> None:
    state = run(commit(), deliver("2025-01-03", "d1"), verify("2025-01-04", "d1"))
    with pytest.raises(StateConflict):
        decider.decide(verify("2025-01-05", "d1"), state)
    with pytest.raises(NotFound):
        decider.decide(verify("2025-01-05", "nope"), state)
    other = run(commit(), deliver("2025-01-03", "d1"))
    with pytest.raises(DomainError) as refused:
        decider.decide(c.VerifyDelivery(at=at("2025-01-04"), delivery="d1", verified=False), other)
    assert refused.value.field == "reason"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount_rupiah": -1}, "amount_rupiah"),
        ({"end": date(2024, 12, 1)}, "end"),
        ({"amount_rupiah": 0}, "amount_rupiah"),
        ({"description": " "}, "description"),
    ],
)
def test_a_commitment_needs_whole_rupiah_or_items_and_an_end_after_its_start(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        run(commit(**changes))
    assert refused.value.field == field


def test_an_organisation_sponsor_is_named_and_an_individual_may_not_be() -> None:
    sponsors = SponsorDecider()
    with pytest.raises(DomainError):
        sponsors.decide(
            c.RegisterSponsor(at=at("2025-01-01"), kind=e.SponsorKind.BAZNAS),
            sponsors.initial_state(),
        )
    facts = sponsors.decide(
        c.RegisterSponsor(
            at=at("2025-01-01"), kind=e.SponsorKind.ASN, areas=("32.79.02", "3279021001")
        ),
        sponsors.initial_state(),
    )
    assert facts[0].wilayah == "32.79.02"


@given(
    st.integers(0, 60),
    st.one_of(st.none(), st.integers(0, 90)),
    st.lists(st.tuples(st.integers(0, 30), st.one_of(st.none(), st.integers(1, 20))), max_size=3),
    st.integers(0, 120),
    st.integers(0, 40),
)
def test_runs_between_agrees_with_asking_day_by_day(
    start: int, length: int | None, pauses: list[tuple[int, int | None]], first: int, days: int
) -> None:
    begin = date(2025, 1, 1) + timedelta(days=start)
    kept, day = [], begin
    for gap, paused in pauses:
        since = day + timedelta(days=gap)
        until = None if paused is None else since + timedelta(days=paused)
        kept.append(Pause(start=since, until=until))
        if until is None:
            break
        day = until
    state = CommitmentState(
        exists=True,
        start=begin,
        pauses=tuple(kept),
        end=None if length is None else begin + timedelta(days=length),
    )
    low = date(2025, 1, 1) + timedelta(days=first)
    high = low + timedelta(days=days)

    by_day = any(active_on(state, low + timedelta(days=n)) for n in range(days + 1))

    assert runs_between(state, low, high) == by_day
