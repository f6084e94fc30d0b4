"""What the OpenAPI document says an operation answers: every status, with its media type.

A route declares only what is its own: ``responses=problems(404, 409, 412)`` for the
problems its rules give, ``also(CSV)`` for an answer in another media type. What follows
from the route's shape is added to every operation by ``install`` (``document``):

- 401 for a route that takes a bearer token, and 403 when it needs a scope;
- 422 for a route with parameters or a body (validation, or a NUL character in a field);
- 400 (a body that cannot be parsed) for a route with a body;
- 413 for every route: ``api.web.intake.BodyLimit`` refuses a long body before any route.

Every problem status is documented as ``application/problem+json`` with the ``Problem``
schema, which is what ``api/web/errors.py`` answers; FastAPI's own 422 (``HTTPValidationError``
as ``application/json``) is replaced.
"""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase

from api.web.errors import PROBLEM, Problem

Responses = dict[int | str, dict[str, Any]]
CSV: Final = "text/csv"
NDJSON: Final = "application/x-ndjson"
_PROBLEM_REF: Final = {"$ref": "#/components/schemas/Problem"}
_TEXT: Final = {"type": "string"}
# Two answers share a class name, so the document names each by its module. Generated
# clients are written against those names: they stay as they were when every router lived
# in one package, whatever room the class lives in now.
_KEPT_NAMES: Final = {
    "api__areas__figures__QueueAnswer": "api__routers__area_stats__QueueAnswer",
    "api__meetings__routers__queues__QueueAnswer": "api__routers__resolutions__QueueAnswer",
}
_SCHEMAS: Final = "#/components/schemas/"


def problems(*statuses: int) -> Responses:
    """``responses=`` for the problem statuses an operation's own rules answer."""
    return {status: {"description": _phrase(status)} for status in statuses}


def also(media_type: str, status: int = 200) -> Responses:
    """``responses=`` for an answer that may also come as text in ``media_type``."""
    return {status: {"content": {media_type: {"schema": _TEXT}}}}


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` document every status of every operation (see the module)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document(app, generate())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document(app: FastAPI, spec: dict[str, Any]) -> None:
    """Add to ``spec`` (generated from ``app``) the statuses that follow from each route."""
    for context in routing.iter_route_contexts(app.routes):  # routers included, flattened
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in context.methods or ():
            operation = spec["paths"][context.path_format][method.lower()]
            _amend(route, operation)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(_problem_schemas())
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    for name, kept in _KEPT_NAMES.items():
        schemas[kept] = schemas.pop(name)
    _rename_refs(spec)


def _rename_refs(node: Any) -> None:
    """Point every ``$ref`` at the kept names of ``_KEPT_NAMES``."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMAS):
            name = ref.removeprefix(_SCHEMAS)
            node["$ref"] = _SCHEMAS + _KEPT_NAMES.get(name, name)
        for value in node.values():
            _rename_refs(value)
    elif isinstance(node, list):
        for value in node:
            _rename_refs(value)


def _amend(route: APIRoute, operation: dict[str, Any]) -> None:
    answers: dict[str, Any] = operation["responses"]
    answers.pop("422", None)  # FastAPI's own: typed application/json, not what is answered
    shaped = set(_statuses(route, operation))
    for status in shaped:
        answers.setdefault(str(status), {"description": _phrase(status)})
    for code, answer in answers.items():
        if int(code) < 400:
            continue
        declared = route.responses.get(int(code)) or route.responses.get(code) or {}
        if declared.get("model", Problem) is Problem:
            answer["content"] = {PROBLEM: {"schema": _PROBLEM_REF}}
        elif int(code) in shaped:  # its own body (RFC 6749's errors), and ours (a bad body)
            answer["content"][PROBLEM] = {"schema": _PROBLEM_REF}


def _statuses(route: APIRoute, operation: dict[str, Any]) -> Iterator[int]:
    dependants = list(_walk(route.dependant))
    if any(isinstance(d.call, SecurityBase) for d in dependants):
        yield 401
        if any(d.own_oauth_scopes for d in dependants):
            yield 403
    if operation.get("parameters") or "requestBody" in operation:
        yield 422
    if "requestBody" in operation:
        yield 400
    yield 413


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


def _problem_schemas() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {"Problem": schema, **definitions}


def _phrase(status: int) -> str:
    return HTTPStatus(status).phrase
