"""Commitments of sponsors, their deliveries and verification, and the work queues:
stunted children without a running nutrition commitment, KRS families without any, and
commitments whose deliveries are overdue."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from pydantic.config import JsonDict

from api.areas.registry import area_names
from api.identity.access import Principal, ensure_reach, write_meta
from api.meetings.views import PROBLEMS
from api.services import Services
from api.sponsors.figures import SponsorFigures, commitments_at, sponsor_figures
from api.sponsors.views import (
    AreaReader,
    CommitmentAnswer,
    DeliveryAnswer,
    Reader,
    Suggestion,
    Verifier,
    Writer,
    beneficiary_desa,
    own_sponsor,
    suggestion,
    today,
    unsponsored_cursor,
    visible_commitment,
    visible_sponsor,
    writable_commitment,
)
from api.web.deps import ServicesDep
from api.web.kit import (
    IdempotencyKey,
    KnownAt,
    Strict,
    client_event_id,
    derived_id,
    etag,
    expected_version,
    log_position_of,
    masked_initials,
)
from domain import wilayah
from domain.fact import NotFound
from domain.figures import Figures, parse_period
from domain.meeting.events import Document
from domain.sponsor import commands as c
from domain.sponsor import events as e
from domain.sponsor.decider import COMMITMENT_PREFIX, CommitmentDecider, CommitmentState
from domain.sponsor.fulfilment import fulfilment
from domain.values import Line300, ProgrammeDay, StrictBool, Text500, Text1000
from events.area_figures import reading, unit_of
from events.handling import execute
from events.projections import sponsors as index

router = APIRouter(tags=["sponsors"])
CommitmentId = Annotated[uuid.UUID, Path(description="The commitment's id (a UUID).")]
DeliveryId = Annotated[uuid.UUID, Path(description="The delivery's id (a UUID).")]
AreaCode = Annotated[str, Path(max_length=20, description="Kota, kecamatan or desa code.")]
IfMatch = Annotated[str | None, Header(max_length=40, description='Only at this version: "3".')]
Rupiah = Annotated[StrictInt, Field(ge=0, le=10**12, description="Whole Rupiah.")]
_commitments = CommitmentDecider()


class CommitmentRequest(Strict):
    """A sponsor's commitment to a child, a mother or a family."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
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
            ]
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

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date": "2025-07-07",
                    "amount_rupiah": 105000,
                    "items": "7 paket PMT",
                    "delivered_by": "tpk",
                    "evidence": [_PHOTO],
                }
            ]
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

    model_config = ConfigDict(json_schema_extra={"examples": [{"verified": True}]})

    verified: StrictBool
    reason: Text1000 | None = None


