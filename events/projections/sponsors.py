"""The families, sponsors and commitments read models: each stream's decided state, kept
as JSON, beside the columns the lists, lookups and work queues filter on.

``proj_members`` tells which family a child or mother belongs to (a commitment to a mother
is placed in her family's desa); ``proj_deliveries`` which commitment a delivery is on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, ClassVar, Final

from pydantic import BaseModel
from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Connection,
    Date,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    delete,
    exists,
    or_,
    select,
)

from domain.fact import Decider
from domain.sponsor import events as e
from domain.sponsor.decider import (
    COMMITMENT_PREFIX,
    FAMILY_PREFIX,
    SPONSOR_PREFIX,
    CommitmentDecider,
    CommitmentState,
    FamilyDecider,
    FamilyState,
    SponsorDecider,
    SponsorState,
)
from events.envelope import RecordedEvent
from events.projections.children import children
from events.projections.codes import in_reach, under
from events.projections.upsert import upsert
from events.registry import Registry
from events.schema import metadata

BALITA_DAYS: Final = 1826  # under 60 months

families = Table(
    "proj_families",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("desa", String(13), nullable=False),
    Column("krs", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Index("ix_proj_families_desa", "desa", "id"),
)

members = Table(
    "proj_members",
    metadata,
    Column("kind", String(6), primary_key=True),  # child, mother
    Column("member_id", String(36), primary_key=True),
    Column("family_id", String(36), primary_key=True),
)

sponsors = Table(
    "proj_sponsors",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("principal", String(100), nullable=True, index=True),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False),
)

commitments = Table(
    "proj_commitments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("sponsor_id", String(36), nullable=False),
    Column("beneficiary_kind", String(6), nullable=False),
    Column("beneficiary_id", String(36), nullable=False),
    Column("desa", String(13), nullable=False),
    Column("aid", String(14), nullable=False),
    Column("status", String(10), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Index("ix_proj_commitments_beneficiary", "beneficiary_kind", "beneficiary_id"),
    Index("ix_proj_commitments_sponsor", "sponsor_id", "id"),
    Index("ix_proj_commitments_desa", "desa", "id"),
)

deliveries = Table(
    "proj_deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("commitment_id", String(36), nullable=False),
)


class SponsorIndex:
    """Keeps the families, sponsors and commitments tables in step with their streams."""

    name: ClassVar[str] = "sponsors"
    tables: ClassVar[tuple[Table, ...]] = (families, members, sponsors, commitments, deliveries)
    event_types: ClassVar[frozenset[str] | None] = frozenset(
        f.event_type for f in (*e.FAMILY_FACTS, *e.SPONSOR_FACTS, *e.COMMITMENT_FACTS)
    )
    write_only: ClassVar[bool] = False
    stream_local: ClassVar[bool] = True

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def apply(self, conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        """Fold each stream's new events onto its stored state: the stored states of a
        batch read at once, the new rows written at once (a KRS file touches thousands)."""
        by_stream: dict[str, list[RecordedEvent]] = {}
        for event in batch:
            by_stream.setdefault(event.stream_id, []).append(event)
        for prefix, table, decider, model in _KINDS:
            mine = {s.removeprefix(prefix): e for s, e in by_stream.items() if s.startswith(prefix)}
            if not mine:
                continue
            stored = _states(conn, table, model, list(mine))
            folded = {}
            for key, events in mine.items():
                state = stored.get(key) or decider.initial_state()
                for event in events:
                    state = decider.evolve(state, self.registry.to_fact(event))
                folded[key] = (state, events[-1].stream_version)
            _write(conn, table, folded)


_KINDS: Final[tuple[tuple[str, Table, Decider[Any, Any], type[BaseModel]], ...]] = (
    (FAMILY_PREFIX, families, FamilyDecider(), FamilyState),
    (SPONSOR_PREFIX, sponsors, SponsorDecider(), SponsorState),
    (COMMITMENT_PREFIX, commitments, CommitmentDecider(), CommitmentState),
)
_AT_ONCE: Final = 500


def _states(
    conn: Connection, table: Table, model: type[BaseModel], keys: list[str]
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for start in range(0, len(keys), _AT_ONCE):
        query = select(table.c.id, table.c.state).where(
            table.c.id.in_(keys[start : start + _AT_ONCE])
        )
        found |= {r.id: model.model_validate_json(r.state) for r in conn.execute(query)}
    return found


def _write(conn: Connection, table: Table, folded: dict[str, tuple[Any, int]]) -> None:
    if table is families:
        rows = [
            {"id": k, "desa": s.desa, "krs": s.krs, "version": v, "state": s.model_dump_json()}
            for k, (s, v) in folded.items()
        ]
        upsert(conn, families, rows, ["id"])
        _members(conn, {k: s for k, (s, _) in folded.items()})
    elif table is sponsors:
        rows = [
            {
                "id": k,
                "kind": s.kind.value,
                "principal": s.principal,
                "version": v,
                "state": s.model_dump_json(),
            }
            for k, (s, v) in folded.items()
        ]
        upsert(conn, sponsors, rows, ["id"])
    else:
        upsert(
            conn, commitments, [_commitment_row(k, s, v) for k, (s, v) in folded.items()], ["id"]
        )
        known = [
            {"id": d.id, "commitment_id": k} for k, (s, _) in folded.items() for d in s.deliveries
        ]
        upsert(conn, deliveries, known, ["id"])


def _members(conn: Connection, folded: dict[str, FamilyState]) -> None:
    keys = list(folded)
    for start in range(0, len(keys), _AT_ONCE):
        conn.execute(delete(members).where(members.c.family_id.in_(keys[start : start + _AT_ONCE])))
    rows = [
        {"kind": "child", "member_id": c, "family_id": k}
        for k, family in folded.items()
        for c in family.children
    ]
    rows += [
        {"kind": "mother", "member_id": m.id, "family_id": k}
        for k, family in folded.items()
        for m in family.mothers
    ]
    if rows:
        conn.execute(members.insert(), rows)


def _commitment_row(key: str, state: CommitmentState, version: int) -> dict[str, object]:
    assert state.beneficiary is not None
    return {
        "id": key,
        "sponsor_id": state.sponsor,
        "beneficiary_kind": state.beneficiary.kind.value,
        "beneficiary_id": state.beneficiary.id,
        "desa": state.desa,
        "aid": state.aid.value,
        "status": state.status.value,
        "start": state.start,
        "end": state.end,
        "version": version,
        "state": state.model_dump_json(),
    }


def find_family(conn: Connection, family_id: str) -> tuple[FamilyState, int] | None:
    """The family ``family_id`` and its version, or None."""
    row = conn.execute(
        select(families.c.state, families.c.version).where(families.c.id == family_id)
    ).first()
    return None if row is None else (FamilyState.model_validate_json(row.state), int(row.version))


def find_sponsor(conn: Connection, sponsor_id: str) -> tuple[SponsorState, int] | None:
    """The sponsor ``sponsor_id`` and its version, or None."""
    row = conn.execute(
        select(sponsors.c.state, sponsors.c.version).where(sponsors.c.id == sponsor_id)
    ).first()
    return None if row is None else (SponsorState.model_validate_json(row.state), int(row.version))


def sponsor_of_principal(conn: Connection, principal: str) -> str | None:
    """The sponsor a principal acts for, or None."""
    found = conn.execute(select(sponsors.c.id).where(sponsors.c.principal == principal)).scalar()
    return None if found is None else str(found)


def find_commitment(conn: Connection, commitment_id: str) -> tuple[CommitmentState, int] | None:
    """The commitment ``commitment_id`` and its version, or None."""
    row = conn.execute(
        select(commitments.c.state, commitments.c.version).where(commitments.c.id == commitment_id)
    ).first()
    if row is None:
        return None
    return CommitmentState.model_validate_json(row.state), int(row.version)


def commitment_of_delivery(conn: Connection, delivery_id: str) -> str | None:
    """The commitment a delivery was recorded on, or None."""
    found = conn.execute(
        select(deliveries.c.commitment_id).where(deliveries.c.id == delivery_id)
    ).scalar()
    return None if found is None else str(found)


def family_of_mother(conn: Connection, mother_id: str) -> str | None:
    """The family a mother belongs to, or None."""
    found = conn.execute(
        select(members.c.family_id).where(
            members.c.kind == "mother", members.c.member_id == mother_id
        )
    ).scalar()
    return None if found is None else str(found)


def list_families(
    conn: Connection,
    *,
    reach: Sequence[str],
    area: str | None,
    krs: bool | None,
    after: str | None,
    limit: int,
) -> list[tuple[str, FamilyState, int]]:
    """Families in ``reach`` (and under ``area``), by id."""
    query = select(families.c.id, families.c.state, families.c.version).where(
        in_reach(families.c.desa, reach)
    )
    if area is not None:
        query = query.where(under(families.c.desa, area))
    if krs is not None:
        query = query.where(families.c.krs.is_(krs))
    if after is not None:
        query = query.where(families.c.id > after)
    rows = conn.execute(query.order_by(families.c.id).limit(limit))
    return [(r.id, FamilyState.model_validate_json(r.state), int(r.version)) for r in rows]


def list_sponsors(
    conn: Connection, *, kind: str | None, after: str | None, limit: int
) -> list[tuple[str, SponsorState, int]]:
    """Sponsors by id."""
    query = select(sponsors.c.id, sponsors.c.state, sponsors.c.version)
    if kind is not None:
        query = query.where(sponsors.c.kind == kind)
    if after is not None:
        query = query.where(sponsors.c.id > after)
    rows = conn.execute(query.order_by(sponsors.c.id).limit(limit))
    return [(r.id, SponsorState.model_validate_json(r.state), int(r.version)) for r in rows]


def list_commitments(
    conn: Connection,
    *,
    reach: Sequence[str],
    area: str | None = None,
    sponsor: str | None = None,
    beneficiary: str | None = None,
    status: str | None = None,
    after: str | None = None,
    limit: int | None = None,
) -> list[tuple[str, CommitmentState, int]]:
    """Commitments for beneficiaries in ``reach`` (and under ``area``), by id."""
    c = commitments.c
    query = select(c.id, c.state, c.version).where(in_reach(c.desa, reach))
    if area is not None:
        query = query.where(under(c.desa, area))
    if sponsor is not None:
        query = query.where(c.sponsor_id == sponsor)
    if beneficiary is not None:
        query = query.where(c.beneficiary_id == beneficiary)
    if status is not None:
        query = query.where(c.status == status)
    if after is not None:
        query = query.where(c.id > after)
    query = query.order_by(c.id)
    if limit is not None:
        query = query.limit(limit)
    return [(r.id, _commitment(r.state), int(r.version)) for r in conn.execute(query)]


@lru_cache(maxsize=8192)
def _commitment(state: str) -> CommitmentState:
    """A stored state parsed once (frozen): the evaluation and the indicators read every
    commitment of the kota on each request."""
    return CommitmentState.model_validate_json(state)


def running(today: date, aid: e.Aid | None = None) -> ColumnElement[bool]:
    """Commitments running on ``today``: active (not paused, ended or cancelled), started,
    and not past their end."""
    c = commitments.c
    condition = and_(
        c.status == e.CommitmentStatus.ACTIVE.value,
        c.start <= today,
        or_(c.end.is_(None), c.end >= today),
    )
    return condition if aid is None else and_(condition, c.aid == aid.value)


def unsponsored_stunted(
    conn: Connection,
    *,
    area: str,
    reach: Sequence[str],
    today: date,
    after: tuple[date, str] | None,
    limit: int,
) -> list[dict[str, Any]]:
    """Balita stunted now (by their latest measurement) in ``area`` with no nutrition
    commitment running today: the oldest case (first stunted) first."""
    ch = children.c
    sponsored = exists().where(
        commitments.c.beneficiary_kind == e.BeneficiaryKind.CHILD.value,
        commitments.c.beneficiary_id == ch.child_id,
        running(today, e.Aid.NUTRITION),
    )
    query = select(
        ch.child_id,
        ch.desa,
        ch.sex,
        ch.birth_date,
        ch.first_stunted_on,
        ch.severely_stunted,
        ch.latest_measured_on,
    ).where(
        under(ch.desa, area),
        in_reach(ch.desa, reach),
        ch.stunted.is_(True),
        ch.status == "active",
        ch.birth_date > today - timedelta(days=BALITA_DAYS),
        ~sponsored,
    )
    if after is not None:
        query = query.where(
            or_(
                ch.first_stunted_on > after[0],
                and_(ch.first_stunted_on == after[0], ch.child_id > after[1]),
            )
        )
    query = query.order_by(ch.first_stunted_on, ch.child_id).limit(limit)
    return [dict(r._mapping) for r in conn.execute(query)]


def krs_without_commitment(
    conn: Connection, *, area: str, reach: Sequence[str], after: str | None, limit: int
) -> list[tuple[str, FamilyState]]:
    """KRS families in ``area`` for which no commitment was ever made (to the family, or to
    one of its mothers or children), by id."""
    f, m, c = families.c, members.c, commitments.c
    to_family = exists().where(c.beneficiary_kind == "family", c.beneficiary_id == f.id)
    to_member = exists().where(
        m.family_id == f.id, c.beneficiary_kind == m.kind, c.beneficiary_id == m.member_id
    )
    query = select(f.id, f.state).where(
        under(f.desa, area), in_reach(f.desa, reach), f.krs.is_(True), ~to_family, ~to_member
    )
    if after is not None:
        query = query.where(f.id > after)
    rows = conn.execute(query.order_by(f.id).limit(limit))
    return [(r.id, FamilyState.model_validate_json(r.state)) for r in rows]
