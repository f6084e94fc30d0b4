"""Reading the area figures' rows: the measured child-months, new cases, sums and movers,
residence spans, and the lists of children the work queues show."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from datetime import date, timedelta
from typing import Any, Final

from sqlalchemy import Connection, Date, Select, Table, bindparam, or_, select, text
from sqlalchemy.sql.elements import ColumnElement

from domain.figures import ChildMonth, ChildProfile, NewCase, Span
from domain.figures.child import FIRST_MEASURED, INCIDENT
from domain.figures.tally import COUNTS, Split
from domain.growth.rules import DAYS_PER_MONTH, MAX_AGE_MONTHS
from events import sql
from events.projections.children import children
from events.projections.figure_tables import (
    COLUMNS,
    FLAGS,
    NEW_CASE,
    area_period_sums,
    child_month_rows,
    child_spans,
    month_from_row,
    period_movers,
)


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
    return [month_from_row(row) for row in found if row["month"] in wanted]


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
            conn, _AREANEW_CASES, prefix, months
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


_IN_ORDER: Final = tuple(child_month_rows.c[name] for name in COLUMNS)
_FLAG_AT: Final = tuple(i for i, name in enumerate(COLUMNS) if name in FLAGS)
_IN_AREA_MONTHS: Final = (
    child_month_rows.c.month >= bindparam("first"),
    child_month_rows.c.month <= bindparam("last"),
    sql.under(child_month_rows.c.desa),
)
_AREA_MONTHS: Final = select(*_IN_ORDER).where(*_IN_AREA_MONTHS)
# Written as the partial index's own predicate, so that a prepared statement uses it too.
_AREANEW_CASES: Final = select(
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
).where(*_IN_AREA_MONTHS, text(f"({NEW_CASE})"))


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
