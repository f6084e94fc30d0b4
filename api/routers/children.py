"""Children under five: registration and the child projection (status, latest measurement).

Personal fields (name, NIK, mother's identity, address) are encrypted in the log under the
child's own key; answers show them only to callers holding ``pii:read``, masked otherwise.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, timedelta, timezone
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.access import Principal, Requires, ensure_reach, ensure_writable, read_meta, write_meta
from api.deps import ServicesDep
from api.responses import problems
from api.services import Services
from domain import wilayah
from domain.child import commands as c
from domain.child.commands import PersonalEntry
from domain.child.decider import ChildDecider, ChildState, age_on, stream_id
from domain.child.events import ChildPersonal, Measurement
from domain.child.personal import initials, mask_nik
from domain.fact import DomainError, NotFound
from domain.growth import Sex
from domain.values import DesaCode, Line120, ProgrammeDay, ascii_digits
from events import timefmt
from events.envelope import JsonObject
from events.personal import Opened
from events.projections import children as index
from events.projections.areas import find_area

router = APIRouter(tags=["children"])
PROBLEM = problems(404, 409, 412)
_EASTERNMOST = timezone(timedelta(hours=9), "WIT")  # Papua, the first to reach a new day
_IDEMPOTENCY = uuid.UUID("6f1d2c4e-7a0b-4c55-9d43-3e0f1b2a7c10")
IdempotencyKey = Annotated[str | None, Header(max_length=200)]
IfMatch = Annotated[str | None, Header(max_length=40)]
ChildId = Annotated[uuid.UUID, Path(description="The child's id (a UUID).")]
decider = ChildDecider()
VERSION_DIGITS = 9  # a stream version is an INTEGER column: more digits name no version


class RegisterChildRequest(BaseModel):
    """A new child: non-personal fields for statistics, ``personal`` encrypted apart."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "sex": "F",
                    "birth_date": "2024-03-05",
                    "desa": "32.79.02.1001",
                    "posyandu": "Posyandu Melati",
                    "personal": {
                        "name": "Demo Anak Contoh",
                        "mother_name": "Demo Ibu Contoh",
                        "address": "Alamat Demo 1",
                    },
                }
            ]
        },
    )

    id: uuid.UUID | None = Field(None, description="The child's id; chosen by the server if null.")
    event_id: uuid.UUID | None = Field(None, description="Makes a retry safe (or Idempotency-Key).")
    sex: Sex = Field(description="M (laki-laki) or F (perempuan).")
    birth_date: ProgrammeDay = Field(
        description="Date of birth; not in the future, under 60 months."
    )
    desa: DesaCode = Field(description="Code of a registered desa/kelurahan, e.g. 32.79.02.1001.")
    posyandu: Line120 = Field(description="The posyandu's name.")
    personal: PersonalEntry | None = Field(
        None, description="Name, NIK (16 digits, optional), mother's name and NIK, address."
    )


class PersonalAnswer(BaseModel):
    """Personal fields; masked (initials, NIK as 3279********0001) without ``pii:read``."""

    masked: bool
    name: str | None
    nik: str | None
    mother_name: str | None
    mother_nik: str | None
    address: str | None
    erased: list[Literal["child", "mother"]] = Field(
        default_factory=list,
        description="Whose personal data was erased at their request (its fields are null).",
    )


class AssessmentOut(BaseModel):
    """The assessment of a measurement by ``domain.growth`` (WHO 2006, Permenkes 2/2020)."""

    haz: float | None
    waz: float | None
    whz: float | None
    baz: float | None
    acz: float | None = None
    flags: list[str]
    categories: dict[str, dict[str, str]]
    age_days: int
    age_months: int
    stunted: bool | None
    severely_stunted: bool | None
    wasted: bool | None
    underweight: bool | None
    rule_version: str


class MeasurementOut(Measurement):
    """A measurement with its event id, state and assessment."""

    model_config = ConfigDict(extra="ignore")

    event_id: str
    state: Literal["recorded", "corrected", "voided"] = "recorded"
    assessment: AssessmentOut | None


class ChildAnswer(BaseModel):
    """The child projection: identity, status now and the latest measurement."""

    id: str
    sex: Sex
    birth_date: date
    age_days: int
    age_months: int
    desa: str
    posyandu: str
    status: str = Field(description="active, died or moved_out.")
    version: int
    measurement_count: int
    stunted: bool | None
    severely_stunted: bool | None
    wasted: bool | None
    underweight: bool | None
    first_stunted_on: date | None
    new_stunting_case: bool = Field(
        description="The latest measurement has a valid HAZ < -2 and the previous valid HAZ "
        "was >= -2 or there was none (incident or first measured stunted)."
    )
    latest_measurement: MeasurementOut | None
    personal: PersonalAnswer | None = None


class ChildPage(BaseModel):
    """One page of children (without personal fields); ``next`` is the ``after`` of the next
    page (or null), as in every list."""

    items: list[ChildAnswer]
    next: str | None


