"""Integration fixtures: the store of the fresh installation, with the test aggregate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.services import Services
from events.envelope import JsonObject, NewEvent
from events.store import SqlEventStore
from tests.support import counter

WHEN = datetime(2025, 5, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def store(services: Services) -> SqlEventStore:
    """The store, knowing the test aggregate's facts."""
    services.registry.register(*counter.FACTS)
    return services.store


def new_event(
    event_id: str,
    payload: JsonObject | None = None,
    *,
    personal: JsonObject | None = None,
    wilayah: str | None = "32.79.02.1001",
    event_type: str = "test.noted",
) -> NewEvent:
    """A new event with sensible defaults."""
    return NewEvent(
        event_id=event_id,
        event_type=event_type,
        occurred_at=WHEN,
        payload=payload if payload is not None else {"n": event_id},
        wilayah=wilayah,
        personal=personal,
        meta={"actor": "tester"},
    )
