"""The batched write path: independent commands, each accepted or refused on its own, in
one transaction (``execute_batch``), and the steps ``GroupCommit`` shares with it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic

from domain.fact import Decider, DomainError
from events import decisions
from events.envelope import NO_STREAM, JsonObject, NewEvent, RecordedEvent, StreamAppend
from events.errors import EventIdConflict, InvalidAppend, WrongExpectedVersion
from events.outcomes import (
    Answer,
    CommandT,
    Job,
    Outcome,
    StateT,
    earlier_outcome,
    event_ids_for,
    fold_history,
)
from events.registry import Registry
from events.store import Seen, SqlEventStore


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
    seen = seen_for(
        store, decider, [j.stream_id for j in jobs], [i for j in jobs for i in j.event_ids]
    )
    plan = _plan_batch(store, decider, jobs, meta=meta, guard=guard, seen=seen)
    if not plan.pending:
        return plan.answers_after({})
    try:
        recorded = append_planned(store, decider, plan)
    except (WrongExpectedVersion, EventIdConflict, InvalidAppend):
        return batch_locked(store, decider, jobs, meta, guard)
    return plan.answers_after(recorded)


def batch_locked(
    store: SqlEventStore,
    decider: Decider[CommandT, StateT],
    jobs: Sequence[Job[CommandT]],
    meta: JsonObject,
    guard: Callable[[StateT], None] | None,
) -> list[Answer[StateT]]:
    """``execute_batch`` read, decided and appended under the append lock: it cannot race."""
    plans: list[_BatchPlan[StateT]] = []

    def decide(seen: Seen) -> list[StreamAppend]:
        plans.append(_plan_batch(store, decider, jobs, meta=meta, guard=guard, seen=seen))
        return appends_of(decider, plans[-1])

    event_ids = [i for job in jobs for i in job.event_ids]
    stored = store.append_decided({job.stream_id for job in jobs}, event_ids, decide)
    return plans[-1].answers_after({e.event_id: e for e in stored})


@dataclass
class Decided(Generic[StateT]):
    """Streams decided on, ready to append."""

    folded: dict[str, tuple[StateT, int]]  # each stream as read: state and version
    state_of: dict[str, StateT]  # each stream's state after the accepted commands
    pending: dict[str, list[NewEvent]]  # each stream's new events


@dataclass
class _BatchPlan(Decided[StateT]):
    """A batch decided on one read of its streams: each job's answer, or its new events."""

    stream_ids: list[str]  # each job's stream
    planned: list[Answer[StateT] | list[NewEvent]]

    def answers_after(self, recorded: dict[str, RecordedEvent]) -> list[Answer[StateT]]:
        """The answers, once the pending events are stored as ``recorded``."""
        answers: list[Answer[StateT]] = []
        for sid, planned in zip(self.stream_ids, self.planned, strict=True):
            if not isinstance(planned, list):
                answers.append(planned)
            elif not planned:  # the command changed nothing
                answers.append(Outcome(self.folded[sid][0], self.folded[sid][1], []))
            else:
                answers.append(stored_outcome(self.state_of[sid], planned, recorded))
        return answers


def _plan_batch(
    store: SqlEventStore,
    decider: Decider[CommandT, StateT],
    jobs: Sequence[Job[CommandT]],
    *,
    meta: JsonObject,
    guard: Callable[[StateT], None] | None,
    seen: Seen,
) -> _BatchPlan[StateT]:
    """Decide each job on the streams ``seen``, in order, each on the state the earlier
    accepted jobs of its stream left."""
    folded, state_of = folded_streams(store.registry, decider, seen)
    planned: list[Answer[StateT] | list[NewEvent]] = []
    pending: dict[str, list[NewEvent]] = {}
    first_use: dict[str, int] = {}
    for number, job in enumerate(jobs):
        again = next((first_use[i] for i in job.event_ids if i in first_use), None)
        if again is not None:  # the same event ids twice in one batch
            same = (jobs[again].stream_id, jobs[again].command) == (job.stream_id, job.command)
            planned.append(planned[again] if same else _reused(job))
            continue
        answer = plan(store, decider, job, meta=meta, seen=seen, state_of=state_of, guard=guard)
        planned.append(answer)
        first_use.update(dict.fromkeys(job.event_ids, number))
        if isinstance(answer, list) and answer:
            pending.setdefault(job.stream_id, []).extend(answer)
    return _BatchPlan(folded, state_of, pending, [job.stream_id for job in jobs], planned)


