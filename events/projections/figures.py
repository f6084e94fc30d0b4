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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import Any, ClassVar, Final

import orjson
from sqlalchemy import (
    Column,
    Connection,
    Date,
    Float,
    Index,
    Integer,
    String,
    Table,
    bindparam,
    case,
    delete,
    func,
    or_,
    select,
)
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from domain.child import events as e
from domain.child.decider import STREAM_PREFIX
from domain.figures import ChildMonth, ChildProfile, Scored, Span, child_months
from domain.figures.periods import month_of
from domain.figures.tally import BANDS, Split
from domain.figures.timeline import spans_after
from domain.growth.rules import DAYS_PER_MONTH, MAX_AGE_MONTHS
from events import sql
from events.envelope import RecordedEvent
from events.projections.children import SHARED_ROWS, children, measurements
from events.projections.upsert import upsert_plain
from events.registry import Registry
from events.schema import metadata

_FLAGS: Final = ("haz_valid", "stunted", "severely_stunted", "whz_valid", "wasted",
                 "severely_wasted", "overweight", "waz_valid", "underweight", "incident",
                 "first_measured_stunted")  # fmt: skip

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
)
_RECORDED: Final = e.MeasurementRecorded.event_type
_SPAN_TYPES: Final = frozenset(
    f.event_type for f in (e.ChildRegistered, e.ChildMoved, e.ChildExited)
)


class FigureIndex:
    """Keeps ``proj_child_spans`` and ``proj_child_months`` in step with the child streams."""

    name: ClassVar[str] = "figures"
    tables: ClassVar[tuple[Table, ...]] = (child_spans, child_month_rows)
    event_types: ClassVar[frozenset[str] | None] = frozenset(f.event_type for f in e.CHILD_FACTS)
    write_only: ClassVar[bool] = False
    stream_local: ClassVar[bool] = True

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def apply(self, conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        """Recompute the touched children's spans and months; write what changed."""
        ids = sorted({e.stream_id.removeprefix(STREAM_PREFIX) for e in batch})
        stored = FigureRows(_profiles(conn.execute(_SPANS_OF, {"ids": ids})),
                            _month_rows(conn, ids))  # fmt: skip
        self.apply_prefetched(conn, batch, stored)

    def prefetch(self, reader: sql.Reader, stream_ids: Sequence[str]) -> FigureRows:
        """The stored spans and month rows of the children of ``stream_ids``."""
        ids = [s.removeprefix(STREAM_PREFIX) for s in stream_ids if s.startswith(STREAM_PREFIX)]
        spans, months = reader.rows_of_children(
            ids, (_SPANS_OF, _MONTHS_OF), (_ITS_SPANS, _ITS_MONTHS)
        )
        return FigureRows(_profiles(tuple(r.values()) for r in spans), months)

    def apply_prefetched(
        self, conn: Connection, batch: Sequence[RecordedEvent], rows: object
    ) -> None:
        """``apply`` on rows read before (``prefetch``): no reads, only writes."""
        assert isinstance(rows, FigureRows)
        ids = sorted({e.stream_id.removeprefix(STREAM_PREFIX) for e in batch})
        stored = rows.profiles
        spans = {i: p.spans for i, p in stored.items()}
        for event in batch:
            if event.event_type in _SPAN_TYPES:
                child_id = event.stream_id.removeprefix(STREAM_PREFIX)
                spans[child_id] = spans_after(spans.get(child_id, ()), self.registry.to_fact(event))
        kids, scored = _children_of(conn, batch, ids)
        profiles = [ChildProfile(i, *kids[i], spans[i]) for i in ids if i in kids]
        _write_spans(conn, [p for p in profiles if p != stored.get(p.child_id)])
        since = self._since(batch)
        new = {(m.child_id, m.month): _row(m) for p in profiles
               for m in child_months(p, scored.get(p.child_id, []),
                                     since.get(p.child_id, ""))}  # fmt: skip
        old = {(r["child_id"], r["month"]): r for r in rows.months
               if r["month"] >= since.get(r["child_id"], "")}  # fmt: skip
        gone = [{"child_id": c, "month": m} for c, m in old if (c, m) not in new]
        if gone:
            sql.execute_many(conn, _DROP_MONTH, gone)
        changed = [row for k, row in new.items() if old.get(k) != row]
        upsert_plain(conn, child_month_rows, changed, ["child_id", "month"])

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


_IDS: BindParameter[list[str]] = bindparam("ids", expanding=True)
# Built once: building a statement costs more than running it, inside the append lock.
_SPANS_OF = (
    select(child_spans.c.child_id, child_spans.c.sex, child_spans.c.birth_date,
           child_spans.c.desa, child_spans.c.starts_on, child_spans.c.ends_on)
    .where(child_spans.c.child_id.in_(_IDS))
    .order_by(child_spans.c.child_id, child_spans.c.seq)
)  # fmt: skip
_MONTHS_OF = select(child_month_rows).where(child_month_rows.c.child_id.in_(_IDS))
_ONE: BindParameter[str] = bindparam("child_id")
_ITS_SPANS = (
    select(*_SPANS_OF.selected_columns).where(child_spans.c.child_id == _ONE)
    .order_by(child_spans.c.seq)
)  # fmt: skip
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
    conn: Connection, batch: Sequence[RecordedEvent], ids: list[str]
) -> tuple[dict[str, tuple[str, date]], dict[str, list[Scored]]]:
    """Sex, date of birth and scored measurements of the children, as the child projection
    just left them (shared on the connection for the same batch) or as stored."""
    shared = conn.info.pop(SHARED_ROWS, None)
    if shared is not None and shared[0] == tuple(e.event_id for e in batch):
        _, kid_rows, by_child = shared
        kids = {i: (k["sex"], k["birth_date"]) for i, k in kid_rows.items()}
        scored = {
            i: [_scored(m["event_id"], m["measured_on"], m["position"], m["assessment"])
                for m in rows if m["state"] != "voided"]
            for i, rows in by_child.items()
        }  # fmt: skip
        return kids, scored
    rows = conn.execute(
        select(children.c.child_id, children.c.sex, children.c.birth_date)
        .where(children.c.child_id.in_(ids))
    )  # fmt: skip
    return {r.child_id: (r.sex, r.birth_date) for r in rows}, _scored_of(conn, ids)


