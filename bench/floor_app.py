"""The floor of ``POST /v1/children/{id}/measurements``: the service's own app with one more
route that does everything that POST does except read and write the store.

``POST /bench/floor/{child_id}?sex=&born=`` goes through the same middleware, the same
authentication (the token's signature and the principal's standing, read from the database)
and scope check, the same body model, computes the same assessment with ``domain.growth``
and answers the same model, 201. It runs on the event loop (no thread-pool hand-off), which
is the cheapest way FastAPI can serve it. Whatever the write path costs comes on top, so
the floor's rate bounds the rate any store behind this stack could reach on the machine.

Served by ``bench/children.py`` (uvicorn ``--factory floor_app:app_with_floor``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import FastAPI, Query

from api.app import app_from_environment
from api.children.routers.measurements import MeasurementRequest, MeasurementWritten
from api.children.views import AssessmentOut, ChildId, MeasurementOut
from api.identity.access import Principal, Requires
from domain.growth import Sex
from events.projections.children import assessment_answer


def app_with_floor() -> FastAPI:
    """The service's app, as ``tumbuh serve`` builds it, with the floor route added last."""
    app = app_from_environment()
    app.add_api_route("/bench/floor/{child_id}", _floor, methods=["POST"], status_code=201)
    return app


async def _floor(
    child_id: ChildId,
    body: MeasurementRequest,
    principal: Annotated[Principal, Requires("measurements:write")],
    sex: Annotated[Sex, Query()],
    born: Annotated[date, Query()],
) -> MeasurementWritten:
    values = body.values(principal)
    scored = values.assessed(sex, born)
    assessment = AssessmentOut.model_validate(assessment_answer(scored))
    event_id = str(body.event_id or child_id)
    out = MeasurementOut(**values.model_dump(), event_id=event_id, assessment=assessment)
    return MeasurementWritten(event_id=event_id, version=2, assessment=assessment, measurement=out)
