"""What the children's routes share: the child as answered (status, latest measurement,
personal fields masked or shown), the measurement as answered, and the reach checks."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import Path, Response
from pydantic import BaseModel, ConfigDict, Field

from api.identity.access import (
    Principal,
    ensure_reach,
    ensure_writable,
    read_meta,
)
from api.services import Services
from api.web.kit import erased_subjects, etag, today
from domain.child.decider import ChildDecider, ChildState, age_on, stream_id
from domain.child.events import ChildPersonal, Measurement
from domain.child.personal import initials, mask_nik
from domain.fact import NotFound
from domain.growth import Sex
from events.personal import Opened
from events.projections import children as index

ChildId = Annotated[uuid.UUID, Path(description="The child's id (a UUID).")]


decider = ChildDecider()


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


def answer(row: dict[str, Any], personal: PersonalAnswer | None = None) -> ChildAnswer:
    days, months = age_on(row["birth_date"], today())
    latest = row["latest"]
    return ChildAnswer.model_validate(
        {
            **row,
            "id": row["child_id"],
            "age_days": days,
            "age_months": months,
            "latest_measurement": None if latest is None else MeasurementOut.model_validate(latest),
            "personal": personal,
        }
    )


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


def child_answer(
    services: Services, principal: Principal, child_id: uuid.UUID, response: Response
) -> ChildAnswer:
    """The child as answered, with its ``ETag`` and ``Location``."""
    found = services.store.rows_with_personal(*child_reads(principal, child_id))
    return answered_child(services, principal, child_id, response, found)


def child_reads(principal: Principal, child_id: uuid.UUID) -> tuple[Any, ...]:
    return (
        index.ONE_CHILD,
        {"child_id": str(child_id)},
        stream_id(str(child_id)),
        index.PERSONAL_TYPES,
        partial(_reached, principal),
    )


def answered_child(
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
    return answer(row, _personal(services, principal, row, opened))
