"""Decision snapshots (events/decisions.py): a write decides on its stream's stored state,
which always equals the fold of the stream's history, and costs the same statements however
long the stream is."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any

import pytest
from sql_tally import Tally
from sqlalchemy import delete, update

from api.services import Services
from domain.child import commands as c
from domain.child.decider import ChildDecider, ChildState, MeasurementState, stream_id
from domain.child.events import Measurement
from domain.growth import Position, Sex
from domain.streams import StreamDecider
from events import decisions, sql
from events.envelope import ANY, JsonObject, RecordedEvent
from events.handling import Job, Outcome, execute, execute_batch, fold, new_event_id
from events.store import SqlEventStore

TODAY = date(2026, 11, 30)
BORN = date(2022, 1, 10)
META: JsonObject = {"actor": "decisions-test"}
CODEC = decisions.codec_for(ChildDecider())


def registered(services: Services) -> str:
    child_id = new_event_id()
    register = c.RegisterChild(
        today=TODAY, sex=Sex.MALE, birth_date=BORN, desa="32.79.02.1001", posyandu="Mawar"
    )
    execute(services.store, ChildDecider(), stream_id(child_id), register, META)
    return child_id


def measurement(day: date) -> c.RecordMeasurement:
    values = Measurement(
        measured_on=day, weight_kg=12.5, length_cm=90.0, position=Position.STANDING
    )
    return c.RecordMeasurement(today=TODAY, measurement_id=new_event_id(), measurement=values)


def measured(services: Services, child_id: str, times: int) -> list[str]:
    """``times`` measurements of the child, a week apart, written as a batch; their ids."""
    commands = [measurement(BORN + timedelta(days=700 + 7 * n)) for n in range(times)]
    jobs = [Job(stream_id(child_id), cmd, (cmd.measurement_id,)) for cmd in commands]
    execute_batch(services.store, ChildDecider(), jobs, META)
    return [cmd.measurement_id for cmd in commands]


def stored(services: Services, child_id: str) -> tuple[ChildState | None, int] | None:
    """The child's snapshot row, loaded (None: no row; a state of None: it does not load)."""
    with services.engine.connect() as conn:
        row = conn.execute(
            decisions.READ.where(decisions.decisions.c.stream_id == stream_id(child_id))
        ).first()
    if row is None:
        return None
    assert CODEC is not None
    return CODEC.load(row.shape, row.state), row.version


def folded(services: Services, child_id: str) -> tuple[ChildState, int]:
    history = services.store.read_stream(stream_id(child_id))
    return fold(services.registry, ChildDecider(), history), history[-1].stream_version


def test_every_write_leaves_the_state_its_streams_history_folds_to(services: Services) -> None:
    child_id = registered(services)
    ids = measured(services, child_id, 3)
    void = c.VoidMeasurement(today=TODAY, measurement_id=ids[1], reason="scale broken")
    execute(services.store, ChildDecider(), stream_id(child_id), void, META)

    state, version = folded(services, child_id)
    assert version == 5
    assert stored(services, child_id) == (state, version)
    assert state.measurements[ids[1]] == MeasurementState(BORN + timedelta(days=707), voided=True)


def test_a_decision_on_a_snapshot_refuses_what_the_history_would(services: Services) -> None:
    child_id = registered(services)
    [first] = measured(services, child_id, 1)
    void = c.VoidMeasurement(today=TODAY, measurement_id=first, reason="scale broken")
    execute(services.store, ChildDecider(), stream_id(child_id), void, META)

    [again] = execute_batch(
        services.store, ChildDecider(), [Job(stream_id(child_id), void, ())], META
    )

    assert not isinstance(again, Outcome)
    assert "voided already" in str(again)


def test_a_stream_without_a_usable_snapshot_is_folded_and_its_snapshot_stored_again(
    services: Services,
) -> None:
    child_id = registered(services)
    measured(services, child_id, 2)
    with services.engine.begin() as conn:  # a snapshot of a state type since changed
        conn.execute(update(decisions.decisions).values(shape="ChildState.0.old", state="{}"))
    assert stored(services, child_id) == (None, 3)

    measured(services, child_id, 1)

    assert stored(services, child_id) == folded(services, child_id)


def test_an_append_without_a_decision_drops_the_streams_snapshot(services: Services) -> None:
    child_id = registered(services)
    command = measurement(BORN + timedelta(days=800))
    state = fold(services.registry, ChildDecider(), services.store.read_stream(stream_id(child_id)))
    [fact] = ChildDecider().decide(command, state)
    new = services.registry.to_new(fact, command.measurement_id, META)

    services.store.append(stream_id(child_id), "child", ANY, [new])  # no state carried

    assert stored(services, child_id) is None
    measured(services, child_id, 1)  # folded once, then kept again
    assert stored(services, child_id) == folded(services, child_id)


