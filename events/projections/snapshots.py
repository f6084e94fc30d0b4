"""Decision snapshots derived from the log (``events/decisions.py``), as the projections are.

``DecisionIndex`` derives them in a replay (a rebuild of every projection, or the first
start after migration 0014), in the replay's worker processes beside the other projections;
the store itself writes them with each append, so a batch applied inline changes nothing
here. ``derive`` then folds, under the append lock, the streams whose row is still missing,
behind its stream or of another shape (a stream longer than a replay's chunk, a decider
whose state changed), at every start and after a rebuild."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any, ClassVar

from sqlalchemy import Connection, Table, select

from domain.fact import Decider
from events import sql, statements
from events.decisions import Codec, codec_for, decisions
from events.envelope import RecordedEvent
from events.projections.kinds import InsertsRows
from events.projections.streams import streams
from events.projections.upsert import upsert_plain
from events.registry import Registry
from events.rows import row_to_event
from events.schema import events

DERIVE_CHUNK = 2000
"""Streams folded and written per statement batch by ``derive``."""


class DecisionIndex(InsertsRows):
    """The decision snapshots as a projection, for replays (see the module's docstring)."""

    name: ClassVar[str] = "decisions"
    tables: ClassVar[tuple[Table, ...]] = (decisions,)
    event_types: ClassVar[frozenset[str] | None] = None
    write_only: ClassVar[bool] = True
    stream_local: ClassVar[bool] = True

    def __init__(self, registry: Registry, deciders: Sequence[Decider[Any, Any]]) -> None:
        self.registry = registry
        self.codecs = {d.stream_type: (d, c) for d in deciders if (c := codec_for(d)) is not None}

    def apply(self, conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        """Nothing: the store wrote the rows with the append (or a stream longer than a
        replay's chunk is left to ``derive``)."""

    def replayed(
        self,
        batch: Sequence[RecordedEvent],
        shared: MutableMapping[str, object],  # Replaying: this projection shares nothing
        conn: Connection | None,  # nor reads anything
    ) -> list[dict[str, object]]:
        """The rows of whole streams, each folded."""
        histories: dict[str, list[RecordedEvent]] = {}
        for event in batch:
            if event.stream_type in self.codecs:
                histories.setdefault(event.stream_id, []).append(event)
        return _folded(self.registry, self.codecs, histories)


def derive(conn: Connection, registry: Registry, deciders: Sequence[Decider[Any, Any]]) -> int:
    """In ``conn``'s transaction (holding the append lock), store the snapshot of every
    stream of the ``deciders``' types whose row is missing, behind its stream or of another
    shape, folded from its history; the number of rows stored."""
    codecs = {d.stream_type: (d, c) for d in deciders if (c := codec_for(d)) is not None}
    if not codecs:
        return 0
    held = select(
        streams.c.stream_id,
        streams.c.stream_type,
        streams.c.version,
        decisions.c.version,
        decisions.c.shape,
    ).outerjoin(decisions, decisions.c.stream_id == streams.c.stream_id)
    ids = [
        str(sid)
        for sid, kind, version, kept, shape in conn.execute(
            held.where(streams.c.stream_type.in_(list(codecs))).order_by(streams.c.stream_id)
        )
        if (kept, shape) != (version, codecs[kind][1].shape)
    ]
    reader = sql.Reader.within(conn)
    for start in range(0, len(ids), DERIVE_CHUNK):
        histories: dict[str, list[RecordedEvent]] = {}
        chunk = ids[start : start + DERIVE_CHUNK]
        for row in reader.rows_among(statements.STREAMS, events.c.stream_id, chunk):
            event = row_to_event(*row.values())
            histories.setdefault(event.stream_id, []).append(event)
        upsert_plain(conn, decisions, _folded(registry, codecs, histories), ["stream_id"])
    return len(ids)


def _folded(
    registry: Registry,
    codecs: Mapping[str, tuple[Decider[Any, Any], Codec[Any]]],
    histories: Mapping[str, Sequence[RecordedEvent]],
) -> list[dict[str, object]]:
    """The snapshot rows of whole streams, each folded by its type's decider."""
    rows: list[dict[str, object]] = []
    for sid, history in histories.items():
        decider, codec = codecs[history[0].stream_type]
        stored = codec.dump(registry.fold(decider, history))
        rows.append({"stream_id": sid, "version": history[-1].stream_version, **stored.row()})
    return rows
