"""Commitments of sponsors, their deliveries and the verification of each delivery. A
commitment is seen by readers whose reach holds its beneficiary's desa, and by its own
sponsor's principal."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field, StrictInt
from pydantic.config import JsonDict

from api.identity.access import Principal
from api.services import Services
from api.sponsors.views import (
    COMMITMENTS,
    CommitmentAnswer,
    DeliveryAnswer,
    Reader,
    Writer,
    beneficiary_desa,
    own_sponsor,
    today,
    visible_commitment,
    visible_sponsor,
    writable_commitment,
)
from api.web.deps import ServicesDep
from api.web.kit import PROBLEMS, Strict, Write, Writes, command_from, derived_id, etag, example
from domain import wilayah
from domain.fact import NotFound
from domain.meeting.events import Document
from domain.sponsor import commands as c
from domain.sponsor import events as e
from domain.sponsor.decider import CommitmentState
from domain.values import Line300, ProgrammeDay, StrictBool, Text500, Text1000
from events.projections import sponsors as index

router = APIRouter(tags=["sponsors"])
CommitmentId = Annotated[uuid.UUID, Path(description="The commitment's id (a UUID).")]
DeliveryId = Annotated[uuid.UUID, Path(description="The delivery's id (a UUID).")]
Verifier = Annotated[Write, Writes("deliveries:verify", if_match=False, idempotency_key=False)]
Rupiah = Annotated[StrictInt, Field(ge=0, le=10**12, description="Whole Rupiah.")]


class CommitmentRequest(Strict):
    """A sponsor's commitment to a child, a mother or a family."""

    model_config = example(
        {
            "sponsor": "0197c3a1-5b2e-7c4d-9e10-3f2a1b4c5d41",
            "beneficiary": {"kind": "child", "id": "0197c3a1-5b2e-7c4d-9e10-3f2a1b4c5d01"},
            "aid": "nutrition",
            "description": "PMT telur dan susu",
            "amount_rupiah": 15000,
            "frequency": "daily",
            "start": "2025-07-01",
            "end": "2025-12-31",
        }
    )

    id: uuid.UUID | None = None
    event_id: uuid.UUID | None = None
    sponsor: uuid.UUID
    beneficiary: e.Beneficiary
    aid: e.Aid
    description: Text500
    amount_rupiah: Rupiah
    items: Line300 | None = None
    frequency: e.Frequency
    start: ProgrammeDay
    end: ProgrammeDay | None = Field(None, description="Null: open-ended.")


_PHOTO: JsonDict = {
    "kind": "photo",
    "media_type": "image/jpeg",
    "sha256": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
    "size": 182044,
}  # a photo's checksum and size, as the example of a delivery's evidence


class DeliveryRequest(Strict):
    """Aid handed over."""

    model_config = example(
        {
            "date": "2025-07-07",
            "amount_rupiah": 105000,
            "items": "7 paket PMT",
            "delivered_by": "tpk",
            "evidence": [_PHOTO],
        }
    )

    id: uuid.UUID | None = None
    date: ProgrammeDay
    amount_rupiah: Rupiah
    items: Line300 | None = None
    delivered_by: e.DeliveredBy
    evidence: list[Document] = Field(default_factory=list, max_length=20)


class VerifyRequest(Strict):
    """A TPK's or bidan's verdict on a delivery (a rejection gives its reason)."""

    model_config = example({"verified": True})

    verified: StrictBool
    reason: Text1000 | None = None


class StatusRequest(Strict):
    """Pause, resume, end or cancel a commitment."""

    model_config = example(
        {"action": "pause", "on": "2025-07-20", "reason": "Keluarga pindah sementara"}
    )

    action: e.StatusAction
    on: ProgrammeDay | None = Field(None, description="Defaults to today.")
    reason: Text1000 | None = None


class CommitmentPage(BaseModel):
    """A page of commitments by id."""

    items: list[CommitmentAnswer]
    next: str | None


@router.post("/v1/commitments", status_code=201, responses=PROBLEMS)
def make_commitment(
    body: CommitmentRequest, response: Response, services: ServicesDep, write: Writer
) -> CommitmentAnswer:
    """Record a sponsor's commitment to a beneficiary in the caller's reach (the sponsor
    must be one the caller sees)."""
    visible_sponsor(services, write.principal, str(body.sponsor))
    desa = beneficiary_desa(services, write.principal, body.beneficiary)
    command = command_from(
        c.MakeCommitment, body, at=services.clock(), sponsor=str(body.sponsor), desa=desa
    )
    commitment_id = COMMITMENTS.start(
        services, body, command, write, response, at="/v1/commitments"
    )
    return _answer(services, response, *_visible(services, write.principal, commitment_id))