def test_a_retry_is_answered_from_the_history_with_a_snapshot_present(services: Services) -> None:
    child_id = registered(services)
    command = measurement(BORN + timedelta(days=800))
    job = Job(stream_id(child_id), command, (command.measurement_id,))
    [first] = execute_batch(services.store, ChildDecider(), [job], META)
    measured(services, child_id, 1)  # the stream moves on

    [again] = execute_batch(services.store, ChildDecider(), [job], META)
    single = execute(
        services.store,
        ChildDecider(),
        stream_id(child_id),
        command,
        META,
        event_ids=[command.measurement_id],
    )

    assert isinstance(first, Outcome)
    assert isinstance(again, Outcome)
    assert again.replayed
    assert single.replayed
    assert again.events == first.events == single.events
    assert len(services.store.read_stream(stream_id(child_id))) == 3


def _deciders(kind: type[Any] = StreamDecider) -> Iterator[type[Any]]:
    sub: type[Any]
    for sub in kind.__subclasses__():
        yield sub
        yield from _deciders(sub)


@pytest.mark.parametrize("decider", list(_deciders()), ids=lambda d: d.__name__)
def test_every_deciders_state_survives_its_snapshot_or_it_keeps_none(decider: type[Any]) -> None:
    codec = decisions.codec_for(decider())
    if codec is None:
        assert decider.__name__ == "PrincipalDecider"  # its state holds a secret's hash
        return
    blank = decider().initial_state()
    assert codec.load(codec.shape, codec.dump(blank).state) == blank


def test_a_writes_statements_do_not_grow_with_its_streams_length(services: Services) -> None:
    short, long = registered(services), registered(services)
    measured(services, short, 2)
    measured(services, long, 40)
    tally = Tally()
    tally.watch(services.engine)

    def statements(child_id: str) -> int:
        tally.reset()
        command = measurement(TODAY - timedelta(days=1))
        services.child_writes.execute(
            stream_id(child_id), command, META, event_ids=[command.measurement_id]
        )
        return tally.statements

    assert statements(long) == statements(short) > 0


def test_a_write_on_a_stream_with_a_snapshot_reads_none_of_its_history(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    child_id = registered(services)
    measured(services, child_id, 5)
    read_whole: list[str] = []
    streams_on = SqlEventStore._streams_on

    def spied(reader: sql.Reader, stream_ids: Sequence[str]) -> dict[str, list[RecordedEvent]]:
        read_whole.extend(stream_ids)
        return streams_on(reader, stream_ids)

    monkeypatch.setattr(SqlEventStore, "_streams_on", staticmethod(spied))
    measured(services, child_id, 1)

    assert read_whole == []
    assert stored(services, child_id) == folded(services, child_id)


def test_a_rebuild_of_every_projection_derives_the_snapshots_again(services: Services) -> None:
    child_id = registered(services)
    measured(services, child_id, 2)
    with services.engine.begin() as conn:  # a snapshot gone wrong
        conn.execute(update(decisions.decisions).values(version=1))

    services.projections.rebuild(services.store)

    assert stored(services, child_id) == folded(services, child_id)


def test_streams_without_a_snapshot_get_one_when_the_projections_catch_up(
    services: Services,
) -> None:
    child_id = registered(services)
    measured(services, child_id, 2)
    with services.engine.begin() as conn:  # a store from before the snapshots
        conn.execute(delete(decisions.decisions))

    services.projections.catch_up(services.store)

    assert stored(services, child_id) == folded(services, child_id)


def test_a_retry_whose_first_call_lands_between_the_reads_is_answered_as_a_retry(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    child_id = registered(services)
    command = measurement(BORN + timedelta(days=700))
    sid, ids = stream_id(child_id), [command.measurement_id]
    original = sql.Reader.rows_among_many

    def first_call_in_between(
        self: sql.Reader, reads: Sequence[Any], params: sql.Params = sql._NONE
    ) -> list[list[sql.Row]]:
        monkeypatch.setattr(sql.Reader, "rows_among_many", original)  # once
        first = original(self, reads[:1], params)
        execute(services.store, ChildDecider(), sid, command, META, event_ids=ids)
        return first + original(self, reads[1:], params)

    monkeypatch.setattr(sql.Reader, "rows_among_many", first_call_in_between)
    again = execute(services.store, ChildDecider(), sid, command, META, event_ids=ids)

    assert again.replayed
    assert len(services.store.read_stream(sid)) == 2


def test_a_snapshot_behind_its_stream_is_not_read_and_is_derived_again(services: Services) -> None:
    child_id = registered(services)
    measured(services, child_id, 2)
    with services.engine.begin() as conn:  # as if code without snapshots had appended since
        conn.execute(update(decisions.decisions).values(version=2))

    [again] = execute_batch(
        services.store, ChildDecider(), [Job(stream_id(child_id), measurement(TODAY), ())], META
    )
    assert isinstance(again, Outcome)
    assert again.version == 4
    assert stored(services, child_id) == folded(services, child_id)

    with services.engine.begin() as conn:
        conn.execute(update(decisions.decisions).values(version=1, shape="ChildState.0.old"))
    services.projections.catch_up(services.store)
    assert stored(services, child_id) == folded(services, child_id)
