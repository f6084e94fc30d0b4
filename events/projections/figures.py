"""The area figures' read models: where each child lived, and its figures per measured month.

``proj_child_spans`` holds each child's residence spans (registration, moves, exit) with its
sex and date of birth, from which the children present at a month's end are counted;
``proj_child_months`` holds one row per child and month with a counted measurement, as
``domain.figures.child_months`` computes it from the child's assessed history (which
``proj_measurements`` holds: this projection runs after the child projection, in the same
transaction). A touched child is recomputed whole; only changed rows are written.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from functools import cache
from typing import Any, ClassVar, Final

import orjson
from sqlalchemy import (
    Column,
    Connection,
    Date,
    Float,
    Index,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    delete,
    or_,
    select,
    text,
)
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from domain.child import events as e
from domain.child.decider import STREAM_PREFIX
from domain.figures import ChildMonth, ChildProfile, NewCase, Scored, Span, child_months
from domain.figures.child import FIRST_MEASURED, INCIDENT
from domain.figures.periods import month_of
from domain.figures.shares import Share, periods_of, shares
from domain.figures.tally import COUNTS, Split
from domain.figures.timeline import spans_after
from domain.growth.rules import DAYS_PER_MONTH, MAX_AGE_MONTHS
from events import sql
from events.envelope import RecordedEvent
from events.projections.children import SHARED_ROWS, children, measurements
from events.projections.upsert import insert_for, upsert_plain
from events.registry import Registry
from events.schema import metadata

_FLAGS: Final = (
    "haz_valid",
    "stunted",
    "severely_stunted",
    "whz_valid",
    "wasted",
    "severely_wasted",
    "overweight",
    "waz_valid",
    "underweight",
    "incident",
    "first_measured_stunted",
)

_NEW_CASE: Final = "incident = 1 OR first_measured_stunted = 1"  # a month that made a new case

child_spans = Table(
    "proj_child_spans",
    metadata,
    Column("child_id", String(36), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("desa", String(13), nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),  # exclusive; null while the child lives there
    Index("ix_proj_child_spans_desa", "desa", "starts_on"),
)

child_month_rows = Table(
    "proj_child_months",
    metadata,
    Column("child_id", String(36), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("desa", String(13), nullable=False),
    Column("end_desa", String(13), nullable=True),
    Column("sex", String(1), nullable=False),
    Column("band", String(5), nullable=False),
    *(Column(name, Integer, nullable=False) for name in (*_FLAGS, "flagged")),
    Column("event_id", String(36), nullable=False),
    Column("measured_on", Date, nullable=False),
    Column("haz", Float, nullable=True),
    Index("ix_proj_child_months_month_desa", "month", "desa"),
    # The new cases of an area and period, listed beside its sums.
    Index(
        "ix_proj_child_months_new_cases",
        "month",
        "desa",
        postgresql_where=text(_NEW_CASE),
        sqlite_where=text(_NEW_CASE),
    ),
)
area_period_sums = Table(
    "proj_area_periods",
    metadata,
    Column("period", String(7), primary_key=True),
    Column("desa", String(13), primary_key=True),
    Column("sex", String(1), primary_key=True),
    Column("band", String(5), primary_key=True),
    *(Column(name, Integer, nullable=False) for name in COUNTS),
)
period_movers = Table(
    "proj_period_movers",
    metadata,
    Column("period", String(7), primary_key=True),
    Column("desa", String(13), primary_key=True),
    Column("child_id", String(36), primary_key=True),
)
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
        sums = kept.setdefault(self.name, _Sums())
        assert isinstance(sums, _Sums)
        sums.add(replayed.sums)

    def end_replay(self, conn: Connection, kept: MutableMapping[str, object]) -> None:
        """Add the sums of the chunks replayed so far to the stored ones."""
        sums = kept.pop(self.name, None)
        if isinstance(sums, _Sums):
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
        sums = _Sums()
        gone, changed = [], []
        for profile in profiles:
            child_id = profile.child_id
            old = before.get(child_id, {})
            start = since.get(child_id, "")
            kept = {m: r for m, r in old.items() if m < start}
            computed = {m.month: m for m in child_months(profile, scored.get(child_id, []), start)}
            new = kept | {month: _row(m) for month, m in computed.items()}
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


class _Sums:
    """What a batch changes in the desa-period sums and the list of movers."""

    def __init__(self) -> None:
        self.deltas: dict[tuple[str, str, str, str], list[int]] = {}
        self.movers: dict[tuple[str, str, str], int] = defaultdict(int)

    def change(
        self,
        old_profile: ChildProfile | None,
        old_rows: Mapping[str, Mapping[str, Any]],
        profile: ChildProfile,
        new_rows: Mapping[str, ChildMonth | Mapping[str, Any]],
        months: Collection[str],
    ) -> None:
        """Count a child's new shares instead of its old ones: those of the periods of
        ``months`` (the months whose rows changed), or of all if its profile changed."""
        periods: set[str] | None = None
        if old_profile == profile:
            if not months:
                return
            periods = {p for m in months for p in periods_of(m)}
        before = (
            {} if old_profile is None else shares(old_profile, _months(old_rows, periods), periods)
        )
        after = shares(profile, _months(new_rows, periods), periods)
        for period in before.keys() | after.keys():
            was, now = before.get(period), after.get(period)
            if was != now:
                if was is not None:
                    self._count(profile.child_id, period, was, -1)
                if now is not None:
                    self._count(profile.child_id, period, now, 1)

    def add(self, other: _Sums) -> None:
        """Take in ``other``'s changes too."""
        for key, delta in other.deltas.items():
            mine = self.deltas.setdefault(key, [0] * len(COUNTS))
            mine[:] = [a + b for a, b in zip(mine, delta, strict=True)]
        for mover, n in other.movers.items():
            self.movers[mover] += n

    def _count(self, child_id: str, period: str, share: Share, sign: int) -> None:
        if share.counts is None:
            for desa in share.desa:
                self.movers[period, desa, child_id] += sign
            return
        key = (period, share.desa[0], share.sex, share.band)
        delta = self.deltas.setdefault(key, [0] * len(COUNTS))
        # A Split's fields, in the order of COUNTS; most are 0 (present, not measured).
        for i, n in enumerate(share.counts.__dict__.values()):
            if n:
                delta[i] += sign * n

    def write(self, conn: Connection) -> None:
        """Add the changes to the stored sums; drop sums left empty; update the movers."""
        changed = {k: d for k, d in self.deltas.items() if any(d)}
        if changed:
            rows = [
                {**dict(zip(_SUM_KEY, key, strict=True)), **dict(zip(COUNTS, delta, strict=True))}
                for key, delta in changed.items()
            ]
            sql.execute_many(conn, _add_sums(conn.dialect.name), rows)
            # A sum whose ``present`` (the first count) fell may have reached no child at all.
            emptied = [dict(zip(_SUM_KEY, k, strict=True)) for k, d in changed.items() if d[0] < 0]
            if emptied:
                sql.execute_many(conn, _DROP_EMPTY_SUM, emptied)
        keys = ("period", "desa", "child_id")
        gone = [dict(zip(keys, k, strict=True)) for k, n in self.movers.items() if n < 0]
        new = [dict(zip(keys, k, strict=True)) for k, n in self.movers.items() if n > 0]
        if gone:
            sql.execute_many(conn, _DROP_MOVER, gone)
        if new:
            sql.execute_many(conn, _INSERT_MOVER, new)


