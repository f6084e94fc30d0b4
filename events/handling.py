"""The one write path: load the stream, fold it, decide, append."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import uuid6

from domain.fact import Command, Decider, DomainError
from events.envelope import NO_STREAM, JsonObject, NewEvent, RecordedEvent, StreamAppend
from events.errors import ConditionFailed, EventIdConflict, InvalidAppend, WrongExpectedVersion
from events.personal import present
from events.registry import Registry
from events.store import Seen, SqlEventStore

StateT = TypeVar("StateT")
CommandT = TypeVar("CommandT", bound=Command)
_RACE_RETRIES = 3


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
        history = store.read_stream(stream_id)
        state, version = _fold(registry, decider, history)
        if guard is not None:
            guard(state)
        if event_ids:
            replay = _replay(
                store, decider, history, command, event_ids, open_personal=store.open_personal
            )
            if replay is not None:
                return replay
        if expected_version is not None and expected_version != version:
            raise ConditionFailed(stream_id, expected_version, version)
        facts = decider.decide(command, state)
        if not facts:
            return Outcome(state, version, [])
        ids = _ids(event_ids, len(facts))
        new = [registry.to_new(f, i, meta) for f, i in zip(facts, ids, strict=True)]
        try:
            recorded = store.append(
                stream_id, decider.stream_type, version if version else NO_STREAM, new
            )
        except WrongExpectedVersion as race:
            if expected_version is not None:
                raise ConditionFailed(stream_id, expected_version, race.actual) from race
            continue
        for fact in facts:
            state = decider.evolve(state, fact)
        replayed = recorded[0].stream_version <= version  # an identical concurrent retry won
        return Outcome(state, recorded[-1].stream_version, recorded, replayed=replayed)
    # Raced each time: decided once more under the append lock, where nothing can race it.
    job = Job(stream_id, command, tuple(event_ids or ()))
    [answer] = _batch_locked(store, decider, [job], meta, guard)
    if isinstance(answer, Exception):
        raise answer
    return answer


@dataclass(frozen=True)
class Job(Generic[CommandT]):
    """One command of a batch, for one stream, under client-chosen event ids."""

    stream_id: str
    command: CommandT
    event_ids: tuple[str, ...]


Answer = Outcome[StateT] | DomainError | EventIdConflict
"""What a batch says of one job: its outcome, or why it was refused."""


def execute_batch(
    store: SqlEventStore,
    decider: Decider[CommandT, StateT],
    jobs: Sequence[Job[CommandT]],
    meta: JsonObject,
    *,
    guard: Callable[[StateT], None] | None = None,
) -> list[Answer[StateT]]:
    """Run independent commands, each accepted or refused on its own, in one transaction.

    The answers are those ``execute`` would give one by one, in order: ``guard`` may refuse
    a job on the stream's state (e.g. out of the caller's reach), a job whose events are
    stored already replays. If another writer moved one of the streams meanwhile (or an
    event id turns out to be stored in another stream), the whole batch is decided again
    under the append lock, where nothing can move its streams: each job is then stored once
    or refused with its reason, and the batch is never refused as a whole for a race.
    """
    stream_ids = {job.stream_id for job in jobs}
    seen = Seen(store.read_streams(stream_ids), {}, store.open_personal)
    plan = _plan_batch(store, decider, jobs, meta, guard, seen)
    if not plan.pending:
        return plan.answers_after({})
    try:
        recorded = _append_planned(store, decider, plan.folded, plan.pending)
    except (WrongExpectedVersion, EventIdConflict, InvalidAppend):
        return _batch_locked(store, decider, jobs, meta, guard)
    return plan.answers_after(recorded)


def _batch_locked(
    store: SqlEventStore,
    decider: Decider[CommandT, StateT],
    jobs: Sequence[Job[CommandT]],
    meta: JsonObject,
    guard: Callable[[StateT], None] | None,
) -> list[Answer[StateT]]:
    """``execute_batch`` read, decided and appended under the append lock: it cannot race."""
    plans: list[_BatchPlan[StateT]] = []

    def decide(seen: Seen) -> list[StreamAppend]:
        plans.append(_plan_batch(store, decider, jobs, meta, guard, seen))
        return _appends(decider, plans[-1].folded, plans[-1].pending)

    event_ids = [i for job in jobs for i in job.event_ids]
    stored = store.append_decided({job.stream_id for job in jobs}, event_ids, decide)
    return plans[-1].answers_after({e.event_id: e for e in stored})


@dataclass
class _BatchPlan(Generic[StateT]):
    """A batch decided on one read of its streams: each job's answer, or its new events."""

    stream_ids: list[str]  # each job's stream
    planned: list[Answer[StateT] | list[NewEvent]]
    folded: dict[str, tuple[StateT, int]]  # each stream as read: state and version
    state_of: dict[str, StateT]  # each stream's state after the accepted jobs
    pending: dict[str, list[NewEvent]]  # each stream's new events

    def answers_after(self, recorded: dict[str, RecordedEvent]) -> list[Answer[StateT]]:
        """The answers, once the pending events are stored as ``recorded``."""
        answers: list[Answer[StateT]] = []
        for sid, planned in zip(self.stream_ids, self.planned, strict=True):
            if not isinstance(planned, list):
                answers.append(planned)
            elif not planned:  # the command changed nothing
                answers.append(Outcome(self.folded[sid][0], self.folded[sid][1], []))
            else:
                answers.append(_stored(self.state_of[sid], planned, recorded))
        return answers


