"""A tiny aggregate for testing the write path: a tally that can be bumped and closed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel

from domain.fact import Command, Fact, StateConflict
from events.envelope import JsonObject
from events.handling import execute
from events.store import Seen, SqlEventStore

WHEN = datetime(2025, 5, 10, 8, 0, tzinfo=UTC)


class Secret(BaseModel):
    """A personal part for tests."""

    name: str


class Bumped(Fact):
    """The tally went up."""

    event_type: ClassVar[str] = "test.bumped"
    by: int
    personal: Secret | None = None


class Closed(Fact):
    """The tally was closed."""

    event_type: ClassVar[str] = "test.closed"


class Bump(Command):
    """Raise the tally."""

    by: int
    name: str | None = None


class Close(Command):
    """Close the tally."""


@dataclass(frozen=True)
class Tally:
    """The state of a tally."""

    total: int = 0
    closed: bool = False


class TallyDecider:
    """Bumps until closed; closing twice is a conflict."""

    stream_type: ClassVar[str] = "tally"

    def initial_state(self) -> Tally:
        """An empty tally."""
        return Tally()

    def evolve(self, state: Tally, fact: Fact) -> Tally:
        """Apply one fact."""
        if isinstance(fact, Bumped):
            return Tally(state.total + fact.by, state.closed)
        if isinstance(fact, Closed):
            return Tally(state.total, closed=True)
        return state

    def decide(self, command: Command, state: Tally) -> Sequence[Fact]:
        """Decide what a command records."""
        if state.closed:
            raise StateConflict("the tally is closed")
        if isinstance(command, Bump):
            secret = Secret(name=command.name) if command.name else None
            return [
                Bumped(occurred_at=WHEN, wilayah="32.79.02.1001", by=command.by, personal=secret)
            ]
        if isinstance(command, Close):
            return [Closed(occurred_at=WHEN, wilayah="32.79.02.1001")]
        return []


FACTS: tuple[type[Fact], ...] = (Bumped, Closed)


def race_after_first_read(
    store: SqlEventStore, monkeypatch: pytest.MonkeyPatch, meta: JsonObject
) -> None:
    """Make another writer bump ``t1`` by 10 right after the first read of ``store`` for a
    decision: whatever was decided on that read has lost the race when it appends."""
    read = store.read_for_decision

    def read_then_race(*args: Any) -> Seen:
        found = read(*args)
        monkeypatch.setattr(store, "read_for_decision", read)  # once; and read plainly
        execute(store, TallyDecider(), "t1", Bump(by=10), meta)  # lands after the read
        return found

    monkeypatch.setattr(store, "read_for_decision", read_then_race)