def _months(
    rows: Mapping[str, ChildMonth | Mapping[str, Any]], periods: set[str] | None
) -> list[ChildMonth]:
    """The months (stored rows or computed) that count in ``periods`` (all if None)."""
    return [
        row if isinstance(row, ChildMonth) else _month_of(dict(row))
        for month, row in rows.items()
        if periods is None or not periods.isdisjoint(periods_of(month))
    ]


_SUM_KEY: Final = ("period", "desa", "sex", "band")


@cache
def _add_sums(dialect: str) -> Any:
    """INSERT the sums, or where the key exists add them to the stored ones."""
    statement = insert_for(dialect, area_period_sums)
    c = area_period_sums.c
    return statement.on_conflict_do_update(
        index_elements=list(_SUM_KEY),
        set_={name: c[name] + statement.excluded[name] for name in COUNTS},
    )


_DROP_EMPTY_SUM = delete(area_period_sums).where(
    *(area_period_sums.c[k] == bindparam(k) for k in _SUM_KEY), area_period_sums.c.present == 0
)
_DROP_MOVER = delete(period_movers).where(
    *(period_movers.c[k] == bindparam(k) for k in ("period", "desa", "child_id"))
)
_INSERT_MOVER = period_movers.insert()


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
    sums: _Sums


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


_COLUMNS: Final = tuple(f.name for f in fields(ChildMonth))


