"""The families, sponsors and commitments read models: each stream's decided state, kept
as JSON, beside the columns the lists, lookups and work queues filter on.

``proj_members`` tells which family a child or mother belongs to (a commitment to a mother
is placed in her family's desa); ``proj_deliveries`` which commitment a delivery is on.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, ClassVar, Final

from pydantic import BaseModel
from sqlalchemy import Connection, Select, Table, delete, select

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
from events.projections.codes import in_reach, under
from events.projections.decided import decided_row, listed, states_of, stored_state
from events.projections.sponsor_queues import (
    BALITA_DAYS,
    krs_without_commitment,
    running,
    unsponsored_stunted,
)
from events.projections.sponsor_tables import (
    commitments,
    deliveries,
    families,
    members,
    sponsors,
)
from events.projections.upsert import upsert
from events.registry import Registry

__all__ = [
    "BALITA_DAYS",
    "SponsorIndex",
    "commitment_of_delivery",
    "commitments",
    "deliveries",
    "families",
    "family_of_mother",
    "find_commitment",
    "find_family",
    "find_sponsor",
    "krs_without_commitment",
    "list_commitments",
    "list_families",
    "list_sponsors",
    "members",
    "running",
    "sponsor_of_principal",
    "sponsors",
    "unsponsored_stunted",
]


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
            folded = {
                key: (
                    self.registry.fold(decider, events, stored.get(key)),
                    events[-1].stream_version,
                )
                for key, events in mine.items()
            }
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
        rows = [decided_row(k, s, v, desa=s.desa, krs=s.krs) for k, (s, v) in folded.items()]
        upsert(conn, families, rows, ["id"])
        _members(conn, {k: s for k, (s, _) in folded.items()})
    elif table is sponsors:
        rows = [
            decided_row(k, s, v, kind=s.kind.value, principal=s.principal)
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
    return decided_row(
        key,
        state,
        version,
        sponsor_id=state.sponsor,
        beneficiary_kind=state.beneficiary.kind.value,
        beneficiary_id=state.beneficiary.id,
        desa=state.desa,
        aid=state.aid.value,
        status=state.status.value,
        start=state.start,
        end=state.end,
    )


def find_family(conn: Connection, family_id: str) -> tuple[FamilyState, int] | None:
    """The family ``family_id`` and its version, or None."""
    return stored_state(conn, families, FamilyState, family_id)


def find_sponsor(conn: Connection, sponsor_id: str) -> tuple[SponsorState, int] | None:
    """The sponsor ``sponsor_id`` and its version, or None."""
    return stored_state(conn, sponsors, SponsorState, sponsor_id)


def find_commitment(conn: Connection, commitment_id: str) -> tuple[CommitmentState, int] | None:
    """The commitment ``commitment_id`` and its version, or None."""
    return stored_state(conn, commitments, CommitmentState, commitment_id)


def sponsor_of_principal(conn: Connection, principal: str) -> str | None:
    """The sponsor a principal acts for, or None."""
    return _id_of(conn, select(sponsors.c.id).where(sponsors.c.principal == principal))


def commitment_of_delivery(conn: Connection, delivery_id: str) -> str | None:
    """The commitment a delivery was recorded on, or None."""
    c = deliveries.c
    return _id_of(conn, select(c.commitment_id).where(c.id == delivery_id))


def family_of_mother(conn: Connection, mother_id: str) -> str | None:
    """The family a mother belongs to, or None."""
    m = members.c
    return _id_of(conn, select(m.family_id).where(m.kind == "mother", m.member_id == mother_id))


def _id_of(conn: Connection, query: Select[Any]) -> str | None:
    found = conn.execute(query).scalar()
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
    query = states_of(families).where(in_reach(families.c.desa, reach))
    if area is not None:
        query = query.where(under(families.c.desa, area))
    if krs is not None:
        query = query.where(families.c.krs.is_(krs))
    if after is not None:
        query = query.where(families.c.id > after)
    return listed(conn, query.order_by(families.c.id).limit(limit), FamilyState.model_validate_json)


def list_sponsors(
    conn: Connection, *, kind: str | None, after: str | None, limit: int
) -> list[tuple[str, SponsorState, int]]:
    """Sponsors by id."""
    query = states_of(sponsors)
    if kind is not None:
        query = query.where(sponsors.c.kind == kind)
    if after is not None:
        query = query.where(sponsors.c.id > after)
    return listed(
        conn, query.order_by(sponsors.c.id).limit(limit), SponsorState.model_validate_json
    )


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
    query = states_of(commitments).where(in_reach(c.desa, reach))
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
    return listed(conn, query, _commitment)


@lru_cache(maxsize=8192)
def _commitment(state: str) -> CommitmentState:
    """A stored state parsed once (frozen): the evaluation and the indicators read every
    commitment of the kota on each request."""
    return CommitmentState.model_validate_json(state)
