"""The work queues of the sponsorship programme: stunted balita no nutrition commitment
reaches, and KRS families no commitment was ever made for."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, Final

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    exists,
    or_,
    select,
)

from domain.sponsor import events as e
from domain.sponsor.decider import (
    FamilyState,
)
from events.projections.children import children
from events.projections.codes import in_reach, under
from events.projections.sponsor_tables import commitments, families, members

BALITA_DAYS: Final = 1826  # under 60 months


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