def _plan_batch(  # noqa: PLR0917 - internal step of execute_batch
    store: SqlEventStore,
    decider: Decider[CommandT, StateT],
    jobs: Sequence[Job[CommandT]],
    meta: JsonObject,
    guard: Callable[[StateT], None] | None,
    seen: Seen,
) -> _BatchPlan[StateT]:
    """Decide each job on the streams ``seen``, in order, each on the state the earlier
    accepted jobs of its stream left."""
    folded, state_of = _folded(store.registry, decider, seen)
    planned: list[Answer[StateT] | list[NewEvent]] = []
    pending: dict[str, list[NewEvent]] = {}
    first_use: dict[str, int] = {}
    for number, job in enumerate(jobs):
        again = next((first_use[i] for i in job.event_ids if i in first_use), None)
        if again is not None:  # the same event ids twice in one batch
            same = (jobs[again].stream_id, jobs[again].command) == (job.stream_id, job.command)
            planned.append(planned[again] if same else _reused(job))
            continue
        answer = _plan(store, decider, job, meta, seen, state_of, guard)
        planned.append(answer)
        first_use.update(dict.fromkeys(job.event_ids, number))
        if isinstance(answer, list) and answer:
            pending.setdefault(job.stream_id, []).extend(answer)
    return _BatchPlan([job.stream_id for job in jobs], planned, folded, state_of, pending)


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
        seen = Seen(store.read_streams({w.job.stream_id for w in group}), {}, store.open_personal)
        folded, state_of = _folded(store.registry, decider, seen)
        planned: dict[str, tuple[_Waiting[CommandT, StateT], list[NewEvent]]] = {}
        for waiting in group:
            sid = waiting.job.stream_id
            if waiting.expected_version not in {None, folded[sid][1]}:
                continue  # alone, after: execute answers a retry before If-Match
            answer = _plan(store, decider, waiting.job, waiting.meta, seen, state_of, waiting.guard)
            if not isinstance(answer, list):
                waiting.answer = answer
            elif not answer:
                waiting.answer = Outcome(state_of[sid], folded[sid][1], [])
            else:
                planned[sid] = (waiting, answer)
        if not planned:
            return
        pending = {sid: new for sid, (_, new) in planned.items()}
        recorded = _append_planned(store, decider, folded, pending)
        for sid, (waiting, new) in planned.items():
            waiting.answer = _stored(state_of[sid], new, recorded)


def _folded(
    registry: Registry, decider: Decider[CommandT, StateT], seen: Seen
) -> tuple[dict[str, tuple[StateT, int]], dict[str, StateT]]:
    """Each stream seen, folded (state, version), and the states alone."""
    folded = {sid: _fold(registry, decider, h) for sid, h in seen.histories.items()}
    return folded, {sid: state for sid, (state, _) in folded.items()}


