"""The one write path: load the stream, fold it, decide, append.

``execute`` runs one command; ``GroupCommit`` appends the commands of concurrent callers
together; ``execute_batch`` (``events/batches.py``) runs independent commands in one
transaction. What they answer is in ``events/outcomes.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic

from domain.fact import Decider
from events.batches import (
    Decided,
    append_planned,
    batch_locked,
    execute_batch,
    folded_streams,
    plan,
    seen_for,
    stored_outcome,
)
from events.envelope import JsonObject, NewEvent
from events.errors import ConditionFailed, WrongExpectedVersion
from events.outcomes import (
    Answer,
    CommandT,
    Job,
    Outcome,
    StateT,
    earlier_outcome,
    event_ids_for,
    fold,
    new_event_id,
    store_version,
)
from events.store import SqlEventStore

__all__ = [
    "Answer",
    "GroupCommit",
    "Job",
    "Outcome",
    "execute",
    "execute_batch",
    "fold",
    "new_event_id",
    "store_version",
]

_RACE_RETRIES = 3


def execute(
    store: SqlEventStore,
    decider: Decider[CommandT, StateT],
    stream_id: str,
    command: CommandT,
    meta: JsonObject,
    *,
    expected_version: int | None = None,
    event_ids: Sequence[str] | None = None,
    guard: Callable[[StateT], None] | None = None,
) -> Outcome[StateT]:
    """Run ``command`` against ``stream_id``; every write of the system goes through here.

    ``expected_version`` (from ``If-Match``) makes the write conditional; without it a race
    with another writer is retried. ``event_ids`` (client-chosen) make retries idempotent:
    a command whose events are already stored returns them if it would decide the same.
    ``guard`` may refuse on the stream's state first (e.g. out of the caller's reach), so a
    caller need not read the stream's projection row for that.
    """
    registry = store.registry
    for _ in range(_RACE_RETRIES):
        seen = seen_for(store, decider, [stream_id], event_ids or ())
        folded, _ = folded_streams(registry, decider, seen)
        state, version = folded[stream_id]
        if guard is not None:
            guard(state)
        history = seen.histories.get(stream_id)  # None: from its snapshot, never a retry
        if event_ids and history is not None:
            replay = earlier_outcome(
                store, decider, history, command, event_ids, open_personal=store.open_personal
            )
            if replay is not None:
                return replay
        if expected_version is not None and expected_version != version:
            raise ConditionFailed(stream_id, expected_version, version)
        facts = decider.decide(command, state)
        if not facts:
            return Outcome(state, version, [])
        ids = event_ids_for(event_ids, len(facts))
        new = [registry.to_new(f, i, meta) for f, i in zip(facts, ids, strict=True)]
        for fact in facts:
            state = decider.evolve(state, fact)
        decided = Decided(folded, {stream_id: state}, {stream_id: new})
        try:
            recorded = list(append_planned(store, decider, decided).values())
        except WrongExpectedVersion as race:
            if expected_version is not None:
                raise ConditionFailed(stream_id, expected_version, race.actual) from race
            continue
        replayed = recorded[0].stream_version <= version  # an identical concurrent retry won
        return Outcome(state, recorded[-1].stream_version, recorded, replayed=replayed)
    # Raced each time: decided once more under the append lock, where nothing can race it.
    job = Job(stream_id, command, tuple(event_ids or ()))
    [answer] = batch_locked(store, decider, [job], meta, guard)
    if isinstance(answer, Exception):
        raise answer
    return answer


@dataclass
class _Waiting(Generic[CommandT, StateT]):
    """One caller's command in a ``GroupCommit``, and, once its group is done, the answer."""

    job: Job[CommandT]
    meta: JsonObject
    expected_version: int | None
    guard: Callable[[StateT], None] | None
    answer: Outcome[StateT] | Exception | None = None
    done: bool = False


