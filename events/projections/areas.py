"""The areas read model: one row per desa/kelurahan and one per area and sasaran year.

Other features look areas up here (``find_area``) to check that a desa exists; lists are
ordered by code, so the last code of a page is the cursor of the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Final

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Connection,
    Date,
    Integer,
    String,
    Table,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.engine import Row

from domain import wilayah
from domain.area import events as e
from domain.area.decider import STREAM_PREFIX
from events import sql
from events.envelope import RecordedEvent
from events.projections.upsert import upsert
from events.registry import Registry
from events.schema import code_column, instant_column, metadata

areas = Table(
    "proj_areas",
    metadata,
    code_column("code", primary_key=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("kecamatan", String(100), nullable=False),
    Column("kota", String(100), nullable=False),
    Column("kampung_kb", String(12), nullable=True),
    Column("kampung_kb_since", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("registered_position", BigInteger, nullable=False),
    instant_column("registered_at", nullable=False),
    instant_column("updated_at", nullable=False),
)

area_sasaran = Table(
    "proj_area_sasaran",
    metadata,
    code_column("code", primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("balita", BigInteger, nullable=False),
    Column("baduta", BigInteger, nullable=False),
)


@dataclass(frozen=True)
class AreaRow:
    """A desa/kelurahan as the read model holds it, with its stream version."""

    code: str
    name: str
    kind: e.AreaKind
    kecamatan: str
    kota: str
    kampung_kb: e.KampungKbCategory | None
    kampung_kb_since: date | None
    version: int


@dataclass(frozen=True)
class SasaranRow:
    """An area's targets for one year."""

    code: str
    year: int
    balita: int
    baduta: int


class AreaIndex:
    """Keeps ``proj_areas`` and ``proj_area_sasaran`` in step with the area streams."""

    name: ClassVar[str] = "areas"
    tables: ClassVar[tuple[Table, ...]] = (areas, area_sasaran)
    event_types: ClassVar[frozenset[str] | None] = frozenset(f.event_type for f in e.AREA_FACTS)
    write_only: ClassVar[bool] = False  # plain SQLAlchemy statements, not the pipeline
    stream_local: ClassVar[bool] = True

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def apply(self, conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        """Apply each event in order: areas are few and change rarely."""
        for event in batch:
            code = event.stream_id.removeprefix(STREAM_PREFIX)
            fact = self.registry.to_fact(event)
            changes: dict[str, object] = {
                "version": event.stream_version,
                "updated_at": event.recorded_at,
            }
            match fact:
                case e.AreaRegistered():
                    upsert(conn, areas, [_registered(fact, event)], ["code"])
                    continue
                case e.KampungKbDesignated():
                    changes |= {
                        "kampung_kb": fact.category.value,
                        "kampung_kb_since": fact.designated_on,
                    }
                case e.SasaranSet():
                    row = {
                        "code": code,
                        "year": fact.year,
                        "balita": fact.balita,
                        "baduta": fact.baduta,
                    }
                    upsert(conn, area_sasaran, [row], ["code", "year"])
            conn.execute(update(areas).where(areas.c.code == code).values(changes))


def find_area(conn: Connection, code: str) -> AreaRow | None:
    """The desa/kelurahan ``code`` (dotted or undotted), or None if it is not registered."""
    try:
        canonical = wilayah.parse(code)
    except wilayah.InvalidWilayah:
        return None
    row = conn.execute(select(areas).where(areas.c.code == canonical)).first()
    return None if row is None else _area(row)


def list_areas(
    conn: Connection,
    prefix: str | None,
    after: str | None,
    limit: int,
    *,
    reach: Sequence[str] = (wilayah.EVERYWHERE,),
) -> list[AreaRow]:
    """Up to ``limit`` areas under ``prefix`` and inside ``reach``, by code, after ``after``."""
    query = select(areas).where(_under(prefix or wilayah.EVERYWHERE), _within(reach))
    if after is not None:
        query = query.where(areas.c.code > after)
    rows = conn.execute(query.order_by(areas.c.code).limit(limit))
    return [_area(row) for row in rows]


def sasaran(conn: Connection, code: str, year: int) -> SasaranRow | None:
    """The targets of the area ``code`` for ``year``, or None if none were set."""
    row = conn.execute(
        select(area_sasaran).where(area_sasaran.c.code == code, area_sasaran.c.year == year)
    ).first()
    return None if row is None else SasaranRow(row.code, row.year, row.balita, row.baduta)


def areas_under(reader: sql.Reader, prefix: str) -> list[tuple[str, str, str, str]]:
    """Code, name, kecamatan and kota of each registered desa/kelurahan under ``prefix``
    (itself included), by code."""
    # Prebuilt, on a bare connection: every area's figures ask this.
    rows = sql.fetch_on(reader.dialect, reader.driver, _AREAS_UNDER, sql.area(prefix))
    return [(str(code), str(name), str(kec), str(kota)) for code, name, kec, kota in rows]


def _under(prefix: str) -> ColumnElement[bool]:
    if prefix == wilayah.EVERYWHERE:
        return true()
    return or_(areas.c.code == prefix, areas.c.code.startswith(prefix + "."))


def _within(reach: Sequence[str]) -> ColumnElement[bool]:
    if wilayah.EVERYWHERE in reach:
        return true()
    return or_(*(_under(prefix) for prefix in reach)) if reach else ~true()


def _registered(fact: e.AreaRegistered, event: RecordedEvent) -> dict[str, object]:
    return {
        "code": fact.code,
        "name": fact.name,
        "kind": fact.kind.value,
        "kecamatan": fact.kecamatan,
        "kota": fact.kota,
        "kampung_kb": None,
        "kampung_kb_since": None,
        "version": event.stream_version,
        "registered_position": event.position,
        "registered_at": event.recorded_at,
        "updated_at": event.recorded_at,
    }


def _area(row: Row[Any]) -> AreaRow:
    m = row._mapping  # typed Any: the table above fixes the types
    category = m["kampung_kb"]
    return AreaRow(
        code=str(m["code"]),
        name=str(m["name"]),
        kind=e.AreaKind(m["kind"]),
        kecamatan=str(m["kecamatan"]),
        kota=str(m["kota"]),
        kampung_kb=None if category is None else e.KampungKbCategory(category),
        kampung_kb_since=m["kampung_kb_since"],
        version=int(m["version"]),
    )


_AREAS_UNDER: Final = (
    select(areas.c.code, areas.c.name, areas.c.kecamatan, areas.c.kota)
    .where(sql.under(areas.c.code))
    .order_by(areas.c.code)
)