class StatusRequest(Strict):
    """Pause, resume, end or cancel a commitment."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"action": "pause", "on": "2025-07-20", "reason": "Keluarga pindah sementara"}
            ]
        }
    )

    action: e.StatusAction
    on: ProgrammeDay | None = Field(None, description="Defaults to today.")
    reason: Text1000 | None = None


class CommitmentPage(BaseModel):
    """A page of commitments by id."""

    items: list[CommitmentAnswer]
    next: str | None


class SuggestionQueue(BaseModel):
    """Stunted children without a running nutrition commitment, oldest case first."""

    items: list[Suggestion]
    next: str | None


class FamilyItem(BaseModel):
    """A KRS family without any commitment."""

    family_id: str
    desa: str
    risks: list[e.RiskFactor]
    children: int
    mothers: int


class FamilyQueue(BaseModel):
    """KRS families nobody has committed to, by id."""

    items: list[FamilyItem]
    next: str | None


class OverdueQueue(BaseModel):
    """Commitments whose deliveries are overdue, the longest waiting first."""

    items: list[CommitmentAnswer]
    next: None = None


@router.post("/v1/commitments", status_code=201, responses=PROBLEMS)
def make_commitment(
    body: CommitmentRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    idempotency_key: IdempotencyKey = None,
) -> CommitmentAnswer:
    """Record a sponsor's commitment to a beneficiary in the caller's reach (the sponsor
    must be one the caller sees)."""
    visible_sponsor(services, caller, str(body.sponsor))
    desa = beneficiary_desa(services, caller, body.beneficiary)
    event_id = client_event_id(caller, request, body.event_id, idempotency_key)
    commitment_id = str(body.id or derived_id(event_id))
    command = c.MakeCommitment(
        at=services.clock(),
        sponsor=str(body.sponsor),
        beneficiary=body.beneficiary,
        desa=desa,
        aid=body.aid,
        description=body.description,
        amount_rupiah=body.amount_rupiah,
        items=body.items,
        frequency=body.frequency,
        start=body.start,
        end=body.end,
    )
    execute(
        services.store,
        _commitments,
        COMMITMENT_PREFIX + commitment_id,
        command,
        write_meta(caller, request),
        event_ids=None if event_id is None else [event_id],
    )
    response.headers["Location"] = f"/v1/commitments/{commitment_id}"
    return _answer(services, response, *_visible(services, caller, commitment_id))


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
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    if_match: IfMatch = None,
) -> CommitmentAnswer:
    """Pause, resume, end or cancel a commitment (pause, end and cancel give a reason)."""
    key = str(commitment_id)
    writable_commitment(services, caller, key)
    command = c.ChangeStatus(
        at=services.clock(), action=body.action, on=body.on, reason=body.reason
    )
    execute(
        services.store,
        _commitments,
        COMMITMENT_PREFIX + key,
        command,
        write_meta(caller, request),
        expected_version=expected_version(if_match),
    )
    return _answer(services, response, *_visible(services, caller, key))


@router.post("/v1/commitments/{commitment_id}/deliveries", status_code=201, responses=PROBLEMS)
def record_delivery(
    commitment_id: CommitmentId,
    body: DeliveryRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Writer,
    idempotency_key: IdempotencyKey = None,
) -> DeliveryAnswer:
    """Record a delivery on an active commitment (counted once a TPK or bidan verifies it)."""
    key = str(commitment_id)
    writable_commitment(services, caller, key)
    event_id = client_event_id(caller, request, None, idempotency_key)
    delivery_id = str(body.id or derived_id(event_id))
    command = c.RecordDelivery(
        at=services.clock(),
        delivery=delivery_id,
        on=body.date,
        amount_rupiah=body.amount_rupiah,
        items=body.items,
        delivered_by=body.delivered_by,
        evidence=tuple(body.evidence),
    )
    outcome = execute(
        services.store,
        _commitments,
        COMMITMENT_PREFIX + key,
        command,
        write_meta(caller, request),
        event_ids=None if event_id is None else [event_id],
    )
    delivery = outcome.state.delivery(delivery_id)
    assert delivery is not None
    etag(response, outcome.version)
    response.headers["Location"] = f"/v1/deliveries/{delivery_id}"
    return DeliveryAnswer.of(key, delivery)


@router.get("/v1/deliveries/{delivery_id}", responses=PROBLEMS)
def get_delivery(
    delivery_id: DeliveryId, response: Response, services: ServicesDep, caller: Reader
) -> DeliveryAnswer:
    """A delivery and its verification."""
    key, state, version = _delivery(services, caller, str(delivery_id))
    delivery = state.delivery(str(delivery_id))
    assert delivery is not None
    etag(response, version)
    return DeliveryAnswer.of(key, delivery)


@router.post("/v1/deliveries/{delivery_id}/verify", responses=PROBLEMS)
def verify_delivery(
    delivery_id: DeliveryId,
    body: VerifyRequest,
    request: Request,
    response: Response,
    services: ServicesDep,
    caller: Verifier,
) -> DeliveryAnswer:
    """A TPK or bidan verifies the delivery (it counts in fulfilment) or rejects it (with the
    reason); a delivery is judged once (409 after)."""
    key, _, _ = _delivery(services, caller, str(delivery_id))
    writable_commitment(services, caller, key)
    command = c.VerifyDelivery(
        at=services.clock(), delivery=str(delivery_id), verified=body.verified, reason=body.reason
    )
    outcome = execute(
        services.store, _commitments, COMMITMENT_PREFIX + key, command, write_meta(caller, request)
    )
    delivery = outcome.state.delivery(str(delivery_id))
    assert delivery is not None
    etag(response, outcome.version)
    return DeliveryAnswer.of(key, delivery)


@router.get("/v1/areas/{code}/queues/unsponsored-stunted", responses=PROBLEMS)
def unsponsored_stunted(
    code: AreaCode,
    services: ServicesDep,
    caller: AreaReader,
    after: Annotated[str | None, Query(max_length=60, description="The previous `next`.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SuggestionQueue:
    """Balita stunted now (severely or not) in the area with no nutrition commitment running
    today (none, paused, ended or cancelled), the oldest case first; masked."""
    area = _area(caller, code)
    day = today(services)
    with services.engine.connect() as conn:
        rows = index.unsponsored_stunted(
            conn,
            area=area,
            reach=caller.reach.prefixes,
            today=day,
            after=unsponsored_cursor(after),
            limit=limit,
        )
    names = masked_initials(services, [r["child_id"] for r in rows])
    following = (
        f"{rows[-1]['first_stunted_on']}_{rows[-1]['child_id']}" if len(rows) == limit else None
    )
    return SuggestionQueue(items=[suggestion(r, names, day) for r in rows], next=following)


@router.get("/v1/areas/{code}/queues/krs-without-commitment", responses=PROBLEMS)
def krs_without_commitment(
    code: AreaCode,
    services: ServicesDep,
    caller: AreaReader,
    after: Annotated[uuid.UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> FamilyQueue:
    """KRS families in the area for whom (or for whose mothers or children) no commitment
    was ever made, by id."""
    area = _area(caller, code)
    with services.engine.connect() as conn:
        rows = index.krs_without_commitment(
            conn,
            area=area,
            reach=caller.reach.prefixes,
            after=None if after is None else str(after),
            limit=limit,
        )
    items = [
        FamilyItem(
            family_id=i,
            desa=s.desa,
            risks=list(s.risks),
            children=len(s.children),
            mothers=len(s.mothers),
        )
        for i, s in rows
    ]
    return FamilyQueue(items=items, next=items[-1].family_id if len(items) == limit else None)


@router.get("/v1/areas/{code}/queues/overdue-deliveries", responses=PROBLEMS)
def overdue_deliveries(code: AreaCode, services: ServicesDep, caller: AreaReader) -> OverdueQueue:
    """Active commitments in the area with nothing verified for more than one period, the
    longest waiting first."""
    area = _area(caller, code)
    day = today(services)
    with services.engine.connect() as conn:
        rows = index.list_commitments(
            conn, reach=caller.reach.prefixes, area=area, status=e.CommitmentStatus.ACTIVE.value
        )
    late = [(i, s, v) for i, s, v in rows if fulfilment(s, day).overdue]
    late.sort(key=lambda r: (fulfilment(r[1], day).last_verified or r[1].start, r[0]))
    return OverdueQueue(items=[CommitmentAnswer.of(i, s, v, day) for i, s, v in late])


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


def _delivery(
    services: Services, caller: Principal, delivery_id: str
) -> tuple[str, CommitmentState, int]:
    with services.engine.connect() as conn:
        key = index.commitment_of_delivery(conn, delivery_id)
    if key is None:
        raise NotFound("there is no such delivery")
    return _visible(services, caller, key)


def _area(caller: Principal, code: str) -> str:
    area = wilayah.parse(code, field="code")
    ensure_reach(caller, area, "area")
    return area


class SponsorCounts(BaseModel):
    """The sponsor figures of one area (see docs/sponsors.md)."""

    code: str
    name: str | None = None
    sponsors: int
    active_commitments: int
    beneficiaries: dict[str, int]
    rupiah_committed: int
    rupiah_delivered: int
    stunted: int
    stunted_sponsored: int
    share_stunted_sponsored: float | None

    @classmethod
    def of(cls, code: str, found: SponsorFigures, name: str | None = None) -> SponsorCounts:
        """The answer for one area's figures."""
        return cls(
            code=code,
            name=name,
            sponsors=found.sponsors,
            active_commitments=found.active_commitments,
            beneficiaries=found.beneficiaries,
            rupiah_committed=found.rupiah_committed,
            rupiah_delivered=found.rupiah_delivered,
            stunted=found.stunted,
            stunted_sponsored=found.stunted_sponsored,
            share_stunted_sponsored=found.share_stunted_sponsored,
        )


