"""The areas registry: desa/kelurahan, their Kampung KB designation and yearly sasaran."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel, Field

from api.identity.access import Principal, Requires, ensure_reach, ensure_writable, write_meta
from api.web.deps import ServicesDep, StoreDep
from api.web.kit import answer_from, etag, example, expected_version
from api.web.responses import problems
from domain import wilayah
from domain.area import commands as c
from domain.area.decider import AreaDecider, AreaState, area_code, stream_id
from domain.area.events import AreaKind, KampungKbCategory
from domain.fact import NotFound
from domain.values import (
    FIRST_YEAR,
    LAST_YEAR,
    Count,
    DesaCode,
    Line100,
    ProgrammeDay,
)
from events import timefmt
from events.handling import Outcome, execute
from events.projections import areas as index

router = APIRouter(tags=["areas"])
_READ = problems(404)
_CREATE = problems(404, 409)
_WRITE = problems(404, 409, 412)
_CODE = "Kemendagri code of the desa/kelurahan: 32.79.02.1001 (or 3279021001)."
Reader = Annotated[Principal, Requires("areas:read")]
Writer = Annotated[Principal, Requires("areas:write")]
CodePath = Annotated[str, Path(description=_CODE)]
SasaranYear = Annotated[
    int, Path(ge=FIRST_YEAR, le=LAST_YEAR, description="The year the targets are for.")
]
_IF_MATCH_REFUSAL = 'If-Match carries the version in quotes: "3"'
IfMatch = Annotated[
    str | None, Header(description='Write only if the area is at this version: "3".')
]


class AreaRequest(BaseModel):
    """A desa/kelurahan to register; its kind follows from the code."""

    model_config = example(
        {
            "code": "32.79.02.1001",
            "name": "Hegarsari",
            "kecamatan": "Pataruman",
            "kota": "Kota Banjar",
        }
    )

    code: DesaCode = Field(description=_CODE)
    name: Line100 = Field(description="Name of the desa/kelurahan.")
    kecamatan: Line100 = Field(description="Name of its kecamatan.")
    kota: Line100 = Field(description="Name of its kota/kabupaten.")


class KampungKbRequest(BaseModel):
    """A Kampung KB designation (or a change of its category)."""

    model_config = example({"category": "Berkembang", "designated_on": "2024-08-17"})

    category: KampungKbCategory = Field(description="Dasar, Berkembang, Mandiri or Paripurna.")
    designated_on: ProgrammeDay = Field(
        description="Date of the designation: from 2000-01-01, not in the future."
    )


class SasaranRequest(BaseModel):
    """The targets of one year: balita (under five) and, among them, baduta (under two)."""

    model_config = example({"balita": 420, "baduta": 160})

    balita: Count = Field(description="Target number of balita (0-59 months).")
    baduta: Count = Field(description="Target number of baduta (0-23 months); <= balita.")


class KampungKbAnswer(BaseModel):
    """The area's Kampung KB category and since when."""

    category: KampungKbCategory
    designated_on: date


class AreaAnswer(BaseModel):
    """A desa/kelurahan with its stream version."""

    code: str = Field(description="Dotted Kemendagri code.")
    name: str
    kind: AreaKind = Field(description="kelurahan (code 1xxx) or desa (code 2xxx).")
    kecamatan: str
    kota: str
    kampung_kb: KampungKbAnswer | None = Field(description="Null unless a Kampung KB.")
    version: int = Field(description="Stream version; also the ETag.")

    @classmethod
    def of(cls, area: AreaState | index.AreaRow, version: int) -> AreaAnswer:
        """The answer for an area as a command left it or as the read model holds it."""
        kampung_kb = None
        if area.kampung_kb is not None and area.kampung_kb_since is not None:
            kampung_kb = KampungKbAnswer(
                category=area.kampung_kb, designated_on=area.kampung_kb_since
            )
        return answer_from(cls, area, kampung_kb=kampung_kb, version=version)


class AreaPage(BaseModel):
    """One page of areas, by code; ``next`` is the ``after`` of the next page (or null)."""

    items: list[AreaAnswer]
    next: str | None


class SasaranAnswer(BaseModel):
    """An area's targets for one year, with the area's stream version."""

    code: str
    year: int
    balita: int
    baduta: int
    version: int | None = Field(None, description="The area's version after the write.")


@router.post("/v1/areas", status_code=201, response_model=AreaAnswer, responses=_CREATE)
def register_area(
    body: AreaRequest, request: Request, response: Response, store: StoreDep, caller: Writer
) -> AreaAnswer:
    """Register a desa/kelurahan inside the caller's reach (409 if it exists)."""
    code = area_code(body.code)
    ensure_writable(caller, [code], "area")
    command = c.RegisterArea(
        at=timefmt.utc_now(), code=code, name=body.name, kecamatan=body.kecamatan, kota=body.kota
    )
    outcome = execute(store, AreaDecider(), stream_id(code), command, write_meta(caller, request))
    etag(response, outcome.version)
    response.headers["Location"] = f"/v1/areas/{code}"
    return AreaAnswer.of(outcome.state, outcome.version)


