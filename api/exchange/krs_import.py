"""Importing BKKBN's KRS family lists (``POST /v1/exchange/krs`` and ``tumbuh import krs``).

Each checked row becomes a ``family.round_imported`` event on the family's stream, whose id
follows from (source, family id), so the same family is the same stream in every round;
importing a round again with the same data changes nothing. The family id at the source is
a KK number, personal data: it is sealed in the event's personal part, and the stream's id
follows from it by a keyed hash (HMAC under the identity key), so that nobody can find a
family's stream by hashing KK numbers; a family imported before under the unkeyed id it
had then keeps that stream. The rows of one call are written in one transaction: the valid
ones are all stored, and the report names each refused row and why.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import select

from api.services import Services
from domain.access import Reach
from domain.fact import DomainError
from domain.sponsor import commands as c
from domain.sponsor.decider import FAMILY_PREFIX, FamilyDecider, FamilyState
from domain.sponsor.krs import SOURCE, KrsRow, Refusal
from events.envelope import JsonObject
from events.handling import Job, Outcome, execute_batch
from events.projections.areas import areas
from events.schema import events

_FAMILIES: Final = uuid.UUID("0b8f5a3e-2c71-4f0e-9d1a-6e4b7c2f9a10")
_AT_ONCE: Final = 500  # stream ids one statement asks for


@dataclass
class Report:
    """What an import did, row by row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)


def family_id(source: str, source_id: str) -> str:
    """The id a family had before ids were keyed: derivable from its KK number alone."""
    return str(uuid.uuid5(_FAMILIES, f"{source}\n{source_id}"))


def family_streams(services: Services, rows: Sequence[KrsRow]) -> dict[str, str]:
    """Each row's family stream by its family id at the source: the stream a family was
    imported into before ids were keyed, else the keyed one."""
    legacy = {r.family_id: FAMILY_PREFIX + family_id(SOURCE, r.family_id) for r in rows}
    existing: set[str] = set()
    with services.store.writer(lock=False) as conn:
        keyring, now = services.store.keyring, services.clock()
        keyed = {
            r.family_id: FAMILY_PREFIX
            + str(uuid.UUID(keyring.pseudonym(conn, f"{SOURCE}\n{r.family_id}", now)[:32]))
            for r in rows
        }
        streams = sorted(legacy.values())
        for start in range(0, len(streams), _AT_ONCE):
            chunk = streams[start : start + _AT_ONCE]
            found = select(events.c.stream_id).where(events.c.stream_id.in_(chunk)).distinct()
            existing |= set(conn.execute(found).scalars())
    return {k: legacy[k] if legacy[k] in existing else keyed[k] for k in legacy}


def import_rows(
    services: Services,
    rows: Sequence[KrsRow],
    refused: Sequence[Refusal],
    *,
    reach: Sequence[str],
    meta: JsonObject,
    report: Report | None = None,
) -> Report:
    """Import the checked rows inside ``reach`` whose desa is registered, in one
    transaction; the others are refused, in the report with the rows refused before."""
    report = report or Report()
    report.refused.extend(refused)
    registered = _registered(services, {r.desa for r in rows})
    writer = Reach(tuple(reach))
    streams = family_streams(services, rows)
    jobs, kept = [], []
    for row in rows:
        if not writer.changes([row.desa]):
            report.refused.append(Refusal(row.number, "the desa is outside your reach"))
        elif row.desa not in registered:
            report.refused.append(Refusal(row.number, "there is no registered desa with this code"))
        else:
            command = c.ImportRound(
                at=services.clock(),
                source=SOURCE,
                source_id=row.family_id,
                desa=row.desa,
                data=row.data,
            )
            jobs.append(Job(streams[row.family_id], command, ()))
            kept.append(row)
    answers = execute_batch(services.store, FamilyDecider(), jobs, meta) if jobs else []
    for row, answer in zip(kept, answers, strict=True):
        _tally(report, row, answer)
    report.refused.sort(key=lambda r: r.row)
    return report


def _tally(report: Report, row: KrsRow, answer: Outcome[FamilyState] | Exception) -> None:
    if isinstance(answer, DomainError):
        report.refused.append(Refusal(row.number, answer.detail))
    elif isinstance(answer, Exception):
        report.refused.append(Refusal(row.number, "the family was changed by another request"))
    elif not answer.events:
        report.unchanged += 1
    elif answer.events[0].stream_version == 1:
        report.created += 1
    else:
        report.updated += 1


def _registered(services: Services, codes: set[str]) -> set[str]:
    if not codes:
        return set()
    with services.engine.connect() as conn:
        found = conn.execute(select(areas.c.code).where(areas.c.code.in_(sorted(codes))))
        return {str(code) for code in found.scalars()}
