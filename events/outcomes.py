"""What the write path answers, and the steps its single and batched paths share: folding
a stream, the event ids of new events, and recognising a retry of a stored command."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import uuid6

from domain.fact import Command, Decider, DomainError
from events.envelope import JsonObject, NewEvent, RecordedEvent
from events.errors import EventIdConflict
from events.personal import present
from events.registry import Registry
from events.store import SqlEventStore

StateT = TypeVar("StateT")
CommandT = TypeVar("CommandT", bound=Command)


@dataclass(frozen=True)
class Outcome(Generic[StateT]):
    """What a command did: the stream's state and version after it, and its events."""

    state: StateT
    version: int
    events: list[RecordedEvent]
    replayed: bool = False  # True when the events were stored by an earlier identical call


def new_event_id() -> str:
    """A time-ordered UUID (v7) for a server-chosen event id."""
    return str(uuid6.uuid7())


@dataclass(frozen=True)
class Job(Generic[CommandT]):
    """One command of a batch, for one stream, under client-chosen event ids."""

    stream_id: str
    command: CommandT
    event_ids: tuple[str, ...]


Answer = Outcome[StateT] | DomainError | EventIdConflict
"""What a batch says of one job: its outcome, or why it was refused."""


def fold(
    registry: Registry, decider: Decider[CommandT, StateT], history: Sequence[RecordedEvent]
) -> StateT:
    """The state a stream's history leads to."""
    return fold_history(registry, decider, history)[0]


def store_version(store: SqlEventStore, stream_id: str) -> int:
    """The current version of a stream (0 if it has no events)."""
    history = store.read_stream(stream_id)
    return history[-1].stream_version if history else 0


def fold_history(
    registry: Registry, decider: Decider[CommandT, StateT], history: Sequence[RecordedEvent]
) -> tuple[StateT, int]:
    """The state a stream's history leads to, and the stream's version."""
    return registry.fold(decider, history), history[-1].stream_version if history else 0


def event_ids_for(event_ids: Sequence[str] | None, count: int) -> list[str]:
    """The client's event ids for ``count`` events, or new ones when it chose none."""
    if not event_ids:
        return [new_event_id() for _ in range(count)]
    if len(event_ids) != count:
        raise EventIdConflict(event_ids[0], f"the command makes {count} events")
    return list(event_ids)


def earlier_outcome(
    store: SqlEventStore,
    decider: Decider[CommandT, StateT],
    history: Sequence[RecordedEvent],
    command: CommandT,
    event_ids: Sequence[str],
    *,
    open_personal: Callable[[Sequence[RecordedEvent]], dict[str, JsonObject | None]],
) -> Outcome[StateT] | None:
    """The earlier outcome of this command if its events are in the stream already."""
    registry = store.registry
    stored = [e for e in history if e.event_id in set(event_ids)]
    if not stored:
        return None
    before = [e for e in history if e.stream_version < stored[0].stream_version]
    again = decider.decide(command, fold_history(registry, decider, before)[0])
    personal = open_personal(stored)
    mine = [_comparable(registry.to_new(f, "-", {})) for f in again]
    theirs = [
        (e.event_type, e.payload, e.wilayah, present(personal.get(e.event_id))) for e in stored
    ]
    if mine != theirs:
        raise EventIdConflict(stored[0].event_id, "the same event id was used for another command")
    state = fold_history(registry, decider, history)[0]
    return Outcome(state, history[-1].stream_version, stored, replayed=True)


def _comparable(new: NewEvent) -> tuple[object, ...]:
    return new.event_type, new.payload, new.wilayah, present(new.personal)
