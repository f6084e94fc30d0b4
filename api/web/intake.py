"""What every request passes before its route: a body size limit, and no NUL in any field.

``BodyLimit`` refuses (413) a body longer than its route takes: at once when the request
declares its length, else as soon as the bytes that stream in pass the limit, so nothing
longer is ever held in memory, and before anything else runs, authentication included. The
limit is ``TUMBUH_MAX_BODY_BYTES`` (1 MiB by default); a few routes take more (the KRS
import, 16 MiB). (FastAPI's own ``max_body_size`` answers a declared excess in plain text,
not problem+json, hence this middleware.)

PostgreSQL text cannot hold U+0000 while SQLite can: ``refuse_nul`` refuses a NUL that would
reach a field (a decoded path or query value, a header, a form value, or a string or key of
a JSON body), naming the field, on both databases alike. The text ``%00``, or ``\\u0000`` as
six characters (``"\\\\u0000"`` in JSON), is an ordinary value and is not refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web.errors import BodyTooLarge, NulCharacter, too_large


class BodyLimit:
    """413 for a body longer than ``limit`` (or its path's own limit in ``larger``)."""

    def __init__(self, app: ASGIApp, limit: int, larger: Mapping[str, int]) -> None:
        self.app, self.limit, self.larger = app, limit, larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.limit)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await too_large(limit)(scope, receive, send)
            return
        taken, started = 0, False

        async def counted() -> Message:
            nonlocal taken
            message = await receive()
            if message["type"] == "http.request":
                taken += len(message.get("body", b""))
                if taken > limit:  # raised in the route's read: answered by its handler
                    raise BodyTooLarge(limit)
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except BodyTooLarge:
            if started:
                raise
            await too_large(limit)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def refuse_nul(request: Request) -> None:
    """A dependency of every route: 422 naming the first field that holds U+0000."""
    for location, value in _fields(request):
        if "\x00" in value:
            raise NulCharacter(location)
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or route.body_field is None:
        return
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()  # parsed once already, for the route
        for name, field in form.multi_items():
            if "\x00" in name or (isinstance(field, str) and "\x00" in field):
                raise NulCharacter(["body", name])
    elif kind == "application/json" or kind.endswith("+json"):
        try:
            body = await request.json()  # parsed once already, for the route
        except ValueError:
            return  # not JSON: the route's validation answers that
        where = nul_location(body, ["body"])
        if where is not None:
            raise NulCharacter(where)


def _fields(request: Request) -> Iterator[tuple[list[str | int], str]]:
    for name, value in request.path_params.items():
        yield ["path", name], str(value)
    for name, value in request.query_params.multi_items():
        yield ["query", name], name + value
    for name, value in request.headers.items():
        yield ["header", name], value


def nul_location(value: Any, location: list[str | int]) -> list[str | int] | None:
    """The location of the first string (or key) under ``value`` that holds U+0000."""
    if isinstance(value, str):
        return location if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here: list[str | int] = [*location, key]
            found = here if "\x00" in key else nul_location(item, here)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_location(item, [*location, index])
            if found is not None:
                return found
    return None
