"""The area figures' read models: where each child lived, and its figures per measured month.

``proj_child_spans`` holds each child's residence spans (registration, moves, exit) with its
sex and date of birth, from which the children present at a month's end are counted;
``proj_child_months`` holds one row per child and month with a counted measurement, as
``domain.figures.child_months`` computes it from the child's assessed history (which
``proj_measurements`` holds: this projection runs after the child projection, in the same
transaction). A touched child is recomputed whole; only changed rows are written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, ClassVar, Final

import orjson
from sqlalchemy import Connection, Table, bindparam, delete, select
from sqlalchemy.sql.elements import BindParameter

from domain.child import events as e
from domain.child.decider import STREAM_PREFIX
from domain.figures import ChildMonth, ChildProfile, Scored, Span, child_months
from domain.figures.periods import month_of
from domain.figures.timeline import spans_after
from events import sql
from events.envelope import RecordedEvent
from events.projections.children import SHARED_ROWS, children, measurements
from events.projections.figure_reads import (
    flagged_months,
    month_rows,
    movers_in,
    new_cases,
    oldest_birth,
    period_sums,
    residents_not_measured,
    span_rows,
    stunted_children,
    within,
)
from events.projections.figure_sums import Sums
from events.projections.figure_tables import (
    area_period_sums,
    child_month_rows,
    child_spans,
    period_movers,
    row_of,
)
from events.projections.upsert import upsert_plain
from events.registry import Registry

__all__ = [
    "FigureChanges",
    "FigureIndex",
    "FigureRows",
    "area_period_sums",
    "child_month_rows",
    "child_spans",
    "flagged_months",
    "month_rows",
    "movers_in",
    "new_cases",
    "oldest_birth",
    "period_movers",
    "period_sums",
    "residents_not_measured",
    "span_rows",
    "stunted_children",
    "within",
]

_RECORDED: Final = e.MeasurementRecorded.event_type
_SPAN_TYPES: Final = frozenset(
    f.event_type for f in (e.ChildRegistered, e.ChildMoved, e.ChildExited)
)


class FigureIndex:
    """Keeps ``proj_child_spans`` and ``proj_child_months`` in step with the child streams."""

    name: ClassVar[str] = "figures"
    tables: ClassVar[tuple[Table, ...]] = (
        child_spans,
        child_month_rows,
        area_period_sums,
        period_movers,
    )
    event_types: ClassVar[frozenset[str] | None] = frozenset(f.event_type for f in e.CHILD_FACTS)
    write_only: ClassVar[bool] = False
    stream_local: ClassVar[bool] = True

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def apply(self, conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        """Recompute the touched children's spans and months; write what changed."""
        ids = sorted({e.stream_id.removeprefix(STREAM_PREFIX) for e in batch})
        stored = FigureRows(
            _profiles(conn.execute(_SPANS_OF, {"ids": ids})), _month_rows(conn, ids)
        )
        self.apply_prefetched(conn, batch, stored)

    def prefetch(self, reader: sql.Reader, stream_ids: Sequence[str]) -> FigureRows:
        """The stored spans and month rows of the children of ``stream_ids``."""
        ids = [s.removeprefix(STREAM_PREFIX) for s in stream_ids if s.startswith(STREAM_PREFIX)]
        spans, months = reader.rows_of_children(ids, _AMONG_CHILDREN, (_ITS_SPANS, _ITS_MONTHS))
        return FigureRows(_profiles(tuple(r.values()) for r in spans), months)

    def apply_prefetched(
        self, conn: Connection, batch: Sequence[RecordedEvent], rows: object
    ) -> None:
        """``apply`` on rows read before (``prefetch``): no reads, only writes."""
        assert isinstance(rows, FigureRows)
        self._update(conn, batch, rows)

    def replayed(
        self,
        batch: Sequence[RecordedEvent],
        shared: MutableMapping[str, object],
        conn: Connection | None,
    ) -> FigureChanges:
        """The rows of whole streams of children with no rows yet, from the child rows the
        child projection left in ``shared`` for this batch (or, without, read on ``conn``)."""
        return self._computed(batch, FigureRows({}, []), shared, conn, fresh=True)

    def write_replayed(
        self, conn: Connection, replayed: object, kept: MutableMapping[str, object]
    ) -> None:
        """Insert what ``replayed`` computed, in bulk; its sums are added up in ``kept``:
        each chunk's children share most of the area's sums."""
        assert isinstance(replayed, FigureChanges)
        _write_spans(conn, replayed.profiles, fresh=True)
        sql.insert_rows(conn, child_month_rows, replayed.changed)
        sums = kept.setdefault(self.name, Sums())
        assert isinstance(sums, Sums)
        sums.add(replayed.sums)

    def end_replay(self, conn: Connection, kept: MutableMapping[str, object]) -> None:
        """Add the sums of the chunks replayed so far to the stored ones."""
        sums = kept.pop(self.name, None)
        if isinstance(sums, Sums):
            sums.write(conn)

    def _update(self, conn: Connection, batch: Sequence[RecordedEvent], rows: FigureRows) -> None:
        computed = self._computed(batch, rows, conn.info, conn, fresh=False)
        _write_spans(conn, computed.profiles, fresh=False)
        if computed.gone:
            sql.execute_many(conn, _DROP_MONTH, computed.gone)
        upsert_plain(conn, child_month_rows, computed.changed, ["child_id", "month"])
        computed.sums.write(conn)

    def _computed(
        self,
        batch: Sequence[RecordedEvent],
        rows: FigureRows,
        shared: MutableMapping[str, object],
        conn: Connection | None,
        *,
        fresh: bool,
    ) -> FigureChanges:
        """What the batch changes: the children's spans, month rows and sums (``fresh``:
        whole streams of children with no rows yet, so every month is new)."""
        ids = sorted({e.stream_id.removeprefix(STREAM_PREFIX) for e in batch})
        stored = rows.profiles
        spans = {i: p.spans for i, p in stored.items()}
        for event in batch:
            if event.event_type in _SPAN_TYPES:
                child_id = event.stream_id.removeprefix(STREAM_PREFIX)
                spans[child_id] = spans_after(spans.get(child_id, ()), self.registry.to_fact(event))
        kids, scored = _children_of(shared, conn, batch, ids)
        profiles = [ChildProfile(i, *kids[i], spans[i]) for i in ids if i in kids]
        since = {} if fresh else self._since(batch)
        before: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        for row in rows.months:
            before[row["child_id"]][row["month"]] = row
        sums = Sums()
        gone, changed = [], []
        for profile in profiles:
            child_id = profile.child_id
            old = before.get(child_id, {})
            start = since.get(child_id, "")
            kept = {m: r for m, r in old.items() if m < start}
            computed = {m.month: m for m in child_months(profile, scored.get(child_id, []), start)}
            new = kept | {month: row_of(m) for month, m in computed.items()}
            gone += [{"child_id": child_id, "month": m} for m in old if m not in new]
            moved = [m for m, r in new.items() if old.get(m) != r]
            changed += [new[m] for m in moved]
            now: dict[str, ChildMonth | Mapping[str, Any]] = {**kept, **computed}
            sums.change(stored.get(child_id), old, profile, now, [*moved, *(old.keys() - new)])
        written = [p for p in profiles if p != stored.get(p.child_id)]
        return FigureChanges(written, gone, changed, sums)

    def _since(self, batch: Sequence[RecordedEvent]) -> dict[str, str]:
        """Per child whose events here are all new measurements, the first month they touch.

        Such a child's earlier months stay as they are: a month's figures depend only on its
        own measurements, the earlier ones (the previous HAZ) and the child's registration
        and residence, none of which a later new measurement changes.
        """
        since: dict[str, str] = {}
        other: set[str] = set()
        for event in batch:
            child_id = event.stream_id.removeprefix(STREAM_PREFIX)
            fact = self.registry.to_fact(event) if event.event_type == _RECORDED else None
            if not isinstance(fact, e.MeasurementRecorded):
                other.add(child_id)
                continue
            month = month_of(fact.measurement.measured_on)
            since[child_id] = min(month, since.get(child_id, month))
        return {c: m for c, m in since.items() if c not in other}