def today() -> date:
    """The latest date anywhere in Indonesia: a measurement taken today is never "future"."""
    return timefmt.utc_now().astimezone(_EASTERNMOST).date()


def etag(response: Response, version: int) -> None:
    """Set the ``ETag`` of the stream version."""
    response.headers["ETag"] = f'"{version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` header asks for (``*`` or none: unconditional)."""
    if if_match is None or if_match.strip() == "*":
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not ascii_digits(text, VERSION_DIGITS):
        raise DomainError('If-Match is a stream version in quotes, like "3"', field="If-Match")
    return int(text)


def client_event_id(
    principal: Principal, request: Request, given: uuid.UUID | None, key: str | None
) -> str | None:
    """The event id a client chose: in the body, or derived from its ``Idempotency-Key``."""
    if given is not None:
        return str(given)
    if key is None:
        return None
    return str(uuid.uuid5(_IDEMPOTENCY, f"{principal.id}\n{request.url.path}\n{key}"))


def child_row(services: Services, principal: Principal, child_id: uuid.UUID) -> dict[str, Any]:
    """The child's projection row, or 404 if unknown or out of the caller's reach."""
    with services.engine.connect() as conn:
        row = index.find_child(conn, str(child_id))
    return _reached(principal, [] if row is None else [row])


def writable_child(services: Services, principal: Principal, child_id: uuid.UUID) -> dict[str, Any]:
    """The child's projection row, or 404 unless its desa lies inside the caller's reach."""
    row = child_row(services, principal, child_id)
    ensure_writable(principal, [str(row["desa"])], "child")
    return row


def writable_state_guard(principal: Principal) -> Callable[[ChildState], None]:
    """Refuses (404, as for an unknown child) a write to a child outside the caller's reach."""

    def guard(state: ChildState) -> None:
        if not state.exists:
            raise NotFound("there is no such child")
        ensure_writable(principal, [state.desa], "child")

    return guard


