"""The child read models: ``proj_children`` (current status), ``proj_measurements`` (history).

Assessments are computed with ``domain.growth.assess`` (``child_status.py``), not stored as
facts, so a new rule version is applied by a rebuild. Corrections and voids recompute the
child's status from its non-voided, corrected history. The tables are in
``child_tables.py``, their reads in ``child_reads.py``.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, NamedTuple

from sqlalchemy import (
    Connection,
    Select,
    Table,
    bindparam,
    select,
)

from domain.child import events as e
from domain.child.decider import STREAM_PREFIX
from domain.fact import Fact
from events import sql
from events.envelope import RecordedEvent
from events.projections.child_reads import (
    decoded,
    desa_records,
    find_child,
    list_children,
    measurement_of,
    measurements_of,
)
from events.projections.child_status import assessment_answer, reassess, written_measurement
from events.projections.child_tables import PERSONAL_TYPES, Json, children, measurements
from events.projections.runner import KeepsNothing
from events.projections.upsert import upsert_plain
from events.registry import Registry

__all__ = [
    "PERSONAL_TYPES",
    "SHARED_ROWS",
    "ChildIndex",
    "ChildReplay",
    "ChildRows",
    "assessment_answer",
    "children",
    "decoded",
    "desa_records",
    "find_child",
    "list_children",
    "measurement_of",
    "measurements",
    "measurements_of",
    "written_measurement",
]

SHARED_ROWS = "tumbuh.child_rows"


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
            _fold(kids, history, dirty, child_id=child_id, event=event, fact=fact)
        by_child: dict[str, list[Json]] = {i: [] for i in ids}
        for row in history.values():
            if row["child_id"] in by_child:
                by_child[row["child_id"]].append(row)
        for child_id in ids:
            reassess(kids[child_id], by_child[child_id], dirty)
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


def _fold(
    kids: dict[str, Json],
    history: dict[str, Json],
    dirty: set[str],
    *,
    child_id: str,
    event: RecordedEvent,
    fact: Fact,
) -> None:
    """Fold one event into the batch's working set: the child rows, the measurement rows,
    and the measurements to reassess (``dirty``)."""
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
