"""``GET /v1/children/{id}/export``: the data subject's right of access (UU PDP art. 7).

Everything Tumbuh holds about a child and its mother, decrypted, with who was shown their
personal data and when. Needs ``pii:read`` and the child in the caller's reach; the export
is itself recorded in the read-access log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from api.identity.access import Principal, Requires, ensure_reach, read_meta
from api.personal import subject_access
from api.web.deps import ServicesDep
from api.web.kit import answer_from
from api.web.responses import problems
from domain.child.decider import stream_id
from domain.fact import NotFound
from events import timefmt
from events.envelope import RecordedEvent
from events.projections import children as index

router = APIRouter(tags=["personal data"])
ROUTE = "/v1/children/{child_id}/export"


class HeldEvent(BaseModel):
    """An event of a record, its personal part opened (only the subject's own fields)."""

    position: int
    stream_id: str
    type: str
    occurred_at: datetime
    recorded_at: datetime
    payload: dict[str, Any]
    personal: dict[str, Any] | None = Field(description="Decrypted; null if none, or erased.")
    erased: list[str] = Field(description="Whose part of it was erased at their request.")


class PersonalRead(BaseModel):
    """One time someone was shown the child's personal data unmasked."""

    at: datetime
    reader: str
    role: str | None
    client: str | None
    route: str


class SubjectExport(BaseModel):
    """Everything Tumbuh holds about the child and its mother, as of ``log_position``."""

    child_id: str
    exported_at: datetime
    log_position: int
    measurements: list[dict[str, Any]] = Field(description="As assessed now (WHO 2006).")
    child: list[HeldEvent] = Field(description="The child's record: every event, opened.")
    mother: list[HeldEvent] = Field(description="Other records naming the mother: her part.")
    reads: list[PersonalRead] = Field(description="Who was shown their personal data, when.")


def _held(shown: subject_access.Shown) -> HeldEvent:
    event = shown.event
    return answer_from(
        HeldEvent,
        event,
        type=event.event_type,
        personal=shown.personal,
        erased=list(shown.erased),
    )


def _read(event: RecordedEvent) -> PersonalRead:
    meta = event.meta
    return PersonalRead(
        at=event.occurred_at,
        reader=str(meta.get("actor")),
        role=None if meta.get("role") is None else str(meta["role"]),
        client=None if meta.get("client") is None else str(meta["client"]),
        route=str(event.payload["route"]),
    )


@router.get(
    ROUTE,
    responses=problems(404),
)
def export_child(
    child_id: Annotated[uuid.UUID, Path(description="The child's id (a UUID).")],
    response: Response,
    services: ServicesDep,
    caller: Annotated[Principal, Requires("pii:read")],
) -> SubjectExport:
    """Everything held about the child and its mother, and who read their personal data."""
    with services.engine.connect() as conn:
        row = index.find_child(conn, str(child_id))
        measured = [] if row is None else index.measurements_of(conn, str(child_id))
    if row is None:
        raise NotFound("there is no such child")
    ensure_reach(caller, str(row["desa"]), "child")
    stream = stream_id(str(child_id))
    held = subject_access.holding(services, stream)
    services.access_log.record(caller.id, read_meta(caller), stream, str(row["desa"]), ROUTE)
    response.headers["Cache-Control"] = "no-store"
    return SubjectExport(
        child_id=str(child_id),
        exported_at=timefmt.utc_now(),
        log_position=services.store.head().position,
        measurements=[{k: v for k, v in m.items() if k != "child_id"} for m in measured],
        child=[_held(s) for s in held.child],
        mother=[_held(s) for s in held.mother],
        reads=[_read(r) for r in held.reads],
    )
