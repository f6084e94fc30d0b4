"""Liveness and readiness for orchestrators and load balancers."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.web.deps import ServicesDep
from api.web.errors import Problem, problem_response
from migrations import runner as migrate

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The process answers."""

    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    """The database answers and its schema is at the newest migration."""

    status: Literal["ready"] = "ready"
    database: str
    log_position: int


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """Liveness: the process is up."""
    return Health()


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Problem, "content": {"application/problem+json": {}}}},
)
def readyz(services: ServicesDep) -> Readiness | JSONResponse:
    """Readiness: the database is reachable and migrated to head."""
    try:
        with services.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        if not migrate.at_head(services.engine):
            return problem_response(
                503,
                "not-migrated",
                "Service Unavailable",
                "the database is not at the newest migration",
            )
        position = services.store.head().position
    except SQLAlchemyError:
        return problem_response(
            503, "database-unreachable", "Service Unavailable", "the database does not answer"
        )
    return Readiness(database=services.engine.dialect.name, log_position=position)