def _reached(principal: Principal, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The one child row found, or 404 if none or out of the caller's reach."""
    if not rows:
        raise NotFound("there is no such child")
    ensure_reach(principal, str(rows[0]["desa"]), "child")
    return rows[0]


def measurement_out(row: dict[str, Any]) -> MeasurementOut:
    """A measurement of the projection as answered."""
    return MeasurementOut.model_validate({**row, **row["measurement"]})


def _answer(row: dict[str, Any], personal: PersonalAnswer | None = None) -> ChildAnswer:
    days, months = age_on(row["birth_date"], today())
    latest = row["latest"]
    return ChildAnswer.model_validate({
        **row, "id": row["child_id"], "age_days": days, "age_months": months,
        "latest_measurement": None if latest is None else MeasurementOut.model_validate(latest),
        "personal": personal,
    })  # fmt: skip


def _personal(
    services: Services, principal: Principal, row: dict[str, Any], opened: Opened | None
) -> PersonalAnswer | None:
    if opened is None:  # no personal part
        return None
    values = {k: None if v is None else str(v) for k, v in opened.plain.items()}
    erased = erased_subjects(opened)
    if "pii:read" in principal.scopes:
        if opened.readable:
            subject = stream_id(str(row["child_id"]))
            where, route = str(row["desa"]), "/v1/children/{child_id}"
            services.access_log.record(principal.id, read_meta(principal), subject, where, route)
        shown = {**EMPTY_PERSONAL, **values, "masked": False, "erased": erased}
        return PersonalAnswer.model_validate(shown)
    masked = {
        "name": initials(values.get("name")),
        "nik": mask_nik(values.get("nik")),
        "mother_name": initials(values.get("mother_name")),
        "mother_nik": mask_nik(values.get("mother_nik")),
        "address": None if values.get("address") is None else "***",
    }
    return PersonalAnswer.model_validate({**masked, "masked": True, "erased": erased})


EMPTY_PERSONAL: dict[str, None] = dict.fromkeys(ChildPersonal.model_fields)


def erased_subjects(opened: Opened) -> list[Literal["child", "mother"]]:
    """Whose parts were erased ("*", a part from before keys were per person: both)."""
    erased: set[str] = set(opened.erased)
    if "*" in erased:
        erased = {"child", "mother"}
    return [s for s in ("child", "mother") if s in erased]


def personal_of(services: Services, child_ids: Sequence[str]) -> dict[str, ChildPersonal]:
    """The children's personal fields now, for any number of children (children without a
    personal part, or whose own part was erased, are left out)."""
    return {
        child_id: ChildPersonal.model_validate(plain)
        for child_id, plain in _personal_parts(services, child_ids).items()
        if "name" in plain
    }


def masked_initials(services: Services, child_ids: Sequence[str]) -> dict[str, str | None]:
    """The children's initials, by id (absent: no personal part or an erased key)."""
    # The name as stored (validated when it was written): a kota's hundreds of new cases
    # need only it.
    parts = _personal_parts(services, child_ids).items()
    return {c: initials(str(p["name"])) for c, p in parts if "name" in p}


def _personal_parts(services: Services, child_ids: Sequence[str]) -> dict[str, JsonObject]:
    streams = {stream_id(c): c for c in child_ids}
    found = services.store.latest_personal(list(streams), index.PERSONAL_TYPES)
    return {streams[s]: plain for s, plain in found.items()}


def checked_desa(
    services: Services, principal: Principal, code: str, *, field: str = "desa"
) -> str:
    """The canonical code of a registered desa a write may name: 422 naming ``field``, or
    404 outside the caller's reach."""
    desa = wilayah.parse_desa(code, field=field)
    ensure_writable(principal, [desa], "desa")
    with services.engine.connect() as conn:
        if find_area(conn, desa) is None:
            raise DomainError("there is no registered desa/kelurahan with this code", field=field)
    return desa


@router.post("/v1/children", status_code=201, responses=PROBLEM)
def register_child(  # noqa: PLR0917 - FastAPI parameters
    body: RegisterChildRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    principal: Annotated[Principal, Requires("children:write")],
    idempotency_key: IdempotencyKey = None,
) -> ChildAnswer:
    """Register a child; the answer is the child as ``GET /v1/children/{id}`` shows it."""
    desa = checked_desa(services, principal, body.desa)
    event_id = client_event_id(principal, request, body.event_id, idempotency_key)
    child_id = body.id or (uuid.uuid5(_IDEMPOTENCY, event_id) if event_id else uuid.uuid4())
    command = c.RegisterChild(
        today=today(), sex=body.sex, birth_date=body.birth_date, desa=desa,
        posyandu=body.posyandu, personal=body.personal,
    )  # fmt: skip
    ids = None if event_id is None else [event_id]
    meta = write_meta(principal, request)
    services.child_writes.execute(stream_id(str(child_id)), command, meta, event_ids=ids)
    response.status_code = 201
    return child_answer(services, principal, child_id, response)


# On the event loop, not in the thread pool (see api/access.py's ``_authenticated``): the
# answer is one round trip for a few indexed rows, with no lock to wait for, and with no
# hand-off 4 concurrent readers are answered about 1.4 times as fast. On PostgreSQL the round
# trip is awaited on the store's asynchronous pool.
@router.get("/v1/children/{child_id}", responses=PROBLEM)
async def get_child(
    child_id: ChildId,
    response: Response,
    services: ServicesDep,
    principal: Annotated[Principal, Requires("children:read")],
) -> ChildAnswer:
    """The child: status now, latest measurement and assessment, personal fields if allowed."""
    found = await services.store.rows_with_personal_async(*_child_reads(principal, child_id))
    return _child_answer(services, principal, child_id, response, found)


def child_answer(
    services: Services, principal: Principal, child_id: uuid.UUID, response: Response
) -> ChildAnswer:
    """The child as answered, with its ``ETag`` and ``Location``."""
    found = services.store.rows_with_personal(*_child_reads(principal, child_id))
    return _child_answer(services, principal, child_id, response, found)


def _child_reads(principal: Principal, child_id: uuid.UUID) -> tuple[Any, ...]:
    return (
        index.ONE_CHILD, {"child_id": str(child_id)}, stream_id(str(child_id)),
        index.PERSONAL_TYPES, partial(_reached, principal),
    )  # fmt: skip


def _child_answer(
    services: Services,
    principal: Principal,
    child_id: uuid.UUID,
    response: Response,
    read: tuple[list[dict[str, Any]], Opened | None],
) -> ChildAnswer:
    found, opened = read
    row = index.decoded(found[0])
    etag(response, int(row["version"]))
    response.headers["Location"] = f"/v1/children/{child_id}"
    return _answer(row, _personal(services, principal, row, opened))


@router.get("/v1/children", responses=PROBLEM)
def list_children(  # noqa: PLR0917 - FastAPI parameters
    services: ServicesDep,
    principal: Annotated[Principal, Requires("children:read")],
    desa: Annotated[str | None, Query(description="One desa/kelurahan code.")] = None,
    status: Annotated[Literal["stunted", "not_stunted"] | None, Query()] = None,
    after: Annotated[uuid.UUID | None, Query(description="The cursor: last id seen.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ChildPage:
    """Children inside the caller's reach, by id, with cursor pagination (no personal fields)."""
    code = None if desa is None else wilayah.parse_desa(desa, field="desa")
    stunted = None if status is None else status == "stunted"
    with services.engine.connect() as conn:
        rows = index.list_children(
            conn, prefixes=principal.reach.prefixes, desa=code, stunted=stunted,
            after=None if after is None else str(after), limit=limit,
        )  # fmt: skip
    items = [_answer(r) for r in rows]
    return ChildPage(items=items, next=str(items[-1].id) if len(items) == limit else None)