def seen_for(
    store: SqlEventStore,
    decider: Decider[CommandT, StateT],
    stream_ids: Sequence[str],
    event_ids: Sequence[str],
) -> Seen:
    """The streams as a decision on them needs them (``SqlEventStore.read_for_decision``)."""
    return store.read_for_decision(decisions.codec_for(decider), stream_ids, event_ids)


def folded_streams(
    registry: Registry, decider: Decider[CommandT, StateT], seen: Seen
) -> tuple[dict[str, tuple[StateT, int]], dict[str, StateT]]:
    """Each stream seen, folded or from its snapshot (state, version), and the states alone."""
    folded: dict[str, tuple[StateT, int]] = dict(seen.snapshots)
    folded.update({sid: fold_history(registry, decider, h) for sid, h in seen.histories.items()})
    return folded, {sid: state for sid, (state, _) in folded.items()}


def append_planned(
    store: SqlEventStore, decider: Decider[CommandT, StateT], planned: Decided[StateT]
) -> dict[str, RecordedEvent]:
    """Append each stream's planned events at its folded version, in one transaction."""
    stored = store.append_streams(appends_of(decider, planned))
    return {e.event_id: e for e in stored}


def appends_of(decider: Decider[CommandT, StateT], planned: Decided[StateT]) -> list[StreamAppend]:
    """Each stream's planned events, expected at its folded version, with the snapshot of its
    state after them where the decider keeps snapshots."""
    codec = decisions.codec_for(decider)
    return [
        StreamAppend(
            sid,
            decider.stream_type,
            planned.folded[sid][1] or NO_STREAM,
            tuple(new),
            None if codec is None else codec.dump(planned.state_of[sid]),
        )
        for sid, new in planned.pending.items()
    ]


def plan(
    store: SqlEventStore,
    decider: Decider[CommandT, StateT],
    job: Job[CommandT],
    *,
    meta: JsonObject,
    seen: Seen,
    state_of: dict[str, StateT],
    guard: Callable[[StateT], None] | None,
) -> Answer[StateT] | list[NewEvent]:
    """The new events of one job (its stream's state is moved on), or its answer already."""
    try:
        if guard is not None:
            guard(state_of[job.stream_id])
        history = seen.histories.get(job.stream_id)  # None: from its snapshot, never a retry
        if history is not None:
            replay = earlier_outcome(
                store,
                decider,
                history,
                job.command,
                job.event_ids,
                open_personal=seen.open_personal,
            )
            if replay is not None:
                return replay
        if any(seen.owners.get(i, job.stream_id) != job.stream_id for i in job.event_ids):
            return EventIdConflict(job.event_ids[0], "the event id is used in another stream")
        state = state_of[job.stream_id]
        facts = decider.decide(job.command, state)
        ids = event_ids_for(job.event_ids, len(facts))
    except (DomainError, EventIdConflict) as refused:
        return refused
    for fact in facts:
        state = decider.evolve(state, fact)
    state_of[job.stream_id] = state
    return [store.registry.to_new(f, i, meta) for f, i in zip(facts, ids, strict=True)]


def _reused(job: Job[CommandT]) -> EventIdConflict:
    return EventIdConflict(job.event_ids[0], "the same event id was used for another command")


def stored_outcome(
    state: StateT, planned: list[NewEvent], recorded: dict[str, RecordedEvent]
) -> Outcome[StateT]:
    mine = [recorded[n.event_id] for n in planned]
    return Outcome(state, mine[-1].stream_version, mine)