def _append_planned(
    store: SqlEventStore,
    decider: Decider[CommandT, StateT],
    folded: dict[str, tuple[StateT, int]],
    pending: dict[str, list[NewEvent]],
) -> dict[str, RecordedEvent]:
    """Append each stream's planned events at its folded version, in one transaction."""
    stored = store.append_streams(_appends(decider, folded, pending))
    return {e.event_id: e for e in stored}


def _appends(
    decider: Decider[CommandT, StateT],
    folded: dict[str, tuple[StateT, int]],
    pending: dict[str, list[NewEvent]],
) -> list[StreamAppend]:
    """Each stream's planned events, expected at its folded version."""
    return [
        StreamAppend(sid, decider.stream_type, folded[sid][1] or NO_STREAM, tuple(new))
        for sid, new in pending.items()
    ]


def _plan(  # noqa: PLR0917 - internal step of execute_batch
    store: SqlEventStore,
    decider: Decider[CommandT, StateT],
    job: Job[CommandT],
    meta: JsonObject,
    seen: Seen,
    state_of: dict[str, StateT],
    guard: Callable[[StateT], None] | None,
) -> Answer[StateT] | list[NewEvent]:
    """The new events of one job (its stream's state is moved on), or its answer already."""
    try:
        if guard is not None:
            guard(state_of[job.stream_id])
        history = seen.histories[job.stream_id]
        replay = _replay(
            store, decider, history, job.command, job.event_ids, open_personal=seen.open_personal
        )
        if replay is not None:
            return replay
        if any(seen.owners.get(i, job.stream_id) != job.stream_id for i in job.event_ids):
            return EventIdConflict(job.event_ids[0], "the event id is used in another stream")
        state = state_of[job.stream_id]
        facts = decider.decide(job.command, state)
        ids = _ids(job.event_ids, len(facts))
    except (DomainError, EventIdConflict) as refused:
        return refused
    for fact in facts:
        state = decider.evolve(state, fact)
    state_of[job.stream_id] = state
    return [store.registry.to_new(f, i, meta) for f, i in zip(facts, ids, strict=True)]


def _reused(job: Job[CommandT]) -> EventIdConflict:
    return EventIdConflict(job.event_ids[0], "the same event id was used for another command")


def _stored(
    state: StateT, planned: list[NewEvent], recorded: dict[str, RecordedEvent]
) -> Outcome[StateT]:
    mine = [recorded[n.event_id] for n in planned]
    return Outcome(state, mine[-1].stream_version, mine)


def fold(
    registry: Registry, decider: Decider[CommandT, StateT], history: Sequence[RecordedEvent]
) -> StateT:
    """The state a stream's history leads to."""
    return _fold(registry, decider, history)[0]


def store_version(store: SqlEventStore, stream_id: str) -> int:
    """The current version of a stream (0 if it has no events)."""
    history = store.read_stream(stream_id)
    return history[-1].stream_version if history else 0


def _fold(
    registry: Registry, decider: Decider[CommandT, StateT], history: Sequence[RecordedEvent]
) -> tuple[StateT, int]:
    state = decider.initial_state()
    for event in history:
        state = decider.evolve(state, registry.to_fact(event))
    return state, history[-1].stream_version if history else 0


def _ids(event_ids: Sequence[str] | None, count: int) -> list[str]:
    """The client's event ids for ``count`` events, or new ones when it chose none."""
    if not event_ids:
        return [new_event_id() for _ in range(count)]
    if len(event_ids) != count:
        raise EventIdConflict(event_ids[0], f"the command makes {count} events")
    return list(event_ids)


def _replay(
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
    again = decider.decide(command, _fold(registry, decider, before)[0])
    personal = open_personal(stored)
    mine = [_comparable(registry.to_new(f, "-", {})) for f in again]
    theirs = [
        (e.event_type, e.payload, e.wilayah, present(personal.get(e.event_id))) for e in stored
    ]
    if mine != theirs:
        raise EventIdConflict(stored[0].event_id, "the same event id was used for another command")
    state = _fold(registry, decider, history)[0]
    return Outcome(state, history[-1].stream_version, stored, replayed=True)


def _comparable(new: NewEvent) -> tuple[object, ...]:
    return new.event_type, new.payload, new.wilayah, present(new.personal)
