"""The child read models: ``proj_children`` (current status), ``proj_measurements`` (history).

Assessments are computed here with ``domain.growth.assess``, not stored as facts, so a new
rule version is applied by a rebuild. Corrections and voids recompute the child's status
from its non-voided, corrected history; the "new stunting case" follows docs/figures.md: the
latest valid HAZ is < -2 and the previous valid HAZ was >= -2 or there was none.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, ClassVar, Final, NamedTuple

import orjson
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Index,
    Integer,
    Select,
    String,
    Table,
    Text,
    bindparam,
    or_,
    select,
    text,
)

from domain.child import events as e
from domain.child.decider import STREAM_PREFIX
from domain.fact import Fact
from domain.growth import RULE_VERSION, Assessment, GrowthInputError, assess
from events import sql, statements
from events.envelope import RecordedEvent
from events.projections.runner import KeepsNothing
from events.projections.upsert import upsert_plain
from events.registry import Registry
from events.schema import events, metadata

Json = dict[str, Any]
SHARED_ROWS = "tumbuh.child_rows"

children = Table(
    "proj_children",
    metadata,
    Column("child_id", String(36), primary_key=True),
    Column("sex", String(1), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("desa", String(13), nullable=False),
    Column("posyandu", String(120), nullable=False),
    Column("status", String(12), nullable=False),  # active, died, moved_out
    Column("moved_on", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("measurement_count", Integer, nullable=False),
    Column("latest_event_id", String(36), nullable=True),
    Column("latest_measured_on", Date, nullable=True),
    Column("latest", Text, nullable=True),  # JSON: values and assessment
    Column("stunted", Boolean, nullable=True),
    Column("severely_stunted", Boolean, nullable=True),
    Column("wasted", Boolean, nullable=True),
    Column("underweight", Boolean, nullable=True),
    Column("first_stunted_on", Date, nullable=True),
    Column("new_stunting_case", Boolean, nullable=False),
    Column("rule_version", String(60), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_proj_children_desa_child", "desa", "child_id"),
    # The unsponsored-stunted queue walks stunted children oldest case first.
    Index(
        "ix_proj_children_stunted_since",
        "first_stunted_on",
        "child_id",
        postgresql_where=text("stunted IS TRUE"),
        sqlite_where=text("stunted = 1"),
    ),
)

measurements = Table(
    "proj_measurements",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("child_id", String(36), nullable=False, index=True),
    Column("measured_on", Date, nullable=False),
    Column("position", BigInteger, nullable=False),  # log position of the first recording
    Column("state", String(10), nullable=False),  # recorded, corrected, voided
    Column("measurement", Text, nullable=False),  # JSON of the current values
    Column("assessment", Text, nullable=True),  # JSON; null when the dates do not allow one
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

PERSONAL_TYPES: Final = (e.ChildRegistered.event_type, e.RegistrationCorrected.event_type)
"""The child events that may carry a personal part."""

# A child's personal events among its dozens of measurements: a kota's new cases read
# their initials through this index (a couple of rows a child, not a whole stream).
Index(
    "ix_events_child_personal",
    events.c.stream_id,
    events.c.stream_version,
    postgresql_where=statements.of_types(PERSONAL_TYPES),
    sqlite_where=statements.of_types(PERSONAL_TYPES),
)


@dataclass
class ChildRows:
    """The stored rows of some children: ``proj_children`` by id, their measurements."""

    kids: dict[str, Json]
    measurements: list[Json]


class ChildIndex(KeepsNothing):
    """Keeps ``proj_children`` and ``proj_measurements`` in step with the child streams."""

    name: ClassVar[str] = "children"
    tables: ClassVar[tuple[Table, ...]] = (children, measurements)
    event_types: ClassVar[frozenset[str] | None] = frozenset(f.event_type for f in e.CHILD_FACTS)
    write_only: ClassVar[bool] = False  # reads the child's rows first
    stream_local: ClassVar[bool] = True

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def apply(self, conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        """Fold the batch into the touched children's rows, reassess, write back."""
        ids = sorted({e.stream_id.removeprefix(STREAM_PREFIX) for e in batch})
        kids = {r["child_id"]: r for r in _rows(conn, children, ids)}
        self.apply_prefetched(conn, batch, ChildRows(kids, _rows(conn, measurements, ids)))

    def prefetch(self, reader: sql.Reader, stream_ids: Sequence[str]) -> ChildRows:
        """The stored rows of the children of ``stream_ids`` (other streams are skipped)."""
        ids = [s.removeprefix(STREAM_PREFIX) for s in stream_ids if s.startswith(STREAM_PREFIX)]
        kids, history = reader.rows_of_children(
            ids, _AMONG_CHILDREN, (ONE_CHILD, _ITS_MEASUREMENTS)
        )
        return ChildRows({r["child_id"]: r for r in kids}, history)

    def apply_prefetched(
        self, conn: Connection, batch: Sequence[RecordedEvent], rows: object
    ) -> None:
        """``apply`` on rows read before (``prefetch``): no reads, only writes."""
        assert isinstance(rows, ChildRows)
        self._update(conn, batch, rows)

    def replayed(
        self,
        batch: Sequence[RecordedEvent],
        shared: MutableMapping[str, object],
        conn: Connection | None,  # Replaying: this projection reads nothing
    ) -> ChildReplay:
        """The rows of whole streams of children with no rows yet (no reads)."""
        computed = self._computed(batch, ChildRows({}, []))
        shared[SHARED_ROWS] = computed.shared
        return ChildReplay(computed.measurements, computed.children)

    def write_replayed(
        self,
        conn: Connection,
        replayed: object,
        kept: MutableMapping[str, object],  # Replaying: nothing is kept for the end
    ) -> None:
        """Insert what ``replayed`` computed, in bulk."""
        assert isinstance(replayed, ChildReplay)
        sql.insert_rows(conn, measurements, replayed.measurements)
        sql.insert_rows(conn, children, replayed.children)

    def _update(self, conn: Connection, batch: Sequence[RecordedEvent], rows: ChildRows) -> None:
        computed = self._computed(batch, rows)
        upsert_plain(conn, measurements, computed.measurements, ["event_id"])
        upsert_plain(conn, children, computed.children, ["child_id"])
        # The figures projection runs next on the same batch: it may take these rows
        # instead of reading them back (one transaction, so they are what it would read).
        conn.info[SHARED_ROWS] = computed.shared

    def _computed(self, batch: Sequence[RecordedEvent], rows: ChildRows) -> _Computed:
        ids = sorted({e.stream_id.removeprefix(STREAM_PREFIX) for e in batch})
        kids = rows.kids
        history = {r["event_id"]: r for r in rows.measurements}
        dirty: set[str] = set()
        for event in batch:
            fact = self.registry.to_fact(event)
            child_id = event.stream_id.removeprefix(STREAM_PREFIX)
            _fold(kids, history, dirty, child_id, event, fact)
        by_child: dict[str, list[Json]] = {i: [] for i in ids}
        for row in history.values():
            if row["child_id"] in by_child:
                by_child[row["child_id"]].append(row)
        for child_id in ids:
            _reassess(kids[child_id], by_child[child_id], dirty)
        return _Computed(
            [history[i] for i in sorted(dirty)],
            [kids[i] for i in ids],
            (tuple(e.event_id for e in batch), kids, by_child),
        )


