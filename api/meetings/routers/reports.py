"""What the areas report to a meeting, and the printable minutes (notulen) of it.

An area reports only by a caller whose reach holds the area, inside the meeting's area;
the minutes are read by whoever sees the meeting, names of officials only with
``pii:read``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse
from pydantic import Field

from api.areas.registry import area_names, desa_under
from api.identity.access import ensure_writable
from api.meetings import minutes
from api.meetings.figures import report_figures
from api.meetings.outline import MinutesView
from api.meetings.views import MEETINGS, MeetingId, Reader, Writer, officials_of, visible_meeting
from api.web.deps import ServicesDep
from api.web.kit import PROBLEMS, Strict, command_from, etag, example
from domain import wilayah
from domain.fact import DomainError
from domain.meeting import commands as c
from domain.meeting import events as e
from domain.meeting.decider import MeetingStatus, Report, local_day
from domain.values import AreaCode, Office, Text4000
from events.projections import meetings as index

router = APIRouter(tags=["meetings"])


class ReportRequest(Strict):
    """An area's progress report; the figures are attached by the server."""

    model_config = example(
        {
            "area": "32.79.02",
            "office": "Kecamatan Pataruman",
            "kampung_kb": {"designated": True, "maturity": "Berkembang"},
            "activities": ["Posyandu serentak"],
            "obstacles": [{"code": "data", "text": "Entri e-PPGBM terlambat"}],
        }
    )

    event_id: uuid.UUID | None = None
    area: AreaCode = Field(description="The reporting area, inside the meeting's.")
    office: Office = Field(description="The reporting office, e.g. Kecamatan X.")
    kampung_kb: e.KampungKbStatus | None = None
    activities: list[Text4000] = Field(default_factory=list, max_length=100)
    obstacles: list[e.Kendala] = Field(default_factory=list, max_length=100)


@router.post("/v1/meetings/{meeting_id}/reports", status_code=201, responses=PROBLEMS)
def report_area(
    meeting_id: MeetingId,
    body: ReportRequest,
    response: Response,
    services: ServicesDep,
    write: Writer,
) -> Report:
    """An area's progress report at a held meeting, by an office whose reach holds the
    area; the area's figures of the month before the meeting, as known at the end of the
    meeting's day, are attached. A later report for the same area replaces it."""
    found = visible_meeting(services, write.principal, str(meeting_id))
    area = wilayah.parse(body.area, field="area")
    ensure_writable(write.principal, [area], "area")
    if not wilayah.covers(found.state.area, area):
        raise DomainError(
            f"the area lies outside the meeting's area {found.state.area}", field="area"
        )
    if not desa_under(services, area):
        raise DomainError("there is no registered desa/kelurahan under this code", field="area")
    day = found.state.held_on or found.state.date
    figures = (
        report_figures(services, area, day) if found.state.status is MeetingStatus.HELD else None
    )
    command = command_from(c.ReportArea, body, at=services.clock(), area=area, figures=figures)
    outcome = MEETINGS.write(services, str(meeting_id), command, write, given=body.event_id)
    etag(response, outcome.version)
    return next(r for r in outcome.state.reports if r.area == area)


@router.get(
    "/v1/meetings/{meeting_id}/minutes",
    responses={**PROBLEMS, 200: {"content": {"text/html": {}, "text/markdown": {}}}},
    response_class=HTMLResponse,
)
def get_minutes(
    meeting_id: MeetingId,
    services: ServicesDep,
    caller: Reader,
    format: Annotated[Literal["html", "markdown"], Query()] = "html",
) -> Response:
    """The minutes (notulen), printable and ready to sign: HTML, or Markdown."""
    found = visible_meeting(services, caller, str(meeting_id))
    state = found.state
    codes = [state.area, *(r.area for r in state.reports)]
    with services.engine.connect() as conn:
        rows = index.list_resolutions(conn, reach=("*",), meeting=found.id)
    view = MinutesView(
        meeting_id=found.id,
        meeting=state,
        names=area_names(services, [*codes, *(a for r in rows for a in r.state.areas)]),
        resolutions=[(r.id, r.state) for r in rows],
        officials=officials_of(services, caller, found),
        today=local_day(services.clock()),
    )
    headers = {"ETag": f'"{found.version}"'}
    if format == "markdown":
        return Response(
            minutes.markdown(view), media_type="text/markdown; charset=utf-8", headers=headers
        )
    return HTMLResponse(minutes.html(view), headers=headers)