@dataclass
class FigureRows:
    """The stored spans (with sex and date of birth) and month rows of some children."""

    profiles: dict[str, ChildProfile]
    months: list[dict[str, Any]]


@dataclass
class FigureChanges:
    """What a batch changes: spans to store for these children (instead of theirs), month
    rows to drop and to store, and the changes to the sums and movers."""

    profiles: list[ChildProfile]
    gone: list[dict[str, str]]
    changed: list[dict[str, Any]]
    sums: Sums


_IDS: BindParameter[list[str]] = bindparam("ids", expanding=True)
# Built once: building a statement costs more than running it, inside the append lock.
_SPANS = select(
    child_spans.c.child_id,
    child_spans.c.sex,
    child_spans.c.birth_date,
    child_spans.c.desa,
    child_spans.c.starts_on,
    child_spans.c.ends_on,
).order_by(child_spans.c.child_id, child_spans.c.seq)
_SPANS_OF = _SPANS.where(child_spans.c.child_id.in_(_IDS))
_MONTHS_OF = select(child_month_rows).where(child_month_rows.c.child_id.in_(_IDS))
_AMONG_CHILDREN = (
    (_SPANS, child_spans.c.child_id),
    (select(child_month_rows), child_month_rows.c.child_id),
)
_ONE: BindParameter[str] = bindparam("child_id")
_ITS_SPANS = (
    select(*_SPANS_OF.selected_columns)
    .where(child_spans.c.child_id == _ONE)
    .order_by(child_spans.c.seq)
)
_ITS_MONTHS = select(child_month_rows).where(child_month_rows.c.child_id == _ONE)
# Per key, sent with executemany straight to the driver (pipelined on PostgreSQL).
_DROP_SPANS = delete(child_spans).where(child_spans.c.child_id == bindparam("child_id"))
_DROP_MONTH = delete(child_month_rows).where(
    child_month_rows.c.child_id == bindparam("child_id"),
    child_month_rows.c.month == bindparam("month"),
)


