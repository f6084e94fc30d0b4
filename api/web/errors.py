"""Every error of the API as RFC 9457 problem+json, mapped in this one place.

Details never carry personal data: domain errors phrase their own text without names or
NIKs, validation errors echo the field's location, not its value.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from api.web.middleware import add_to
from domain.fact import DomainError
from events.errors import (
    ConditionFailed,
    EventIdConflict,
    InvalidAppend,
    WrongExpectedVersion,
)

PROBLEM = "application/problem+json"
TYPE_BASE = "https://tumbuh.id/problems/"
log = logging.getLogger("tumbuh.api")


class FieldProblem(BaseModel):
    """One bad field: where it is and what is wrong, in words a kader understands."""

    location: list[str | int]
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldProblem] | None = None
    current_version: int | None = None


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    errors: Sequence[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
    current_version: int | None = None,
) -> JSONResponse:
    """A problem+json answer."""
    body = Problem(
        type=TYPE_BASE + code,
        title=title,
        status=status,
        detail=detail,
        errors=list(errors) if errors is not None else None,
        current_version=current_version,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM, headers=headers
    )


def _validation(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    problems = [_field_problem(e) for e in error.errors()]
    return problem_response(
        422,
        "validation",
        "The request has invalid fields",
        "See errors for each field.",
        errors=problems,
    )


def _field_problem(error: dict[str, Any]) -> FieldProblem:
    location = [p for p in error.get("loc", ()) if isinstance(p, str | int)]
    named = [str(p) for p in location[1:]] or [str(p) for p in location]
    return FieldProblem(location=location, field=".".join(named), message=str(error["msg"]))


def _domain(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    errors = None
    if error.field is not None:
        where = [_location(request, error.field), error.field]
        errors = [FieldProblem(location=where, field=error.field, message=error.detail)]
    return problem_response(
        error.status, error.code, _title(error.status), error.detail, errors=errors
    )


def _location(request: Request, field: str) -> str:
    """Where the refused field came from: the path, the query string or the body."""
    if field in request.path_params:
        return "path"
    if field in request.query_params:
        return "query"
    return "body"


def _version(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, WrongExpectedVersion)
    etag = {"ETag": f'"{error.actual}"'}
    if isinstance(error, ConditionFailed):
        return problem_response(
            412,
            "precondition-failed",
            "Precondition Failed",
            f"the resource is at version {error.actual}",
            headers=etag,
            current_version=error.actual,
        )
    return problem_response(
        409, "version-conflict", "Conflict", str(error), headers=etag, current_version=error.actual
    )


def _event_id(_: Request, error: Exception) -> JSONResponse:
    return problem_response(409, "event-id-conflict", "Conflict", str(error))


def _invalid_append(_: Request, error: Exception) -> JSONResponse:
    return problem_response(422, "invalid-append", "Unprocessable Content", str(error))


def _http(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    return problem_response(
        error.status_code,
        f"http-{error.status_code}",
        _title(error.status_code),
        str(error.detail),
        headers=getattr(error, "headers", None),
    )


class NulCharacter(Exception):
    """A field holds U+0000, which PostgreSQL text cannot store (refused on both databases)."""

    def __init__(self, location: list[str | int]) -> None:
        super().__init__("a field holds a NUL character")
        self.location = location


def _nul(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, NulCharacter)
    location = error.location
    named = ".".join(str(p) for p in location[1:]) or str(location[0])
    message = "holds a NUL character (U+0000), which no field accepts"
    return problem_response(
        422,
        "nul-character",
        "Unprocessable Content",
        f"{named} {message}",
        errors=[FieldProblem(location=location, field=named, message=message)],
    )


def too_large(limit: int) -> JSONResponse:
    """413: the body is longer than the operation takes."""
    return problem_response(
        413,
        "body-too-large",
        "Content Too Large",
        f"the body is longer than the {limit} bytes this operation takes",
    )


class BodyTooLarge(HTTPException):
    """413: the body streaming in passed the operation's limit (``api.web.intake.BodyLimit``)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body is longer than the {limit} bytes this operation takes")
        self.limit = limit


def _too_large(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, BodyTooLarge)
    return too_large(error.limit)


def _unexpected(request: Request, error: Exception) -> JSONResponse:
    # The exception's text may hold request data; log its type and the route only.
    log.error("unhandled %s on %s %s", type(error).__name__, request.method, request.url.path)
    detail = "The error was logged; nothing was changed."
    answer = problem_response(500, "internal", "Internal Server Error", detail)
    add_to(answer.headers)  # answered outside the middleware that adds them to the others
    return answer


def _title(status: int) -> str:
    from http import HTTPStatus  # noqa: PLC0415 (tiny, only on the error path)

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(WrongExpectedVersion, _version)
    app.add_exception_handler(EventIdConflict, _event_id)
    app.add_exception_handler(InvalidAppend, _invalid_append)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(BodyTooLarge, _too_large)
    app.add_exception_handler(NulCharacter, _nul)
    app.add_exception_handler(Exception, _unexpected)