@router.get("/v1/areas", response_model=AreaPage, responses=_READ)
def list_areas(
    services: ServicesDep,
    caller: Reader,
    prefix: Annotated[str | None, Query(description="Only areas under it: 32.79.02.")] = None,
    after: Annotated[str | None, Query(description="The `next` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AreaPage:
    """The areas inside the caller's reach, by code, a page at a time."""
    under = None if prefix is None else wilayah.parse_prefix(prefix, field="prefix")
    cursor = None if after is None else wilayah.parse(after, field="after")
    with services.engine.connect() as conn:
        rows = index.list_areas(conn, under, cursor, limit + 1, reach=caller.reach.prefixes)
    page = [AreaAnswer.of(row, row.version) for row in rows[:limit]]
    return AreaPage(items=page, next=page[-1].code if len(rows) > limit else None)


@router.get("/v1/areas/{code}", response_model=AreaAnswer, responses=_READ)
def get_area(
    code: CodePath, services: ServicesDep, response: Response, caller: Reader
) -> AreaAnswer:
    """One desa/kelurahan (404 if unknown or outside the caller's reach)."""
    row = _find(services, caller, code)
    etag(response, row.version)
    return AreaAnswer.of(row, row.version)


@router.post("/v1/areas/{code}/kampung-kb", response_model=AreaAnswer, responses=_WRITE)
def designate_kampung_kb(
    code: CodePath,
    *,
    body: KampungKbRequest,
    request: Request,
    response: Response,
    store: StoreDep,
    caller: Writer,
    if_match: IfMatch = None,
) -> AreaAnswer:
    """Designate the area a Kampung KB of a category, or change its category."""
    command = c.DesignateKampungKb(
        at=timefmt.utc_now(), category=body.category, designated_on=body.designated_on
    )
    outcome = _change(store, code, command, caller=caller, request=request, if_match=if_match)
    etag(response, outcome.version)
    return AreaAnswer.of(outcome.state, outcome.version)


@router.put("/v1/areas/{code}/sasaran/{year}", response_model=SasaranAnswer, responses=_WRITE)
def set_sasaran(
    code: CodePath,
    year: SasaranYear,
    *,
    body: SasaranRequest,
    request: Request,
    response: Response,
    store: StoreDep,
    caller: Writer,
    if_match: IfMatch = None,
) -> SasaranAnswer:
    """Set the area's sasaran (target balita and baduta) for a year."""
    command = c.SetSasaran(at=timefmt.utc_now(), year=year, balita=body.balita, baduta=body.baduta)
    outcome = _change(store, code, command, caller=caller, request=request, if_match=if_match)
    etag(response, outcome.version)
    return SasaranAnswer(
        code=outcome.state.code,
        year=year,
        balita=body.balita,
        baduta=body.baduta,
        version=outcome.version,
    )


@router.get("/v1/areas/{code}/sasaran/{year}", response_model=SasaranAnswer, responses=_READ)
def get_sasaran(
    code: CodePath, year: SasaranYear, services: ServicesDep, caller: Reader
) -> SasaranAnswer:
    """The area's sasaran for a year (404 if none was set)."""
    row = _find(services, caller, code)
    with services.engine.connect() as conn:
        targets = index.sasaran(conn, row.code, year)
    if targets is None:
        raise NotFound("no sasaran was set for this area and year")
    return SasaranAnswer(code=row.code, year=year, balita=targets.balita, baduta=targets.baduta)


def _change(
    store: StoreDep,
    code: str,
    command: c.AreaCommand,
    *,
    caller: Principal,
    request: Request,
    if_match: str | None,
) -> Outcome[AreaState]:
    """Run ``command`` on an area inside the caller's reach, conditionally on If-Match."""
    canonical = area_code(code)
    ensure_writable(caller, [canonical], "area")
    meta = write_meta(caller, request)
    return execute(
        store,
        AreaDecider(),
        stream_id(canonical),
        command,
        meta,
        expected_version=expected_version(if_match, refusal=_IF_MATCH_REFUSAL),
    )


def _reached(caller: Principal, code: str) -> str:
    canonical = area_code(code)
    ensure_reach(caller, canonical, "area")
    return canonical


def _find(services: ServicesDep, caller: Principal, code: str) -> index.AreaRow:
    canonical = _reached(caller, code)
    with services.engine.connect() as conn:
        row = index.find_area(conn, canonical)
    if row is None:
        raise NotFound("there is no such area")
    return row
