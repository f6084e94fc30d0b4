"""Reading the child read models: a child, a list of children, their measurements, a
desa's records for an export."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import orjson
from sqlalchemy import (
    Connection,
    bindparam,
    or_,
    select,
)

from events import sql
from events.projections.child_tables import Json, children, loads, measurements


def find_child(conn: Connection, child_id: str) -> dict[str, object] | None:
    """The child's row (``latest`` decoded), or None."""
    row = conn.execute(select(children).where(children.c.child_id == child_id)).first()
    return None if row is None else decoded(dict(row._mapping))


def list_children(
    conn: Connection,
    *,
    prefixes: Sequence[str],
    desa: str | None,
    stunted: bool | None,
    after: str | None,
    limit: int,
) -> list[dict[str, object]]:
    """Children inside ``prefixes`` (``*`` for all), by id, after the cursor ``after``."""
    query = select(children).order_by(children.c.child_id).limit(limit)
    if "*" not in prefixes:
        query = query.where(
            or_(*(or_(children.c.desa == p, children.c.desa.like(p + ".%")) for p in prefixes))
        )
    if desa is not None:
        query = query.where(children.c.desa == desa)
    if stunted is not None:
        query = query.where(children.c.stunted.is_(stunted))
    if after is not None:
        query = query.where(children.c.child_id > after)
    return [decoded(dict(r._mapping)) for r in conn.execute(query)]


def measurement_of(reader: sql.Reader, child_id: str, event_id: str) -> dict[str, object] | None:
    """One measurement of the child (decoded as ``measurements_of`` gives it), or None."""
    # Prebuilt, on a bare connection: every measurement written is answered with it.
    ((rows,),) = reader.rows_each(
        (_ONE_MEASUREMENT, [{"child_id": child_id, "event_id": event_id}])
    )
    return _measurement(rows[0]) if rows else None


_ONE_MEASUREMENT = select(measurements).where(
    measurements.c.event_id == bindparam("event_id"),
    measurements.c.child_id == bindparam("child_id"),
)


def _measurement(row: Json) -> Json:
    row["measurement"] = orjson.loads(row["measurement"])
    row["assessment"] = loads(row["assessment"])
    return row


def measurements_of(conn: Connection, child_id: str) -> list[dict[str, object]]:
    """The child's measurements, oldest first, voided and corrected ones marked as such."""
    query = (
        select(measurements)
        .where(measurements.c.child_id == child_id)
        .order_by(measurements.c.measured_on, measurements.c.position)
    )
    return [_measurement(dict(r._mapping)) for r in conn.execute(query)]


def desa_records(
    conn: Connection, desa: str, since: date | None
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """A desa's children (by id) and their measurements on or after ``since`` (decoded, by
    child and day), for an export."""
    query = select(children).where(children.c.desa == desa).order_by(children.c.child_id)
    kids = [dict(r._mapping) for r in conn.execute(query)]
    ids = [str(k["child_id"]) for k in kids]
    found: list[dict[str, object]] = []
    m = measurements.c
    for start in range(0, len(ids), 500):
        rows = select(measurements).where(m.child_id.in_(ids[start : start + 500]))
        if since is not None:
            rows = rows.where(m.measured_on >= since)
        rows = rows.order_by(m.child_id, m.measured_on, m.position)
        found += [_measurement(dict(r._mapping)) for r in conn.execute(rows)]
    return kids, found


def decoded(row: Json) -> Json:
    """A child row as stored made an answer's: ``latest`` decoded."""
    row["latest"] = loads(row["latest"])
    return row