@dataclass(frozen=True)
class ChildReplay:
    """The rows whole streams give: new measurement rows and child rows."""

    measurements: list[Json]
    children: list[Json]


class _Computed(NamedTuple):
    measurements: list[Json]  # changed
    children: list[Json]  # touched
    shared: tuple[tuple[str, ...], dict[str, Json], dict[str, list[Json]]]  # SHARED_ROWS


ONE_CHILD = select(children).where(children.c.child_id == bindparam("child_id"))
_AMONG_CHILDREN = (
    (select(children), children.c.child_id),
    (select(measurements), measurements.c.child_id),
)
_ITS_MEASUREMENTS = select(measurements).where(measurements.c.child_id == bindparam("child_id"))


@cache
def _by_child(table: Table) -> Select[Any]:
    """The rows of some children, built once (building a statement costs more than running it)."""
    return select(table).where(table.c.child_id.in_(bindparam("ids", expanding=True)))


def _rows(conn: Connection, table: Table, ids: list[str]) -> list[Json]:
    return [dict(r._mapping) for r in conn.execute(_by_child(table), {"ids": ids})]


def _fold(  # noqa: PLR0917 - the batch's working set, passed down once
    kids: dict[str, Json],
    history: dict[str, Json],
    dirty: set[str],
    child_id: str,
    event: RecordedEvent,
    fact: Fact,
) -> None:
    if isinstance(fact, e.ChildRegistered):
        kids[child_id] = _new_child(child_id, fact, event)
    kid = kids[child_id]
    kid["version"], kid["updated_at"] = event.stream_version, event.recorded_at
    match fact:
        case e.RegistrationCorrected():
            _correct_registration(kid, fact)
            dirty.update(i for i, m in history.items() if m["child_id"] == child_id)
        case e.ChildMoved():
            kid["desa"], kid["moved_on"] = fact.to_desa, fact.moved_on
        case e.ChildExited():
            kid["status"] = fact.reason.value
        case e.MeasurementRecorded():
            history[fact.measurement_id] = _new_measurement(child_id, fact, event)
            dirty.add(fact.measurement_id)
        case e.MeasurementCorrected():
            _set_values(history[fact.measurement_id], fact.measurement, "corrected", event)
            dirty.add(fact.measurement_id)
        case e.MeasurementVoided():
            history[fact.measurement_id].update(state="voided", updated_at=event.recorded_at)
            dirty.add(fact.measurement_id)


def _new_child(child_id: str, fact: e.ChildRegistered, event: RecordedEvent) -> Json:
    return {
        "child_id": child_id,
        "sex": fact.sex.value,
        "birth_date": fact.birth_date,
        "desa": fact.desa,
        "posyandu": fact.posyandu,
        "status": "active",
        "moved_on": None,
        "created_at": event.recorded_at,
    }


