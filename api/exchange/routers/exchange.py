"""The data exchange with BKKBN: indicators out (JSON, CSV, DHIS2) and KRS family lists in."""

from __future__ import annotations

import csv
from datetime import date
from typing import Annotated, Any, Final, Literal

import orjson
from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.exchange.fhir import bundle
from api.exchange.indicators import indicator_values
from api.exchange.krs_import import import_rows
from api.identity.access import Principal, Requires, ensure_reach, read_meta, write_meta
from api.web.csv_answer import csv_text
from api.web.deps import ServicesDep
from api.web.intake import nul_location
from api.web.kit import PROBLEMS, KnownAt, answer_from, log_position_of, personal_of
from api.web.responses import CSV, also, problems
from domain import wilayah
from domain.child.decider import stream_id as child_stream
from domain.exchange.indicators import DICTIONARY, RULE_VERSION, dhis2_period
from domain.fact import DomainError, NotFound
from domain.figures import parse_period
from domain.sponsor.krs import HEADER, BadFile, check, read_csv, read_objects
from events.projections.areas import list_areas
from events.projections.children import desa_records

router = APIRouter(tags=["exchange"])
Importer = Annotated[Principal, Requires("exchange:write")]
Exporter = Annotated[Principal, Requires("exchange:read")]
KRS: Final = "/v1/exchange/krs"
MAX_BYTES: Final = 16 * 1024 * 1024  # the body limit of KRS (api.web.intake.BodyLimit)
_NUL = "the file holds a NUL character (U+0000), which no field accepts"
_CSV_EXAMPLE = ",".join(HEADER) + "\nPK-000123,32.79.02.2003,2024,1,0,0,0,1,0,1,2,0\n"


class RefusedRow(BaseModel):
    """A row not imported: its number (from 1, the header not counted) and why."""

    row: int
    reason: str


class KrsReport(BaseModel):
    """What the import did with each row."""

    created: int
    updated: int
    unchanged: int
    refused: list[RefusedRow]


@router.post(
    KRS,
    responses={**problems(404), 200: {"description": "The per-row report."}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}, "example": _CSV_EXAMPLE},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        }
    },
)
async def import_krs(
    request: Request,
    services: ServicesDep,
    caller: Importer,
    content_type: Annotated[str, Header()] = "text/csv",
) -> KrsReport:
    """Import a round of BKKBN's KRS family list (CSV with the documented header, or JSON
    objects with the same keys), up to 50,000 rows: each row is created, updated, unchanged
    or refused with its reason; the valid rows are stored together, in one transaction.
    Importing the same file again changes nothing."""
    body = await request.body()  # at most MAX_BYTES (api.web.intake.BodyLimit)
    rows = await run_in_threadpool(_read, body, content_type)
    good, refused = check(rows)
    report = await run_in_threadpool(
        import_rows,
        services,
        good,
        refused,
        reach=caller.reach.prefixes,
        meta=write_meta(caller, request),
    )
    return KrsReport(
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        refused=[RefusedRow(row=r.row, reason=r.reason) for r in report.refused],
    )


def _read(body: bytes, content_type: str) -> list[dict[str, Any]]:
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadFile("the file is not UTF-8 text", field="body") from None
    if kind == "application/json":
        try:
            parsed = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise BadFile("the body is not JSON", field="body") from None
        if nul_location(parsed, ["body"]) is not None:  # an escaped \u0000 in a value
            raise BadFile(_NUL, field="body")
        return list(read_objects(parsed))
    if "\x00" in text:
        raise BadFile(_NUL, field="body")
    if kind in ("text/csv", "text/plain", "application/csv"):
        try:
            return list(read_csv(text))
        except csv.Error:  # e.g. a cell longer than the csv module's 128 KiB
            raise BadFile("the file is not CSV with one family per line", field="body") from None
    raise BadFile("send text/csv or application/json", field="Content-Type")


class IndicatorEntry(BaseModel):
    """One indicator of the dictionary."""

    code: str
    field: str
    source: str
    ratio: bool
    name_id: str
    name_en: str
    definition: str
    numerator: str
    denominator: str | None
    source_events: list[str]
    rule_version: str


class IndicatorValue(BaseModel):
    """One area's value of one indicator (null when it cannot be computed, e.g. a ratio
    without a denominator)."""

    org_unit: str
    level: str
    indicator: str
    value: int | float | None


class IndicatorAnswer(BaseModel):
    """The indicator values of every area under ``prefix`` for ``period``."""

    prefix: str
    period: str
    known_at: str | None
    log_position: int
    rule_version: str
    values: list[IndicatorValue]


