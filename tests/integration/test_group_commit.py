"""Group commit: concurrent commands appended together, each answered as if alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from domain.fact import StateConflict
from events.envelope import JsonObject, RecordedEvent, StreamAppend
from events.errors import ConditionFailed
from events.handling import GroupCommit, Outcome, execute
from events.store import SqlEventStore
from tests.support.counter import Bump, Close, Tally, TallyDecider, race_after_first_read

META: JsonObject = {"actor": "tester", "role": "kader"}
Grouped = GroupCommit[Bump | Close, Tally]


@pytest.fixture
def grouped(store: SqlEventStore) -> Grouped:
    return GroupCommit(store, TallyDecider())


@pytest.fixture
def appends(store: SqlEventStore, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The streams of each ``append_streams`` call, in order."""
    calls: list[list[str]] = []
    append = store.append_streams

    def spied(batch: Sequence[StreamAppend]) -> list[RecordedEvent]:
        calls.append([a.stream_id for a in batch])
        return append(batch)

    monkeypatch.setattr(store, "append_streams", spied)
    return calls


@contextmanager
def queued_behind_one(grouped: Grouped, waiting: int) -> Iterator[ThreadPoolExecutor]:
    """A pool whose commands queue while a first one (on "t0") is held inside its group;
    it goes on once ``waiting`` commands are queued behind it."""
    held, go = threading.Event(), threading.Event()

    def hold(state: Tally) -> None:
        held.set()
        assert go.wait(10), "the held command was never let go"

    with ThreadPoolExecutor(max_workers=waiting + 1) as pool:
        first = pool.submit(grouped.execute, "t0", Bump(by=1), META, guard=hold)
        assert held.wait(10)
        yield pool
        give_up = time.monotonic() + 10
        while grouped.waiting() < waiting and time.monotonic() < give_up:
            time.sleep(0.005)
        assert grouped.waiting() == waiting
        go.set()
        assert first.result(10).version == 1


def results(futures: Sequence[Future[Outcome[Tally]]]) -> list[object]:
    """Each command's version, or the type of its refusal."""
    found: list[object] = []
    for future in futures:
        try:
            found.append(future.result(10).version)
        except Exception as refused:
            found.append(type(refused))
    return found


def test_commands_waiting_meanwhile_are_appended_in_one_transaction_each_answered_alone(
    store: SqlEventStore, grouped: Grouped, appends: list[list[str]]
) -> None:
    execute(store, TallyDecider(), "closed", Close(), META)
    execute(store, TallyDecider(), "bumped", Bump(by=1), META)
    stored = execute(store, TallyDecider(), "retried", Bump(by=5), META, event_ids=["ev-r"])
    appends.clear()

    with queued_behind_one(grouped, waiting=5) as pool:
        futures = [
            pool.submit(grouped.execute, "t1", Bump(by=2), META),
            pool.submit(grouped.execute, "closed", Bump(by=1), META),
            pool.submit(grouped.execute, "bumped", Bump(by=1), META, expected_version=0),
            pool.submit(grouped.execute, "retried", Bump(by=5), META, event_ids=["ev-r"]),
            pool.submit(grouped.execute, "t2", Bump(by=3), META, event_ids=["ev-2"]),
        ]

    assert results(futures) == [1, StateConflict, ConditionFailed, 1, 1]
    assert appends == [["t0"], ["t1", "t2"]]  # the held one alone, then one for the rest
    replay = futures[3].result()
    assert replay.replayed
    assert replay.events == stored.events
    assert futures[4].result().events[0].event_id == "ev-2"
    assert futures[4].result().events[0].meta == META
    assert store.verify().ok


def test_commands_for_one_stream_go_in_successive_groups_in_the_order_they_came(
    store: SqlEventStore, grouped: Grouped, appends: list[list[str]]
) -> None:
    with queued_behind_one(grouped, waiting=3) as pool:
        futures = [pool.submit(grouped.execute, "t1", Bump(by=n), META) for n in (1, 2)]
        while grouped.waiting() < 2:  # the order the two were queued in is known
            time.sleep(0.005)
        futures.append(pool.submit(grouped.execute, "t2", Bump(by=4), META))

    assert results(futures) == [1, 2, 1]
    assert appends == [["t0"], ["t1", "t2"], ["t1"]]
    assert futures[1].result().state == Tally(total=3)


def test_a_group_that_races_another_writer_is_run_command_by_command(
    store: SqlEventStore, grouped: Grouped, monkeypatch: pytest.MonkeyPatch
) -> None:
    race_after_first_read(store, monkeypatch, META)
    with queued_behind_one(grouped, waiting=2) as pool:
        futures = [pool.submit(grouped.execute, s, Bump(by=1), META) for s in ("t1", "t2")]

    assert results(futures) == [2, 1]
    assert futures[0].result().state == Tally(total=11)


def test_a_group_that_fails_is_run_command_by_command_and_each_gets_its_own_answer(
    store: SqlEventStore, grouped: Grouped, monkeypatch: pytest.MonkeyPatch
) -> None:
    append: Callable[[Sequence[StreamAppend]], list[RecordedEvent]] = store.append_streams

    def fails_for_groups(batch: Sequence[StreamAppend]) -> list[RecordedEvent]:
        if len(batch) > 1:
            raise RuntimeError("the database went away")
        return append(batch)

    monkeypatch.setattr(store, "append_streams", fails_for_groups)
    execute(store, TallyDecider(), "closed", Close(), META)
    with queued_behind_one(grouped, waiting=3) as pool:
        futures = [
            pool.submit(grouped.execute, stream, Bump(by=1), META)
            for stream in ("t1", "closed", "t2")
        ]

    assert results(futures) == [1, StateConflict, 1]
    assert store.verify().ok