def _scored_of(conn: Connection, ids: list[str]) -> dict[str, list[Scored]]:
    found: dict[str, list[Scored]] = {}
    rows = conn.execute(
        select(measurements.c.child_id, measurements.c.event_id, measurements.c.measured_on,
               measurements.c.position, measurements.c.assessment)
        .where(measurements.c.child_id.in_(ids), measurements.c.state != "voided")
    )  # fmt: skip
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


def _write_spans(conn: Connection, profiles: Sequence[ChildProfile]) -> None:
    if not profiles:
        return
    sql.execute_many(conn, _DROP_SPANS, [{"child_id": p.child_id} for p in profiles])
    rows = [
        {"child_id": p.child_id, "seq": seq, "desa": s.desa, "sex": p.sex,
         "birth_date": p.birth_date, "starts_on": s.start, "ends_on": s.end}
        for p in profiles for seq, s in enumerate(p.spans)
    ]  # fmt: skip
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
    conn: Connection, prefix: str, months: Sequence[str], *, new_cases_only: bool = False
) -> list[ChildMonth]:
    """The measured child-months in the area and months (only new cases, if asked)."""
    c = child_month_rows.c
    query = select(child_month_rows).where(c.month.in_(list(months)), within(c.desa, prefix))
    if new_cases_only:
        query = query.where(or_(c.incident == 1, c.first_measured_stunted == 1))
    return [_month_of(dict(r._mapping)) for r in conn.execute(query)]


def _month_of(row: dict[str, Any]) -> ChildMonth:
    for name in _FLAGS:
        row[name] = bool(row[name])
    return ChildMonth(**row)


def span_rows(
    conn: Connection, prefix: str, first: date, last: date
) -> list[tuple[ChildProfile, Span]]:
    """Residence spans in the area that overlap the days ``first`` to ``last``."""
    query = select(child_spans).where(
        within(child_spans.c.desa, prefix),
        child_spans.c.starts_on <= last,
        or_(child_spans.c.ends_on.is_(None), child_spans.c.ends_on > first),
    )
    found = []
    for r in conn.execute(query):
        span = Span(r.desa, r.starts_on, r.ends_on)
        found.append((ChildProfile(r.child_id, r.sex, r.birth_date, (span,)), span))
    return found


def oldest_birth(day: date, months: float) -> date:
    """The earliest date of birth of a child under ``months`` old on ``day``."""
    return day - timedelta(days=math.ceil(months * DAYS_PER_MONTH) - 1)


