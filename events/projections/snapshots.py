"""Decision snapshots derived from the log (``events/decisions.py``): for the streams whose
row is missing, behind or of another shape, at start and in a rebuild, as the projections
are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from domain.fact import Decider
from events import sql, statements
from events.decisions import codec_for, decisions
from events.envelope import RecordedEvent
from events.projections.streams import streams
from events.projections.upsert import upsert_plain
from events.registry import Registry
from events.rows import row_to_event
from events.schema import events

DERIVE_CHUNK = 2000
"""Streams folded and written per statement batch by ``derive``."""


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
        rows = []
        for sid, history in histories.items():
            decider, codec = codecs[history[0].stream_type]
            stored = codec.dump(registry.fold(decider, history))
            rows.append({"stream_id": sid, "version": history[-1].stream_version, **stored.row()})
        upsert_plain(conn, decisions, rows, ["stream_id"])
    return len(ids)
