"""How the demo is written: commands queued at their simulated instants, decided on streams
kept in memory and appended in recording order, a few hundred streams at once."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any, Final, Generic, NamedTuple, TypeVar

from api.meetings.figures import WIB
from api.services import Services
from domain.fact import Command, Decider, Fact
from events.envelope import NO_STREAM, JsonObject, StreamAppend
from events.store import SqlEventStore

StateT = TypeVar("StateT")
CHUNKS: Final = (200, 150, 100, 75, 50, 40, 30, 25, 20, 15, 10, 8, 6, 5, 4, 3, 2, 1)
"""Streams per append: a few sizes only, since the store compiles one head query per size."""
SEED_META: Final[JsonObject] = {"actor": "seed-demo", "role": "operator", "client": "tumbuh-cli"}


@cache
def at(day: date, hour: int) -> datetime:
    """``hour`` o'clock WIB on ``day``: when a kader or operator would enter something."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=WIB)


def add_months(day: date, count: int) -> date:
    """The first day of the month ``count`` months after ``day``'s."""
    index = day.year * 12 + day.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


class SimulatedClock:
    """The store's clock during the seed: the simulated time of the batch being written."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class DeciderStream(Generic[StateT]):
    """A stream being written by the seed: its decider's state and version, in memory."""

    def __init__(self, stream_id: str, decider: Decider[Any, StateT]) -> None:
        self.stream_id, self.stream_type, self.version = stream_id, decider.stream_type, 0
        self.decider, self.state = decider, decider.initial_state()

    def decide(self, command: Command) -> Sequence[Fact]:
        """Decide ``command`` on the stream's state and move the state on."""
        facts = self.decider.decide(command, self.state)
        for fact in facts:
            self.state = self.decider.evolve(self.state, fact)
        return facts


Push = Callable[[datetime, DeciderStream[Any], Command], object]
"""Queues a command for a stream at a simulated instant."""


class _Intent(NamedTuple):
    """A command to decide and write at the simulated instant ``at``."""

    at: datetime
    seq: int
    stream: DeciderStream[Any]
    command: Command
    event_id: str


class Writer:
    """Queues commands at their simulated instants and writes them in that order."""

    def __init__(self, services: Services, clock: SimulatedClock, *, inline: bool) -> None:
        self.clock, self.registry = clock, services.registry
        self.store = SqlEventStore(
            services.engine,
            services.store.keyring,
            services.registry,
            clock=clock,
            inline=services.projections if inline else None,
        )
        self.heap: list[_Intent] = []
        self.seq = 0
        self.events = 0

    def push(
        self,
        at: datetime,
        stream: DeciderStream[Any],
        command: Command | Callable[[str], Command],
        rng: random.Random,
    ) -> str:
        """Queue ``command`` (or the command made from its event id) for ``at``; returns the
        id its event will have, drawn from ``rng``."""
        event_id = self.event_id(at, rng)
        if callable(command):
            command = command(event_id)
        self.seq += 1
        heapq.heappush(self.heap, _Intent(at, self.seq, stream, command, event_id))
        return event_id

    @staticmethod
    def event_id(at: datetime, rng: random.Random) -> str:
        """A UUIDv7 at the simulated instant, its random bits from the seeded generator."""
        bits = rng.getrandbits(74)
        value = (int(at.timestamp() * 1000) << 80) | (0x7 << 76) | ((bits >> 62) << 64)
        text = f"{value | (0b10 << 62) | (bits & ((1 << 62) - 1)):032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    def flush(self, until: datetime) -> None:
        """Write everything queued before ``until``, an instant at a time."""
        while self.heap and self.heap[0].at < until:
            at = self.heap[0].at
            group = []
            while self.heap and self.heap[0].at == at:
                group.append(heapq.heappop(self.heap))
            self._write(at, group)

    def _write(self, at: datetime, group: Sequence[_Intent]) -> None:
        """Decide the group's commands in order, then append them a few hundred streams at once."""
        pending: dict[DeciderStream[Any], list[Fact]] = {}
        ids: dict[DeciderStream[Any], list[str]] = {}
        for intent in group:
            facts = intent.stream.decide(intent.command)
            if len(facts) > 1:
                raise RuntimeError("a demo command decided more than one fact")
            for fact in facts:
                pending.setdefault(intent.stream, []).append(fact)
                ids.setdefault(intent.stream, []).append(intent.event_id)
        self.clock.now = at
        streams = list(pending)
        while streams:
            size = next(n for n in CHUNKS if n <= len(streams))
            chunk, streams = streams[:size], streams[size:]
            appends = [
                StreamAppend(
                    s.stream_id,
                    s.stream_type,
                    s.version or NO_STREAM,
                    tuple(
                        self.registry.to_new(f, i, SEED_META)
                        for f, i in zip(pending[s], ids[s], strict=True)
                    ),
                )
                for s in chunk
            ]
            self.store.append_streams(appends)
            for s in chunk:
                s.version += len(pending[s])
                self.events += len(pending[s])
