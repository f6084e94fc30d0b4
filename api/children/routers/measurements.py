"""Measurements of a child: record, correct, void and list, each a new event on its stream.

The answer carries the assessment the child projection computed with ``domain.growth``;
assessments are not facts, so a change of the growth rule is applied by a rebuild.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel

from api.children.views import (
    AssessmentOut,
    ChildId,
    MeasurementOut,
    child_row,
    measurement_out,
    writable_state_guard,
)
from api.identity.access import Principal, Requires
from api.services import Services
from api.web.deps import ServicesDep
from api.web.kit import PROBLEMS, Write, Writes, etag, example, today
from domain.child import commands as c
from domain.child.commands import MeasurementEntry
from domain.child.decider import ChildState, stream_id
from domain.child.events import Measurement
from domain.values import Text500
from events import sql
from events.handling import Outcome, new_event_id
from events.projections import children as index

router = APIRouter(tags=["children"])
_MEASUREMENTS = "/v1/children/{child_id}/measurements"
_MEASUREMENT = _MEASUREMENTS + "/{measurement_id}"
MeasurementId = Annotated[uuid.UUID, Path(description="The event id of the measurement.")]
Measurer = Annotated[Write, Writes("measurements:write")]


class MeasurementRequest(MeasurementEntry):
    """A measurement; ``event_id`` (or ``Idempotency-Key``) makes a retry safe."""

    model_config = example(
        {
            "measured_on": "2025-05-10",
            "weight_kg": 9.8,
            "length_cm": 77.9,
            "position": "lying",
            "measured_by": "kader",
        }
    )

    event_id: uuid.UUID | None = None

    def values(self, principal: Principal) -> Measurement:
        """The measurement without the event id; ``measured_by`` defaults to the caller."""
        fields = self.model_dump(exclude={"event_id"})
        fields["measured_by"] = self.measured_by or principal.id
        return Measurement.model_validate(fields)


class CorrectionRequest(MeasurementRequest):
    """The corrected values of a measurement, and why."""

    model_config = example(
        {
            "measured_on": "2025-05-10",
            "weight_kg": 9.6,
            "length_cm": 77.9,
            "position": "lying",
            "reason": "timbangan belum dinolkan; ditimbang ulang",
        }
    )

    reason: Text500

    def values(self, principal: Principal) -> Measurement:
        """The corrected measurement."""
        return MeasurementRequest.model_validate(self.model_dump(exclude={"reason"})).values(
            principal
        )


class VoidRequest(BaseModel):
    """Why the measurement no longer counts."""

    model_config = example({"reason": "entri ganda: pengukuran yang sama tercatat dua kali"})

    reason: Text500
    event_id: uuid.UUID | None = None


class Written(BaseModel):
    """The stored event's id and the stream's version after it."""

    event_id: str
    version: int


class MeasurementWritten(Written):
    """A stored measurement (or correction): the assessment of its values, and the values."""

    assessment: AssessmentOut | None
    measurement: MeasurementOut


class MeasurementPage(BaseModel):
    """The child's measurements, oldest first, corrected and voided ones marked."""

    version: int
    items: list[MeasurementOut]


def _write(
    services: Services,
    write: Write,
    child_id: uuid.UUID,
    command: c.ChildCommand,
    event_id: str | None,
) -> Outcome[ChildState]:
    """Run ``command`` on the child's stream as one event (its id the client's, or new)."""
    return services.child_writes.execute(
        stream_id(str(child_id)),
        command,
        write.meta,
        expected_version=write.expected_version,
        event_ids=[event_id or new_event_id()],
        guard=writable_state_guard(write.principal),
    )


def _written(response: Response, outcome: Outcome[ChildState]) -> Written:
    """The stored event and version, also the ``ETag``: a replay answers what the first call
    answered."""
    stored = outcome.events
    etag(response, stored[-1].stream_version)
    return Written(event_id=stored[0].event_id, version=stored[-1].stream_version)


def _measured(
    services: Services,
    response: Response,
    child_id: uuid.UUID,
    measurement_id: str,
    outcome: Outcome[ChildState],
    written: tuple[str, Measurement],
) -> MeasurementWritten:
    """The answer to a stored measurement or correction (``written``: "recorded" or
    "corrected", and the values), with its row as the projection holds it: computed from
    the values and the child's state when it was just stored, read when it was stored
    before (a replay: it may have been corrected or voided since)."""
    if outcome.replayed:
        with services.store.reader() as driver:
            reader = sql.Reader(services.engine.dialect, driver)
            row = index.measurement_of(reader, str(child_id), measurement_id)
        assert row is not None  # stored, in the same transaction as the event
    else:
        child, (state, values) = outcome.state, written
        row = index.written_measurement(measurement_id, state, child.sex, child.birth_date, values)
    out = measurement_out(row)
    answer = _written(response, outcome)
    return MeasurementWritten(**answer.model_dump(), assessment=out.assessment, measurement=out)


@router.post(_MEASUREMENTS, status_code=201, responses=PROBLEMS)
def record_measurement(
    child_id: ChildId,
    body: MeasurementRequest,
    response: Response,
    services: ServicesDep,
    write: Measurer,
) -> MeasurementWritten:
    """Record a measurement; the answer has its event id, the version and the assessment."""
    event_id = write.event_id(body.event_id) or new_event_id()
    measurement = body.values(write.principal)
    command = c.RecordMeasurement(today=today(), measurement_id=event_id, measurement=measurement)
    outcome = _write(services, write, child_id, command, event_id)
    return _measured(services, response, child_id, event_id, outcome, ("recorded", measurement))


@router.post(_MEASUREMENT + "/corrections", status_code=201, responses=PROBLEMS)
def correct_measurement(
    child_id: ChildId,
    measurement_id: MeasurementId,
    body: CorrectionRequest,
    response: Response,
    services: ServicesDep,
    write: Measurer,
) -> MeasurementWritten:
    """Replace a measurement's values (with a reason); the original stays in the log."""
    corrected = str(measurement_id)
    measurement = body.values(write.principal)
    command = c.CorrectMeasurement(
        today=today(), measurement_id=corrected, measurement=measurement, reason=body.reason
    )
    outcome = _write(services, write, child_id, command, write.event_id(body.event_id))
    written = ("corrected", measurement)
    return _measured(services, response, child_id, corrected, outcome, written)


@router.post(_MEASUREMENT + "/void", status_code=201, responses=PROBLEMS)
def void_measurement(
    child_id: ChildId,
    measurement_id: MeasurementId,
    body: VoidRequest,
    response: Response,
    services: ServicesDep,
    write: Measurer,
) -> Written:
    """Void a measurement (with a reason): it no longer counts; voiding twice is 409."""
    voided = str(measurement_id)
    command = c.VoidMeasurement(today=today(), measurement_id=voided, reason=body.reason)
    outcome = _write(services, write, child_id, command, write.event_id(body.event_id))
    return _written(response, outcome)


@router.get(_MEASUREMENTS, responses=PROBLEMS)
def list_measurements(
    child_id: ChildId,
    response: Response,
    services: ServicesDep,
    principal: Annotated[Principal, Requires("children:read")],
) -> MeasurementPage:
    """The child's measurement history with assessments, corrected and voided ones marked."""
    version = int(child_row(services, principal, child_id)["version"])
    with services.engine.connect() as conn:
        rows = index.measurements_of(conn, str(child_id))
    etag(response, version)
    return MeasurementPage(version=version, items=[measurement_out(r) for r in rows])