@router.get("/v1/commitments", responses=PROBLEMS)
def list_commitments(
    services: ServicesDep,
    caller: Reader,
    area: Annotated[str | None, Query(max_length=20)] = None,
    sponsor: Annotated[uuid.UUID | None, Query()] = None,
    beneficiary: Annotated[
        uuid.UUID | None, Query(description="A child, mother or family.")
    ] = None,
    status: Annotated[e.CommitmentStatus | None, Query()] = None,
    after: Annotated[uuid.UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CommitmentPage:
    """Commitments for beneficiaries in the caller's reach, by id (a sponsor sees its own)."""
    mine = own_sponsor(services, caller)
    if mine is not None and sponsor is not None and str(sponsor) != mine:
        raise NotFound("there is no such sponsor")
    with services.engine.connect() as conn:
        rows = index.list_commitments(
            conn,
            reach=caller.reach.prefixes,
            area=None if area is None else wilayah.parse(area, field="area"),
            sponsor=mine or (None if sponsor is None else str(sponsor)),
            beneficiary=None if beneficiary is None else str(beneficiary),
            status=None if status is None else status.value,
            after=None if after is None else str(after),
            limit=limit,
        )
    day = today(services)
    items = [CommitmentAnswer.of(i, s, v, day) for i, s, v in rows]
    return CommitmentPage(items=items, next=items[-1].id if len(items) == limit else None)


@router.get("/v1/commitments/{commitment_id}", responses=PROBLEMS)
def get_commitment(
    commitment_id: CommitmentId, response: Response, services: ServicesDep, caller: Reader
) -> CommitmentAnswer:
    """A commitment with its deliveries and fulfilment today."""
    return _answer(services, response, *_visible(services, caller, str(commitment_id)))


@router.post("/v1/commitments/{commitment_id}/status", responses=PROBLEMS)
def change_status(
    commitment_id: CommitmentId,
    body: StatusRequest,
    response: Response,
    services: ServicesDep,
    write: Annotated[
        Write,
        Writes("sponsors:write", if_match='Only at this version: "3".', idempotency_key=False),
    ],
) -> CommitmentAnswer:
    """Pause, resume, end or cancel a commitment (pause, end and cancel give a reason)."""
    key = str(commitment_id)
    writable_commitment(services, write.principal, key)
    command = command_from(c.ChangeStatus, body, at=services.clock())
    COMMITMENTS.write(services, key, command, write)
    return _answer(services, response, *_visible(services, write.principal, key))


@router.post("/v1/commitments/{commitment_id}/deliveries", status_code=201, responses=PROBLEMS)
def record_delivery(
    commitment_id: CommitmentId,
    body: DeliveryRequest,
    response: Response,
    services: ServicesDep,
    write: Writer,
) -> DeliveryAnswer:
    """Record a delivery on an active commitment (counted once a TPK or bidan verifies it)."""
    key = str(commitment_id)
    writable_commitment(services, write.principal, key)
    delivery_id = str(body.id or derived_id(write.event_id(None)))
    command = command_from(
        c.RecordDelivery, body, at=services.clock(), delivery=delivery_id, on=body.date
    )
    outcome = COMMITMENTS.write(services, key, command, write)
    response.headers["Location"] = f"/v1/deliveries/{delivery_id}"
    return _delivery_answer(response, key, outcome.state, outcome.version, delivery_id)


@router.get("/v1/deliveries/{delivery_id}", responses=PROBLEMS)
def get_delivery(
    delivery_id: DeliveryId, response: Response, services: ServicesDep, caller: Reader
) -> DeliveryAnswer:
    """A delivery and its verification."""
    key, state, version = _delivery(services, caller, str(delivery_id))
    return _delivery_answer(response, key, state, version, str(delivery_id))


@router.post("/v1/deliveries/{delivery_id}/verify", responses=PROBLEMS)
def verify_delivery(
    delivery_id: DeliveryId,
    body: VerifyRequest,
    response: Response,
    services: ServicesDep,
    write: Verifier,
) -> DeliveryAnswer:
    """A TPK or bidan verifies the delivery (it counts in fulfilment) or rejects it (with the
    reason); a delivery is judged once (409 after)."""
    key, _, _ = _delivery(services, write.principal, str(delivery_id))
    writable_commitment(services, write.principal, key)
    command = command_from(c.VerifyDelivery, body, at=services.clock(), delivery=str(delivery_id))
    outcome = COMMITMENTS.write(services, key, command, write)
    return _delivery_answer(response, key, outcome.state, outcome.version, str(delivery_id))


def _visible(
    services: Services, caller: Principal, commitment_id: str
) -> tuple[str, CommitmentState, int]:
    state, version = visible_commitment(services, caller, commitment_id)
    return commitment_id, state, version


def _answer(
    services: Services, response: Response, key: str, state: CommitmentState, version: int
) -> CommitmentAnswer:
    etag(response, version)
    return CommitmentAnswer.of(key, state, version, today(services))


def _delivery_answer(
    response: Response, key: str, state: CommitmentState, version: int, delivery_id: str
) -> DeliveryAnswer:
    """A delivery of the commitment ``key`` at ``version``, as answered with its ETag."""
    delivery = state.delivery(delivery_id)
    assert delivery is not None
    etag(response, version)
    return DeliveryAnswer.of(key, delivery)


def _delivery(
    services: Services, caller: Principal, delivery_id: str
) -> tuple[str, CommitmentState, int]:
    with services.engine.connect() as conn:
        key = index.commitment_of_delivery(conn, delivery_id)
    if key is None:
        raise NotFound("there is no such delivery")
    return _visible(services, caller, key)
