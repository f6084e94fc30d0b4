"""Streams folded as the log held them at a position: for read models asked "as known at"
whose streams are few enough to fold on the spot (meetings, resolutions, commitments)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from domain.fact import Decider, Fact
from events.store import SqlEventStore

StateT = TypeVar("StateT")
CHUNK = 5000


def states_at(
    store: SqlEventStore,
    decider: Decider[Any, StateT],
    facts: Iterable[type[Fact]],
    *,
    wilayah: str,
    position: int,
) -> dict[str, StateT]:
    """Each stream's state after its ``facts`` up to ``position`` whose area lies under
    ``wilayah``, by stream id."""
    kinds = [f.event_type for f in facts]
    states: dict[str, StateT] = {}
    after = 0
    while batch := store.read_all(after, CHUNK, event_types=kinds, wilayah=wilayah, until=position):
        for event in batch:
            state = states.get(event.stream_id, decider.initial_state())
            states[event.stream_id] = decider.evolve(state, store.registry.to_fact(event))
        after = batch[-1].position
    return states
