"""Projection rows read before the append lock: used when exactly current, else read again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from api.services import Services
from domain.child import commands as c
from domain.child.decider import ChildDecider, stream_id
from domain.child.events import Measurement
from domain.growth import Position, Sex
from events.envelope import ANY, JsonObject, NewEvent, StreamAppend
from events.handling import execute, fold, new_event_id
from events.projections.children import ChildIndex, children, measurements
from events.projections.figures import FigureIndex, child_month_rows, child_spans
from events.store import SqlEventStore

TODAY = date(2025, 6, 20)
META: JsonObject = {"actor": "prefetch-test"}
TABLES = (children, measurements, child_spans, child_month_rows)


def contents(services: Services) -> list[list[tuple[Any, ...]]]:
    with services.engine.connect() as conn:
        return [sorted(tuple(r) for r in conn.execute(select(t))) for t in TABLES]


def registered(services: Services) -> str:
    """A child registered in May 2024, measured once on 10 May 2025."""
    child_id = new_event_id()
    register = c.RegisterChild(
        today=date(2025, 5, 1),
        sex=Sex.FEMALE,
        birth_date=date(2024, 5, 1),
        desa="32.79.02.1001",
        posyandu="Demo",
    )
    execute(services.store, ChildDecider(), stream_id(child_id), register, META)
    measure(services, child_id, date(2025, 5, 10))
    return child_id


def recorded(services: Services, child_id: str, day: date) -> NewEvent:
    """The event of a new measurement of the child on ``day``, decided on its stream now."""
    decider, mid = ChildDecider(), new_event_id()
    values = Measurement(measured_on=day, weight_kg=8.4, length_cm=72.0, position=Position.LYING)
    command = c.RecordMeasurement(today=TODAY, measurement_id=mid, measurement=values)
    state = fold(services.registry, decider, services.store.read_stream(stream_id(child_id)))
    [fact] = decider.decide(command, state)
    return services.registry.to_new(fact, mid, META)


def measure(services: Services, child_id: str, day: date) -> None:
    services.store.append(stream_id(child_id), "child", ANY, [recorded(services, child_id, day)])


def test_rows_read_before_the_lock_are_read_again_if_the_stream_moved_meanwhile(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, child_id = services.store, registered(services)
    late = recorded(services, child_id, date(2025, 6, 12))
    original = SqlEventStore._prefetch
    slipped_in: list[bool] = []

    def prefetch_then_another_writer(
        self: SqlEventStore, appends: Sequence[StreamAppend]
    ) -> tuple[dict[str, int] | None, Mapping[str, object] | None]:
        found = original(self, appends)
        if not slipped_in:  # between the early read and the lock, another append lands
            slipped_in.append(True)
            measure(services, child_id, date(2025, 6, 2))
        return found

    monkeypatch.setattr(SqlEventStore, "_prefetch", prefetch_then_another_writer)

    store.append(stream_id(child_id), "child", ANY, [late])

    after = contents(services)
    with services.engine.connect() as conn:
        kid = conn.execute(select(children).where(children.c.child_id == child_id)).one()
    assert (kid.version, kid.measurement_count) == (4, 3)
    services.projections.rebuild(store)
    assert contents(services) == after


def test_an_append_to_a_child_uses_the_rows_read_before_the_lock(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    child_id = registered(services)

    def no_reading(*_: object) -> None:
        raise AssertionError("the projection read its rows inside the lock")

    monkeypatch.setattr(ChildIndex, "apply", no_reading)
    monkeypatch.setattr(FigureIndex, "apply", no_reading)

    measure(services, child_id, date(2025, 6, 2))

    monkeypatch.undo()
    after = contents(services)
    services.projections.rebuild(services.store)
    assert contents(services) == after
    assert len(after[1]) == 2  # both measurements