@router.get("/v1/exchange/indicators/dictionary", responses=PROBLEMS)
def indicator_dictionary(caller: Exporter) -> list[IndicatorEntry]:
    """The indicator dictionary: stable codes, Indonesian and English names, definition,
    numerator, denominator, source events and rule version."""
    return [
        answer_from(
            IndicatorEntry,
            i,
            source=i.source.value,
            source_events=list(i.events),
            rule_version=RULE_VERSION,
        )
        for i in DICTIONARY
    ]


@router.get(
    "/v1/exchange/indicators",
    response_model=IndicatorAnswer,
    responses={**PROBLEMS, **also(CSV)},
)
def indicators(
    services: ServicesDep,
    caller: Exporter,
    prefix: Annotated[str, Query(max_length=20, description="A kota, kecamatan or desa code.")],
    period: Annotated[str, Query(max_length=8, description="YYYY-MM, YYYY-Qn or YYYY.")],
    known_at: KnownAt = None,
    format: Annotated[Literal["json", "csv", "dhis2"], Query()] = "json",
) -> Any:
    """Every indicator for the area and each area under it: JSON, CSV, or a DHIS2
    ``dataValueSet`` (org units by undotted Kemendagri code, periods 202504, 2025Q2, 2025);
    ``known_at`` gives the values as the system would have answered then."""
    code = wilayah.parse(prefix, field="prefix")
    if wilayah.level(code) == wilayah.Level.PROVINSI:
        raise DomainError("give a kota, kecamatan or desa code", field="prefix")
    ensure_reach(caller, code, "area")
    with services.engine.connect() as conn:
        desa = [d.code for d in list_areas(conn, code, None, 10_000)]
    if not desa:
        raise NotFound("there is no registered desa/kelurahan under this code")
    asked = parse_period(period)
    units, position = indicator_values(
        services, code, desa, asked, log_position_of(services, known_at)
    )
    headers = {"Tumbuh-Log-Position": str(position)}
    rows = [
        IndicatorValue(org_unit=u.code, level=u.level, indicator=k, value=v)
        for u in units
        for k, v in u.values.items()
    ]
    if format == "csv":
        return Response(
            _indicator_csv(rows, asked.name), media_type="text/csv; charset=utf-8", headers=headers
        )
    if format == "dhis2":
        return JSONResponse(_data_value_set(rows, asked.name, position), headers=headers)
    return JSONResponse(
        IndicatorAnswer(
            prefix=code,
            period=asked.name,
            known_at=known_at,
            log_position=position,
            rule_version=RULE_VERSION,
            values=rows,
        ).model_dump(mode="json"),
        headers=headers,
    )


def _indicator_csv(rows: list[IndicatorValue], period: str) -> str:
    header: list[object] = ["org_unit", "level", "period", "indicator", "value"]
    return csv_text([header, *([r.org_unit, r.level, period, r.indicator, r.value] for r in rows)])


def _data_value_set(rows: list[IndicatorValue], period: str, position: int) -> dict[str, Any]:
    """A DHIS2 ``dataValueSet``: data elements by indicator code, org units by the undotted
    Kemendagri code (import with ``dataElementIdScheme=CODE&orgUnitIdScheme=CODE``)."""
    return {
        "period": dhis2_period(period),
        "comment": f"Tumbuh log position {position}, {RULE_VERSION}",
        "dataValues": [
            {
                "dataElement": r.indicator,
                "period": dhis2_period(period),
                "orgUnit": r.org_unit.replace(".", ""),
                "value": str(r.value),
            }
            for r in rows
            if r.value is not None
        ],
    }


@router.get(
    "/v1/exchange/fhir",
    responses={**PROBLEMS, 200: {"content": {"application/fhir+json": {}}}},
    response_class=Response,
)
def fhir_bundle(
    request: Request,
    services: ServicesDep,
    caller: Exporter,
    desa: Annotated[str, Query(max_length=20, description="A desa/kelurahan code.")],
    since: Annotated[date | None, Query(description="Measurements on or after this day.")] = None,
    type: Annotated[Literal["collection", "transaction"], Query()] = "collection",
) -> Response:
    """A desa's children and their measurements as a FHIR R4B ``Bundle`` (SATUSEHAT
    profiles): ``Patient`` and ``Observation`` resources, one Observation per z-score too.
    Names, NIK and address lines only with ``pii:read`` (each such read is recorded)."""
    code = wilayah.parse_desa(desa, field="desa")
    ensure_reach(caller, code, "desa")
    with services.engine.connect() as conn:
        kids, rows = desa_records(conn, code, since)
    personal = None
    if "pii:read" in caller.scopes:
        personal = personal_of(services, [str(k["child_id"]) for k in kids])
        for child_id in personal:
            services.access_log.record(
                caller.id, read_meta(caller), child_stream(child_id), code, "/v1/exchange/fhir"
            )
    found = bundle(kids, rows, personal, type)
    return Response(found.model_dump_json(exclude_none=True), media_type="application/fhir+json")