@dataclass
class GroupCommit(Generic[CommandT, StateT]):
    """``execute`` for concurrent callers, appending their commands together (group commit).

    While one group of commands is being appended, the commands of other threads wait; the
    next group takes them all, at most one per stream and ``most`` in all, and appends them
    in one transaction with the store's batch path (one read of the streams, one append).
    Each caller gets what ``execute`` would have answered it alone: its outcome, or its own
    refusal (the state's, ``If-Match``'s, a reused event id's). A race with another writer,
    or any error of the group, runs that group's commands one by one through ``execute``,
    so no command is refused for another's sake.

    There is no thread of its own: the first waiting caller appends the group, then wakes
    the others. One ``execute`` at a time costs the same as before.
    """

    store: SqlEventStore
    decider: Decider[CommandT, StateT]
    most: int = 64
    _queue: list[_Waiting[CommandT, StateT]] = field(default_factory=list, init=False)
    _busy: bool = field(default=False, init=False)
    _turn: threading.Condition = field(default_factory=threading.Condition, init=False)

    def execute(
        self,
        stream_id: str,
        command: CommandT,
        meta: JsonObject,
        *,
        expected_version: int | None = None,
        event_ids: Sequence[str] | None = None,
        guard: Callable[[StateT], None] | None = None,
    ) -> Outcome[StateT]:
        """As ``execute``, appended with the commands of other callers waiting meanwhile."""
        job = Job(stream_id, command, tuple(event_ids or ()))
        mine = _Waiting[CommandT, StateT](job, meta, expected_version, guard)
        with self._turn:
            self._queue.append(mine)
            while not mine.done:
                if self._busy:
                    self._turn.wait()
                    continue
                group, self._busy = self._take(), True
                self._turn.release()
                try:
                    self._append(group)
                finally:
                    self._turn.acquire()
                    self._busy = False
                    for waiting in group:
                        waiting.done = True
                    self._turn.notify_all()
        if isinstance(mine.answer, Exception):
            raise mine.answer
        assert mine.answer is not None  # _append answers every command of its group
        return mine.answer

    def waiting(self) -> int:
        """Commands waiting for the next group."""
        with self._turn:
            return len(self._queue)

    def _take(self) -> list[_Waiting[CommandT, StateT]]:
        """The oldest waiting command of each stream, at most ``most``; the rest stay queued."""
        group: dict[str, _Waiting[CommandT, StateT]] = {}
        rest = []
        for waiting in self._queue:
            if waiting.job.stream_id in group or len(group) == self.most:
                rest.append(waiting)
            else:
                group[waiting.job.stream_id] = waiting
        self._queue = rest
        return list(group.values())

    def _append(self, group: list[_Waiting[CommandT, StateT]]) -> None:
        if len(group) > 1:
            try:
                self._together(group)
            except Exception:  # a race, or any failure: each command is run alone below
                for waiting in group:
                    waiting.answer = None
        for waiting in group:
            if waiting.answer is None:
                try:
                    waiting.answer = execute(
                        self.store,
                        self.decider,
                        waiting.job.stream_id,
                        waiting.job.command,
                        waiting.meta,
                        expected_version=waiting.expected_version,
                        event_ids=waiting.job.event_ids or None,
                        guard=waiting.guard,
                    )
                except Exception as refused:  # raised again in its own caller's thread
                    waiting.answer = refused

    def _together(self, group: list[_Waiting[CommandT, StateT]]) -> None:
        """One read of the group's streams, each command decided, one append; commands that
        are refused or replayed are answered here, the others once they are stored."""
        store, decider = self.store, self.decider
        seen = seen_for(
            store,
            decider,
            [w.job.stream_id for w in group],
            [i for w in group for i in w.job.event_ids],
        )
        folded, state_of = folded_streams(store.registry, decider, seen)
        planned: dict[str, tuple[_Waiting[CommandT, StateT], list[NewEvent]]] = {}
        for waiting in group:
            sid = waiting.job.stream_id
            if waiting.expected_version not in {None, folded[sid][1]}:
                continue  # alone, after: execute answers a retry before If-Match
            answer = plan(
                store,
                decider,
                waiting.job,
                meta=waiting.meta,
                seen=seen,
                state_of=state_of,
                guard=waiting.guard,
            )
            if not isinstance(answer, list):
                waiting.answer = answer
            elif not answer:
                waiting.answer = Outcome(state_of[sid], folded[sid][1], [])
            else:
                planned[sid] = (waiting, answer)
        if not planned:
            return
        pending = {sid: new for sid, (_, new) in planned.items()}
        recorded = append_planned(store, decider, Decided(folded, state_of, pending))
        for sid, (waiting, new) in planned.items():
            waiting.answer = stored_outcome(state_of[sid], new, recorded)
