"""The one write path: load, fold, decide, append — conditional and idempotent."""

from __future__ import annotations

import pytest

from api.services import Services
from domain.fact import StateConflict
from events.envelope import JsonObject
from events.errors import ConditionFailed, EventIdConflict
from events.handling import execute
from events.store import SqlEventStore
from tests.support.counter import Bump, Close, Tally, TallyDecider

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
