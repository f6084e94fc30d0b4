"""Decision snapshots: each stream's decision state kept as one row, so that a write reads a
row per stream instead of re-reading and re-folding the stream's whole history.

A write decides on the state its stream's facts lead to. Folding the history made a write
cost more the longer the stream was (a child measured monthly for five years has 60+
events). Instead, the state the write path reaches after its facts is stored beside the
events, in ``stream_decisions``, in the append's own transaction and under the append lock,
with the stream's version after the append. So a row is current whenever it exists:

- an append that carries no state (a decider without snapshots, a tool appending events by
  hand) deletes its streams' rows in the same transaction;
- a row behind its stream's version (an append by code that predates the table, say) is
  not read;
- a row whose ``shape`` differs from the decider's (its state type changed, or its
  ``snapshot_revision`` was raised because facts now fold differently) is ignored, and so is
  a row that no longer loads;
- a stream without a usable row is read and folded as before, and its next write stores
  the row again.

``events/projections/snapshots.py`` derives, under the append lock, the rows of the streams
whose row is missing, behind or of another shape, from their histories: at start (after the
projections catch up, so a store that predates this table, or was filled by hand, gets its
rows once) and in a rebuild of every projection, which drops the rows and derives them all.

Retries are recognised by looking their event ids up, not by scanning the history: a
stream whose command names an event id that is stored already is read whole, and the
earlier outcome is found as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Column, Connection, Integer, String, Table, Text, bindparam, func, select

from events import sql
from events.envelope import Decision, StreamAppend
from events.projections.upsert import upsert_plain
from events.schema import events, metadata

StateT = TypeVar("StateT")
log = logging.getLogger(__name__)

decisions = Table(
    "stream_decisions",
    metadata,
    Column("stream_id", String(120), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("shape", String(80), nullable=False),
    Column("state", Text, nullable=False),
)

READ = select(
    decisions.c.stream_id, decisions.c.version, decisions.c.shape, decisions.c.state
).where(  # only a row at its stream's version: never one an append left behind
    decisions.c.version
    == select(func.max(events.c.stream_version))
    .where(events.c.stream_id == decisions.c.stream_id)
    .scalar_subquery()
)
FORGET = decisions.delete().where(decisions.c.stream_id == bindparam("stream_id"))


class Codec(Generic[StateT]):
    """A decider's state to and from its stored JSON, with the shape it is stored under."""

    def __init__(self, state_type: type[StateT], revision: int) -> None:
        self.adapter: TypeAdapter[StateT] = TypeAdapter(state_type)
        schema = json.dumps(self.adapter.json_schema(mode="serialization"), sort_keys=True)
        digest = hashlib.sha256(schema.encode()).hexdigest()[:16]
        self.shape = f"{state_type.__qualname__[:50]}.{revision}.{digest}"

    def dump(self, state: StateT) -> Decision:
        """The snapshot of ``state``, for an append to carry."""
        return Decision(self.shape, self.adapter.dump_json(state).decode())

    def load(self, shape: str, text: str) -> StateT | None:
        """The state of a stored row, or None when it is of another shape or does not load."""
        if shape != self.shape:
            return None
        try:
            return self.adapter.validate_json(text)
        except ValidationError:
            log.warning("a decision snapshot of shape %s did not load; folding instead", shape)
            return None


def codec_for(decider: object) -> Codec[Any] | None:
    """The codec of a decider that keeps snapshots (``snapshots = True``), else None."""
    if not getattr(decider, "snapshots", False):
        return None
    state_type = type(decider.initial_state())  # type: ignore[attr-defined]
    revision = int(getattr(decider, "snapshot_revision", 1))
    codec = _CODECS.get((state_type, revision))
    if codec is None:
        codec = _CODECS[state_type, revision] = Codec(state_type, revision)
    return codec


_CODECS: dict[tuple[type, int], Codec[Any]] = {}


def loaded(
    codec: Codec[StateT], rows: Sequence[Mapping[str, Any]]
) -> dict[str, tuple[StateT, int]]:
    """The usable rows among ``rows`` (of ``READ``): each stream's state and version."""
    found: dict[str, tuple[StateT, int]] = {}
    for row in rows:
        state = codec.load(row["shape"], row["state"])
        if state is not None:
            found[row["stream_id"]] = (state, int(row["version"]))
    return found


def write(conn: Connection, appends: Sequence[StreamAppend], versions: Mapping[str, int]) -> None:
    """In the append's transaction: store the snapshots ``appends`` carry, at the streams'
    ``versions`` after it, and delete those of streams appended without one."""
    rows = [
        {"stream_id": a.stream_id, "version": versions[a.stream_id], **a.decision.row()}
        for a in appends
        if a.decision is not None
    ]
    upsert_plain(conn, decisions, rows, ["stream_id"])
    stale = [{"stream_id": a.stream_id} for a in appends if a.decision is None]
    if stale:
        sql.execute_many(conn, FORGET, stale)