def month_groups(
    conn: Connection, prefix: str, month: str, end: date
) -> tuple[list[tuple[str, str, str, Split]], list[tuple[str, str, str, str]]]:
    """Counts per (desa, sex, band) for one month, in SQL; and the children who moved away.

    The first list counts residents at the month's end and measured children; a measured
    child living nowhere on the register at the month's end is present where measured. The
    second list, (desa measured, end desa, sex, band), holds measured children who lived in
    another desa at the month's end: whether they add to ``present`` depends on the level.
    """
    groups: dict[tuple[str, str, str], Split] = {}
    c = child_month_rows.c
    sums = [func.sum(c[n]) for n in _FLAGS]
    new_kinds = [func.sum(case(((c.incident + c.first_measured_stunted) > 0, 1), else_=0))]
    lone = func.sum(case((c.end_desa.is_(None), 1), else_=0))
    query = (
        select(c.desa, c.sex, c.band, func.count(), lone, *sums, *new_kinds, func.sum(c.flagged))
        .where(c.month == month, within(c.desa, prefix))
        .group_by(c.desa, c.sex, c.band)
    )
    for desa, sex, band, measured, alone, *rest in conn.execute(query):
        counts = dict(zip(_FLAGS, rest[: len(_FLAGS)], strict=True))
        groups[(desa, sex, band)] = Split(
            present=int(alone), measured=int(measured),
            measured_valid_haz=int(counts["haz_valid"]), stunted=int(counts["stunted"]),
            severely_stunted=int(counts["severely_stunted"]),
            measured_valid_whz=int(counts["whz_valid"]), wasted=int(counts["wasted"]),
            severely_wasted=int(counts["severely_wasted"]),
            overweight=int(counts["overweight"]), measured_valid_waz=int(counts["waz_valid"]),
            underweight=int(counts["underweight"]), new_stunting=int(rest[-2]),
            incident=int(counts["incident"]),
            first_measured_stunted=int(counts["first_measured_stunted"]), flagged=int(rest[-1]),
        )  # fmt: skip
    s = child_spans.c
    band = case(
        *((s.birth_date >= oldest_birth(end, edge), name)
          for edge, name in zip((6, 12, 24), BANDS, strict=False)),
        else_=BANDS[-1],
    )  # fmt: skip
    residents = (
        select(s.desa, s.sex, band, func.count())
        .where(
            within(s.desa, prefix), s.starts_on <= end,
            or_(s.ends_on.is_(None), s.ends_on > end),
            s.birth_date <= end, s.birth_date >= oldest_birth(end, MAX_AGE_MONTHS),
        )
        .group_by(s.desa, s.sex, band)
    )  # fmt: skip
    for desa, sex, group_band, count in conn.execute(residents):
        groups.setdefault((desa, sex, group_band), Split()).present += int(count)
    movers = conn.execute(
        select(c.desa, c.end_desa, c.sex, c.band).where(
            c.month == month, within(c.desa, prefix), c.end_desa.is_not(None),
            c.end_desa != c.desa,
        )
    ).all()  # fmt: skip
    return (
        [(d, sx, b, split) for (d, sx, b), split in groups.items()],
        [(d, end_desa, sx, b) for d, end_desa, sx, b in movers],
    )


def stunted_children(
    conn: Connection, prefix: str, *, after: str | None, limit: int
) -> list[dict[str, Any]]:
    """Children stunted now in the area, the most recently stunted first."""
    query = (
        select(children.c.child_id, children.c.desa, children.c.sex, children.c.birth_date,
               children.c.first_stunted_on, children.c.latest_measured_on,
               children.c.severely_stunted)
        .where(within(children.c.desa, prefix), children.c.stunted.is_(True),
               children.c.status == "active")
        .order_by(children.c.first_stunted_on.desc(), children.c.child_id)
    )  # fmt: skip
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
            within(s.desa, prefix), s.starts_on <= end,
            or_(s.ends_on.is_(None), s.ends_on > end),
            s.birth_date <= end, s.birth_date >= oldest_birth(end, MAX_AGE_MONTHS),
            ~measured,
        )
        .order_by(s.desa, s.child_id)
    )  # fmt: skip
    return [dict(r._mapping) for r in conn.execute(query)]


def flagged_months(conn: Connection, prefix: str, months: Iterable[str]) -> list[ChildMonth]:
    """Child-months with an implausible (flagged) measurement, to measure again."""
    c = child_month_rows.c
    query = (
        select(child_month_rows)
        .where(c.month.in_(list(months)), within(c.desa, prefix), c.flagged > 0)
        .order_by(c.desa, c.measured_on.desc())
    )
    return [_month_of(dict(r._mapping)) for r in conn.execute(query)]