def _profiles(rows: Iterable[Sequence[Any]]) -> dict[str, ChildProfile]:
    """The children's spans as stored (rows of ``_SPANS_OF``, in its order), with the sex
    and date of birth stored beside them."""
    found: dict[str, ChildProfile] = {}
    for child_id, sex, birth_date, desa, starts_on, ends_on in rows:
        old = found.get(child_id) or ChildProfile(child_id, sex, birth_date, ())
        found[child_id] = replace(old, spans=(*old.spans, Span(desa, starts_on, ends_on)))
    return found


def _children_of(
    shared: MutableMapping[str, object],
    conn: Connection | None,
    batch: Sequence[RecordedEvent],
    ids: list[str],
) -> tuple[dict[str, tuple[str, date]], dict[str, list[Scored]]]:
    """Sex, date of birth and scored measurements of the children, as the child projection
    just left them (in ``shared``, for the same batch) or as stored."""
    left = shared.pop(SHARED_ROWS, None)
    if isinstance(left, tuple) and left[0] == tuple(e.event_id for e in batch):
        _, kid_rows, by_child = left
        kids = {i: (k["sex"], k["birth_date"]) for i, k in kid_rows.items()}
        scored = {
            i: [
                _scored(m["event_id"], m["measured_on"], m["position"], m["assessment"])
                for m in rows
                if m["state"] != "voided"
            ]
            for i, rows in by_child.items()
        }
        return kids, scored
    assert conn is not None, "the child rows are neither shared nor readable"
    rows = conn.execute(
        select(children.c.child_id, children.c.sex, children.c.birth_date).where(
            children.c.child_id.in_(ids)
        )
    )
    return {r.child_id: (r.sex, r.birth_date) for r in rows}, _scored_of(conn, ids)


def _scored_of(conn: Connection, ids: list[str]) -> dict[str, list[Scored]]:
    found: dict[str, list[Scored]] = {}
    rows = conn.execute(
        select(
            measurements.c.child_id,
            measurements.c.event_id,
            measurements.c.measured_on,
            measurements.c.position,
            measurements.c.assessment,
        ).where(measurements.c.child_id.in_(ids), measurements.c.state != "voided")
    )
    for child_id, event_id, measured_on, position, assessment in rows:
        found.setdefault(child_id, []).append(_scored(event_id, measured_on, position, assessment))
    return found


def _scored(event_id: str, measured_on: date, position: int, assessment: str | None) -> Scored:
    if assessment is None:
        return Scored(event_id, measured_on, position, None, None, None, frozenset())
    a = orjson.loads(assessment)
    # ``wasted`` is True with no WHZ only for oedema within the standards' age (the
    # assessment gives no WHZ with oedema, and None for ``wasted`` when WHZ is missing).
    oedema = a["wasted"] is True and a["whz"] is None
    return Scored(
        event_id,
        measured_on,
        position,
        a["haz"],
        a["whz"],
        a["waz"],
        frozenset(a["flags"]),
        oedema=oedema,
    )


_INSERT_SPAN = child_spans.insert()


def _write_spans(conn: Connection, profiles: Sequence[ChildProfile], *, fresh: bool) -> None:
    """Store the children's spans instead of those stored (``fresh``: none are, and the
    rows go in bulk; otherwise in the append's pipeline, where COPY cannot go)."""
    if not profiles:
        return
    rows = [
        {
            "child_id": p.child_id,
            "seq": seq,
            "desa": s.desa,
            "sex": p.sex,
            "birth_date": p.birth_date,
            "starts_on": s.start,
            "ends_on": s.end,
        }
        for p in profiles
        for seq, s in enumerate(p.spans)
    ]
    if fresh:
        sql.insert_rows(conn, child_spans, rows)
        return
    sql.execute_many(conn, _DROP_SPANS, [{"child_id": p.child_id} for p in profiles])
    if rows:
        sql.execute_many(conn, _INSERT_SPAN, rows)


def _month_rows(conn: Connection, ids: list[str]) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(_MONTHS_OF, {"ids": ids})]
