"""Stored names are stable and old schema versions are upcast on read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest

from domain.fact import Fact
from events.envelope import JsonObject, RecordedEvent
from events.registry import Registry, UnknownEventType

WHEN = datetime(2025, 5, 10, tzinfo=UTC)


class WeightRecordedV2(Fact):
    """Version 2 stores grams as an integer; version 1 stored kilograms as a float."""

    event_type: ClassVar[str] = "test.weight_recorded"
    schema_version: ClassVar[int] = 2
    weight_g: int


def _stored(version: int, payload: JsonObject) -> RecordedEvent:
    return RecordedEvent(
        position=1,
        event_id="e1",
        stream_id="s",
        stream_type="x",
        stream_version=1,
        event_type="test.weight_recorded",
        schema_version=version,
        occurred_at=WHEN,
        recorded_at=WHEN,
        wilayah="32.79",
        payload=payload,
        personal=None,
        meta={},
        prev_hash="0" * 64,
        hash="1" * 64,
        body=b"{}",
    )


def _registry() -> Registry:
    registry = Registry()
    registry.register(WeightRecordedV2)

    @registry.upcaster("test.weight_recorded", 1)
    def kilograms_to_grams(payload: JsonObject) -> JsonObject:
        weight = payload["weight_kg"]
        assert isinstance(weight, float)
        return {"weight_g": round(weight * 1000)}

    return registry


def test_a_version_1_event_is_read_as_version_2_through_its_upcaster() -> None:
    registry = _registry()

    fact = registry.to_fact(_stored(1, {"weight_kg": 9.1}))

    assert fact == WeightRecordedV2(occurred_at=WHEN, wilayah="32.79", weight_g=9100)


def test_a_current_version_event_is_read_as_it_is() -> None:
    fact = _registry().to_fact(_stored(2, {"weight_g": 8000}))

    assert isinstance(fact, WeightRecordedV2)
    assert fact.weight_g == 8000


def test_new_events_are_stored_under_the_stable_name_and_current_version() -> None:
    fact = WeightRecordedV2(occurred_at=WHEN, wilayah="32.79", weight_g=1)

    new = _registry().to_new(fact, "e9", {"actor": "a"})

    assert (new.event_type, new.schema_version, new.payload) == (
        "test.weight_recorded",
        2,
        {"weight_g": 1},
    )


def test_an_unregistered_type_is_refused_by_name() -> None:
    with pytest.raises(UnknownEventType, match=r"test\.unknown"):
        Registry().class_of("test.unknown")


def test_a_name_cannot_be_taken_by_two_classes() -> None:
    class Other(Fact):
        event_type: ClassVar[str] = "test.weight_recorded"

    registry = _registry()

    with pytest.raises(ValueError, match="already"):
        registry.register(Other)
