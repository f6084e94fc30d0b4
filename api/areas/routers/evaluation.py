"""The TPPS evaluation per kecamatan: one row per kecamatan of a kota for a period.

Each row: stunting prevalence and its change from the previous period, coverage D/S, the
desa/kelurahan reaching zero new stunting, and the resolutions due in the period, by how
they ended (done on time, done late, dropped, still open) and whether their targets were
met. A resolution counts for each kecamatan holding one of its areas; one about the whole
kota counts in the kota's row only. Everything can be asked as known at an earlier moment.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from api.areas.evaluation import EvaluationAnswer, evaluate, evaluation_csv
from api.identity.access import Principal, Requires
from api.web.deps import ServicesDep
from api.web.kit import CodePath, KnownAt
from api.web.responses import CSV, also, problems
from domain.figures import parse_period

router = APIRouter(tags=["figures"])
PROBLEMS = problems(404)
"""The kinds of stream an evaluation reads: a new event in any other changes nothing."""
Reader = Annotated[Principal, Requires("areas:read")]
MeetingsReader = Annotated[Principal, Requires("meetings:read")]


@router.get(
    "/v1/areas/{code}/evaluation",
    response_model=EvaluationAnswer,
    responses={**PROBLEMS, **also(CSV)},
)
def evaluation(
    code: CodePath,
    response: Response,
    services: ServicesDep,
    principal: Reader,
    _: MeetingsReader,
    period: Annotated[str, Query(description="YYYY-MM, YYYY-Qn or YYYY.", max_length=8)],
    known_at: KnownAt = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Any:
    """The TPPS evaluation per kecamatan of a kota, ranked (CSV with ``format=csv``)."""
    answer = evaluate(services, principal, code, parse_period(period), known_at)
    headers = {"Tumbuh-Log-Position": str(answer.log_position)}
    if format == "csv":
        return Response(
            evaluation_csv(answer), media_type="text/csv; charset=utf-8", headers=headers
        )
    response.headers.update(headers)
    return answer