def _correct_registration(kid: Json, fact: e.RegistrationCorrected) -> None:
    if fact.sex is not None:
        kid["sex"] = fact.sex.value
    if fact.birth_date is not None:
        kid["birth_date"] = fact.birth_date
    if fact.posyandu is not None:
        kid["posyandu"] = fact.posyandu


def _new_measurement(child_id: str, fact: e.MeasurementRecorded, event: RecordedEvent) -> Json:
    row: Json = {
        "event_id": fact.measurement_id,
        "child_id": child_id,
        "position": event.position,
        "recorded_at": event.recorded_at,
    }
    _set_values(row, fact.measurement, "recorded", event)
    return row


def _set_values(row: Json, values: e.Measurement, state: str, event: RecordedEvent) -> None:
    row.update(
        measured_on=values.measured_on,
        state=state,
        measurement=values.model_dump_json(),
        updated_at=event.recorded_at,
    )


def _reassess(kid: Json, mine: list[Json], dirty: set[str]) -> None:
    for row in mine:
        if row["event_id"] in dirty:
            row["assessment"] = _assessment_json(kid, row)
    counted = sorted(
        (m for m in mine if m["state"] != "voided"), key=lambda m: (m["measured_on"], m["position"])
    )
    kid.update(_summary(counted))


def _assessment_json(kid: Json, row: Json) -> str | None:
    values = e.Measurement.model_validate_json(row["measurement"])
    scored = _assessed(kid["sex"], kid["birth_date"], values)
    return None if scored is None else orjson.dumps(scored).decode()


def _assessed(sex: str, birth_date: date, values: e.Measurement) -> Json | None:
    try:
        scored = assess(
            sex=sex,
            birth_date=birth_date,
            measured_on=values.measured_on,
            weight_kg=values.weight_kg,
            length_cm=values.length_cm,
            position=values.position,
            oedema=values.oedema,
            muac_cm=values.muac_cm,
        )
    except GrowthInputError:  # a corrected birth date may leave a measurement unscorable
        return None
    return assessment_answer(scored)


def written_measurement(
    event_id: str, state: str, sex: str, birth_date: date, values: e.Measurement
) -> Json:
    """A measurement just recorded or corrected as ``measurement_of`` would read it back:
    the row's fields an answer shows, computed as ``apply`` computed the stored row (same
    values, same child, same rule), so the writer's answer needs no second read."""
    return {
        "event_id": event_id,
        "state": state,
        "measurement": values.model_dump(mode="json"),
        "assessment": _assessed(sex, birth_date, values),
    }


def assessment_answer(scored: Assessment) -> Json:
    """The public form of an assessment: z-scores, flags, categories and status booleans."""
    return {
        "rule_version": RULE_VERSION,
        "age_days": scored.age_days,
        "age_months": scored.age_months,
        "haz": scored.haz,
        "waz": scored.waz,
        "whz": scored.whz,
        "baz": scored.baz,
        "acz": scored.acz,
        "flags": sorted(scored.flags),
        "categories": {
            k: {"code": c.code, "label": c.label, "name": c.name}
            for k, c in scored.categories.items()
        },
        "stunted": scored.stunted,
        "severely_stunted": scored.severely_stunted,
        "wasted": scored.wasted,
        "underweight": scored.underweight,
    }


def _summary(counted: Sequence[Json]) -> Json:
    """The child's status from its counted measurements, oldest first."""
    scored = [(m, _loads(m["assessment"])) for m in counted]
    stunting = [(m, a["stunted"]) for m, a in scored if a and a["stunted"] is not None]
    latest, latest_assessment = scored[-1] if scored else (None, None)
    now = latest_assessment or {}
    first = next((m["measured_on"] for m, stunted in stunting if stunted), None)
    return {
        "measurement_count": len(counted),
        "latest_event_id": None if latest is None else latest["event_id"],
        "latest_measured_on": None if latest is None else latest["measured_on"],
        "latest": None if latest is None else _latest_json(latest, latest_assessment),
        "stunted": now.get("stunted"),
        "severely_stunted": now.get("severely_stunted"),
        "wasted": now.get("wasted"),
        "underweight": now.get("underweight"),
        "first_stunted_on": first,
        "rule_version": RULE_VERSION,
        "new_stunting_case": _new_case(latest, stunting),
    }


def _new_case(latest: Json | None, stunting: Sequence[tuple[Json, bool]]) -> bool:
    """Incident or first measured stunted, decided by the latest measurement."""
    if latest is None or not stunting or stunting[-1][0] is not latest or not stunting[-1][1]:
        return False
    return len(stunting) == 1 or not stunting[-2][1]


def _latest_json(latest: Json, assessment: Json | None) -> str:
    values = orjson.loads(latest["measurement"])
    return orjson.dumps(
        {"event_id": latest["event_id"], **values, "assessment": assessment}
    ).decode()


def _loads(text: str | None) -> Json | None:
    return None if text is None else dict(orjson.loads(text))


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
    row["assessment"] = _loads(row["assessment"])
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
    row["latest"] = _loads(row["latest"])
    return row