def _row(month: ChildMonth) -> dict[str, Any]:
    row = {name: getattr(month, name) for name in _COLUMNS}
    for name in _FLAGS:
        row[name] = int(row[name])
    return row


def _month_rows(conn: Connection, ids: list[str]) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(_MONTHS_OF, {"ids": ids})]


# -- reading ----------------------------------------------------------------------------


def within(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` (a desa code) lies under the area ``prefix``."""
    return or_(column == prefix, column.like(prefix + ".%"))


def month_rows(
    conn: Connection, prefix: str, months: Sequence[str], *, ids: Sequence[str] | None = None
) -> list[ChildMonth]:
    """The measured child-months in the area and months (only the children ``ids``, if
    given)."""
    if ids is None:
        return [_month_from(row) for row in _in_months(conn, _AREA_MONTHS, prefix, months)]
    found = sql.Reader.within(conn).rows_among(
        _AREA_MONTHS, child_month_rows.c.child_id, ids, _names_in(prefix, months)
    )
    wanted = set(months)
    return [_month_of(row) for row in found if row["month"] in wanted]


def new_cases(conn: Connection, prefix: str, months: Sequence[str]) -> list[NewCase]:
    """The months in the area and ``months`` that made a child a new stunting case."""
    return [
        NewCase(
            child_id,
            month,
            desa,
            sex,
            band,
            FIRST_MEASURED if first else INCIDENT,
            measured_on,
            haz,
        )
        for child_id, month, desa, sex, band, first, measured_on, haz in _in_months(
            conn, _AREA_NEW_CASES, prefix, months
        )
    ]


def _in_months(
    conn: Connection, statement: Select[Any], prefix: str, months: Sequence[str]
) -> list[list[Any]]:
    # Prebuilt, on the driver: a kota's month is hundreds of rows, and SQLAlchemy's rows
    # cost more than the query. The months read are a range, then those asked are kept
    # (the month is each statement's second column).
    wanted = set(months)
    found = sql.fetch_typed(conn, statement, _names_in(prefix, months))
    return [row for row in found if row[1] in wanted]


def _names_in(prefix: str, names: Collection[str]) -> dict[str, str]:
    """The parameters of a read of the area ``prefix`` from the first to the last of the
    month or period ``names`` (the names between are filtered out after)."""
    return {"first": min(names), "last": max(names), **sql.area(prefix)}


_IN_ORDER: Final = tuple(child_month_rows.c[name] for name in _COLUMNS)
_FLAG_AT: Final = tuple(i for i, name in enumerate(_COLUMNS) if name in _FLAGS)
_IN_AREA_MONTHS: Final = (
    child_month_rows.c.month >= bindparam("first"),
    child_month_rows.c.month <= bindparam("last"),
    sql.under(child_month_rows.c.desa),
)
_AREA_MONTHS: Final = select(*_IN_ORDER).where(*_IN_AREA_MONTHS)
# Written as the partial index's own predicate, so that a prepared statement uses it too.
_AREA_NEW_CASES: Final = select(
    *(
        child_month_rows.c[name]
        for name in (
            "child_id",
            "month",
            "desa",
            "sex",
            "band",
            "first_measured_stunted",
            "measured_on",
            "haz",
        )
    )
).where(*_IN_AREA_MONTHS, text(f"({_NEW_CASE})"))


def _month_from(values: list[Any]) -> ChildMonth:
    """A row of ``_IN_ORDER`` as a ``ChildMonth`` (positional: a dict per row costs more
    than the query on a kota's hundreds of rows)."""
    for i in _FLAG_AT:
        values[i] = bool(values[i])
    return ChildMonth(*values)


def period_sums(
    conn: Connection, prefix: str, periods: Collection[str]
) -> list[tuple[str, str, str, str, Split]]:
    """The sums per (period, desa, sex, band) of the children counted in one desa over a
    period."""
    return [
        (p, d, sx, b, Split(*counts))
        for p, d, sx, b, *counts in _in_periods(conn, _AREA_SUMS, prefix, periods)
    ]


def movers_in(
    conn: Connection, prefix: str, periods: Collection[str]
) -> list[tuple[str, str, str]]:
    """(period, desa, child) of the children present or measured in the area over a period
    who were in more than one desa then (left out of the sums)."""
    return [(p, d, i) for p, d, i in _in_periods(conn, _AREA_MOVERS, prefix, periods)]


def _in_periods(
    conn: Connection, statement: Select[Any], prefix: str, periods: Collection[str]
) -> list[Sequence[Any]]:
    # Prebuilt, on the driver, as ``_in_months``: the periods read are the range from the
    # first to the last name (which may take in a quarter or year between months), then
    # those asked are kept.
    return [
        row for row in sql.fetch(conn, statement, _names_in(prefix, periods)) if row[0] in periods
    ]


def _of_area_periods(table: Table, *columns: str) -> Select[Any]:
    c = table.c
    return select(c.period, c.desa, *(c[n] for n in columns)).where(
        c.period >= bindparam("first"), c.period <= bindparam("last"), sql.under(c.desa)
    )


_AREA_SUMS: Final = _of_area_periods(area_period_sums, "sex", "band", *COUNTS)
_AREA_MOVERS: Final = _of_area_periods(period_movers, "child_id")


def _month_of(row: dict[str, Any]) -> ChildMonth:
    for name in _FLAGS:
        row[name] = bool(row[name])
    return ChildMonth(**row)


def span_rows(
    conn: Connection, prefix: str, first: date, last: date, ids: Sequence[str] | None = None
) -> list[tuple[ChildProfile, Span]]:
    """Residence spans in the area that overlap the days ``first`` to ``last`` (of the
    children ``ids`` only, if given)."""
    params, reader = {"first": first, "last": last, **sql.area(prefix)}, sql.Reader.within(conn)
    if ids is None:
        rows = reader.rows_each((_AREA_SPANS, [params]))[0][0]
    else:
        rows = reader.rows_among(_AREA_SPANS, child_spans.c.child_id, ids, params)
    found = []
    for r in rows:
        span = Span(r["desa"], r["starts_on"], r["ends_on"])
        found.append((ChildProfile(r["child_id"], r["sex"], r["birth_date"], (span,)), span))
    return found


_AREA_SPANS: Final = select(child_spans).where(
    sql.under(child_spans.c.desa),
    child_spans.c.starts_on <= bindparam("last", type_=Date),
    or_(child_spans.c.ends_on.is_(None), child_spans.c.ends_on > bindparam("first", type_=Date)),
)


def oldest_birth(day: date, months: float) -> date:
    """The earliest date of birth of a child under ``months`` old on ``day``."""
    return day - timedelta(days=math.ceil(months * DAYS_PER_MONTH) - 1)


def stunted_children(
    conn: Connection, prefix: str, *, after: str | None, limit: int
) -> list[dict[str, Any]]:
    """Children stunted now in the area, the most recently stunted first."""
    query = (
        select(
            children.c.child_id,
            children.c.desa,
            children.c.sex,
            children.c.birth_date,
            children.c.first_stunted_on,
            children.c.latest_measured_on,
            children.c.severely_stunted,
        )
        .where(
            within(children.c.desa, prefix),
            children.c.stunted.is_(True),
            children.c.status == "active",
        )
        .order_by(children.c.first_stunted_on.desc(), children.c.child_id)
    )
    rows = [dict(r._mapping) for r in conn.execute(query)]
    if after is not None:
        index = next((i for i, r in enumerate(rows) if r["child_id"] == after), None)
        rows = rows if index is None else rows[index + 1 :]
    return rows[:limit]


def residents_not_measured(
    conn: Connection, prefix: str, month: str, end: date
) -> list[dict[str, Any]]:
    """Children present in the area at the month's end without a measurement in the month."""
    s, c = child_spans.c, child_month_rows.c
    measured = select(c.child_id).where(c.month == month, c.child_id == s.child_id).exists()
    query = (
        select(s.child_id, s.desa, s.sex, s.birth_date)
        .where(
            within(s.desa, prefix),
            s.starts_on <= end,
            or_(s.ends_on.is_(None), s.ends_on > end),
            s.birth_date <= end,
            s.birth_date >= oldest_birth(end, MAX_AGE_MONTHS),
            ~measured,
        )
        .order_by(s.desa, s.child_id)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def flagged_months(conn: Connection, prefix: str, months: Iterable[str]) -> list[ChildMonth]:
    """Child-months with an implausible (flagged) measurement, to measure again."""
    c = child_month_rows.c
    query = (
        select(*_IN_ORDER)
        .where(c.month.in_(list(months)), within(c.desa, prefix), c.flagged > 0)
        .order_by(c.desa, c.measured_on.desc())
    )
    return [_month_from(list(row)) for row in conn.execute(query)]