class SponsorStats(SponsorCounts):
    """An area's sponsor figures for a period, and those of the areas one level below."""

    period: str
    known_at: str | None
    log_position: int
    units: list[SponsorCounts]


@router.get("/v1/areas/{code}/sponsor-stats", responses=PROBLEMS)
def sponsor_stats(
    code: AreaCode,
    response: Response,
    services: ServicesDep,
    caller: AreaReader,
    period: Annotated[str, Query(max_length=8, description="YYYY-MM, YYYY-Qn or YYYY.")],
    known_at: KnownAt = None,
) -> SponsorStats:
    """Sponsors, running commitments, beneficiaries by kind, Rupiah due and delivered, and
    the share of stunted children sponsored, for an area and a period; with ``known_at`` as
    the log held them then."""
    area = _area(caller, code)
    asked = parse_period(period)
    position = log_position_of(services, known_at)
    unit = unit_of(area)
    with reading(services.store, area, asked.months, position) as (sums, log_position):
        figures = sums.figures(area, asked, unit)
        held = commitments_at(services, area, position)
        units = []
        if unit is not None:
            names = area_names(services, list(figures.units))
            for name in sorted({*figures.units, *(unit(s.desa) for _, s in held)}):
                mine = [(i, s) for i, s in held if unit(s.desa) == name]
                found = sponsor_figures(
                    mine,
                    asked,
                    figures.units.get(name, Figures()),
                    partial(sums.stunted_among, name, asked),
                )
                units.append(SponsorCounts.of(name, found, names.get(name)))
        total = sponsor_figures(
            held, asked, figures.figures, partial(sums.stunted_among, area, asked)
        )
    response.headers["Tumbuh-Log-Position"] = str(log_position)
    return SponsorStats(
        **SponsorCounts.of(area, total).model_dump(),
        period=asked.name,
        known_at=known_at,
        log_position=log_position,
        units=units,
    )
