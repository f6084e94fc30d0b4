"""The data exchange with BKKBN: KRS family lists in (the rest of issue #11 comes later)."""

from __future__ import annotations

from typing import Annotated, Any, Final

import orjson
from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.access import Principal, Requires, write_meta
from api.deps import ServicesDep
from api.krs_import import import_rows
from api.meeting_views import PROBLEMS
from domain.sponsor.krs import HEADER, BadFile, TooManyRows, check, read_csv, read_objects

router = APIRouter(tags=["exchange"])
Importer = Annotated[Principal, Requires("exchange:write")]
MAX_BYTES: Final = 16 * 1024 * 1024
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
    "/v1/exchange/krs",
    responses={
        **PROBLEMS,
        413: PROBLEMS[422],
        200: {"description": "The per-row report."},
    },
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
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise TooManyRows(f"at most {MAX_BYTES // (1024 * 1024)} MB in one request")
    body = await request.body()
    if len(body) > MAX_BYTES:
        raise TooManyRows(f"at most {MAX_BYTES // (1024 * 1024)} MB in one request")
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
            return list(read_objects(orjson.loads(text)))
        except orjson.JSONDecodeError:
            raise BadFile("the body is not JSON", field="body") from None
    if kind in ("text/csv", "text/plain", "application/csv"):
        return list(read_csv(text))
    raise BadFile("send text/csv or application/json", field="Content-Type")
