"""The one write path: load, fold, decide, append — conditional and idempotent."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from api.services import Services
from domain.fact import StateConflict
from events.envelope import JsonObject
from events.errors import ConditionFailed, EventIdConflict
from events.handling import Job, Outcome, execute, execute_batch
from events.store import Seen, SqlEventStore
from tests.support.counter import Bump, Close, Tally, TallyDecider, race_after_first_read

META: JsonObject = {"actor": "tester", "role": "kader"}


def test_a_command_is_decided_on_the_folded_history_and_appended(store: SqlEventStore) -> None:
    execute(store, TallyDecider(), "t1", Bump(by=2), META)

    outcome = execute(store, TallyDecider(), "t1", Bump(by=3), META)

    assert outcome.state == Tally(total=5)
    assert outcome.version == 2
    assert outcome.events[0].meta == META
    assert outcome.events[0].stream_type == "tally"


def test_a_refused_command_appends_nothing(store: SqlEventStore) -> None:
    execute(store, TallyDecider(), "t1", Close(), META)

    with pytest.raises(StateConflict):
        execute(store, TallyDecider(), "t1", Close(), META)

    assert len(store.read_stream("t1")) == 1


def test_a_stale_if_match_version_fails_the_precondition_with_the_current_version(
    store: SqlEventStore,
) -> None:
    execute(store, TallyDecider(), "t1", Bump(by=1), META)
    execute(store, TallyDecider(), "t1", Bump(by=1), META)

    with pytest.raises(ConditionFailed) as failed:
        execute(store, TallyDecider(), "t1", Bump(by=1), META, expected_version=1)

    assert failed.value.actual == 2
    assert len(store.read_stream("t1")) == 2


def test_a_retried_command_with_its_event_id_returns_the_first_outcome(
    store: SqlEventStore,
) -> None:
    first = execute(store, TallyDecider(), "t1", Bump(by=4), META, event_ids=["ev-1"])
    execute(store, TallyDecider(), "t1", Bump(by=1), META)

    again = execute(store, TallyDecider(), "t1", Bump(by=4), META, event_ids=["ev-1"])

    assert again.replayed
    assert again.events[0].position == first.events[0].position
    assert len(store.read_stream("t1")) == 2


def test_a_retry_is_replayed_even_when_the_state_would_now_refuse_it(
    store: SqlEventStore,
) -> None:
    execute(store, TallyDecider(), "t1", Close(), META, event_ids=["close-1"])

    again = execute(store, TallyDecider(), "t1", Close(), META, event_ids=["close-1"])

    assert again.replayed
    assert len(store.read_stream("t1")) == 1


def test_an_event_id_reused_for_another_command_is_refused(store: SqlEventStore) -> None:
    execute(store, TallyDecider(), "t1", Bump(by=4), META, event_ids=["ev-1"])

    with pytest.raises(EventIdConflict):
        execute(store, TallyDecider(), "t1", Bump(by=5), META, event_ids=["ev-1"])


def test_an_event_id_reused_with_other_personal_data_is_refused(store: SqlEventStore) -> None:
    execute(store, TallyDecider(), "t1", Bump(by=1, name="Nama Demo"), META, event_ids=["e"])

    with pytest.raises(EventIdConflict):
        execute(store, TallyDecider(), "t1", Bump(by=1, name="Lain Demo"), META, event_ids=["e"])


def test_personal_fields_of_a_fact_are_sealed_not_stored_in_the_payload(
    services: Services, store: SqlEventStore
) -> None:
    outcome = execute(store, TallyDecider(), "t1", Bump(by=1, name="Nama Demo"), META)

    event = outcome.events[0]
    assert event.payload == {"by": 1}
    assert b"Nama Demo" not in event.body
    assert store.open_personal([event]) == {event.event_id: {"name": "Nama Demo"}}
    assert services.registry.to_fact(event).model_dump()["personal"] is None


def test_a_batch_answers_each_job_and_appends_the_accepted_ones_together(
    store: SqlEventStore,
) -> None:
    execute(store, TallyDecider(), "t2", Close(), META)
    jobs = [
        Job("t1", Bump(by=1), ("0196a000-0000-7000-8000-0000000000b1",)),
        Job("t2", Bump(by=1), ("0196a000-0000-7000-8000-0000000000b2",)),
        Job("t1", Bump(by=2), ("0196a000-0000-7000-8000-0000000000b3",)),
    ]

    answers = execute_batch(store, TallyDecider(), jobs, META)

    assert [a.version if isinstance(a, Outcome) else type(a) for a in answers] == [
        1,
        StateConflict,
        2,
    ]
    again = execute_batch(store, TallyDecider(), jobs, META)[2]
    assert isinstance(again, Outcome)
    assert again.replayed
    assert again.events == answers[2].events  # type: ignore[union-attr]


def test_a_batch_that_races_another_writer_is_decided_again_under_the_append_lock(
    store: SqlEventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    race_after_first_read(store, monkeypatch, META)
    jobs = [Job("t1", Bump(by=1), ("0196a000-0000-7000-8000-0000000000c1",))]

    [answer] = execute_batch(store, TallyDecider(), jobs, META)

    assert isinstance(answer, Outcome)
    assert (answer.state, answer.version) == (Tally(total=11), 2)


def test_a_command_that_races_every_time_is_stored_under_the_append_lock(
    store: SqlEventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    read, racing = store.read_for_decision, threading.Lock()

    def read_then_race(*args: Any) -> Seen:
        found = read(*args)
        if racing.acquire(blocking=False):  # not for the racing writer's own read
            execute(store, TallyDecider(), "t1", Bump(by=1), META)  # lands after the read
            racing.release()
        return found

    monkeypatch.setattr(store, "read_for_decision", read_then_race)

    outcome = execute(store, TallyDecider(), "t1", Bump(by=1), META, event_ids=["mine"])

    assert (outcome.state, outcome.version) == (Tally(total=4), 4)
    assert [e.event_id for e in store.read_stream("t1")][-1] == "mine"


def test_a_raced_batch_refuses_only_the_job_whose_event_id_another_stream_holds(
    store: SqlEventStore,
) -> None:
    execute(store, TallyDecider(), "t2", Bump(by=1), META, event_ids=["taken"])
    jobs = [Job("t1", Bump(by=1), ("taken",)), Job("t1", Bump(by=2), ("free",))]

    answers = execute_batch(store, TallyDecider(), jobs, META)

    assert isinstance(answers[0], EventIdConflict)
    assert isinstance(answers[1], Outcome)
    assert (answers[1].state, answers[1].version) == (Tally(total=2), 1)
    assert [e.event_id for e in store.read_stream("t1")] == ["free"]
