"""Enforcement: who calls (bearer token), may they (scope), and where (reach).

A route declares what it needs in one line::

    principal: Annotated[Principal, Requires("children:read")]

A missing or bad token answers 401 with ``WWW-Authenticate: Bearer``; a missing scope 403
naming it; a single resource outside the caller's reach 404 (``ensure_reach``), and lists
keep only what is inside it (``principal.reach``). A write needs every area of its target
inside the reach (``ensure_writable``). Writes record who made them with ``write_meta``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, Request, Security, params
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from api.identity.tokens import MAX_TOKEN_BYTES, Claims, InvalidToken
from api.services import Services
from api.web.deps import ServicesDep
from domain.access import OWN_RECORDS_ONLY, SCOPES, Forbidden, Reach, Role, ceiling
from domain.fact import NotFound
from events import sql
from events.envelope import JsonObject
from events.projections import principals as index

_REQUEST_ID: Final = re.compile(r"[A-Za-z0-9._:-]{1,100}")
bearer = HTTPBearer(
    auto_error=False, bearerFormat="JWT", description="An access token from POST /v1/auth/token."
)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of a request."""

    id: str
    role: Role
    scopes: frozenset[str]
    reach: Reach
    client: str | None
    issuer: str
    external: bool = False

    def reaches(self, wilayah: str | None) -> bool:
        """Whether the area ``wilayah`` lies inside the caller's reach."""
        return self.reach.covers(wilayah)


class Unauthenticated(HTTPException):
    """401: no token, or one that is not accepted; says why, never echoes the token."""

    def __init__(self, detail: str) -> None:
        challenge = 'Bearer realm="tumbuh", error="invalid_token"'
        super().__init__(401, detail, headers={"WWW-Authenticate": challenge})


class MissingScope(HTTPException):
    """403: the token is good but does not carry the scope the route needs."""

    def __init__(self, scope: str) -> None:
        challenge = f'Bearer realm="tumbuh", error="insufficient_scope", scope="{scope}"'
        super().__init__(
            403, f"this needs the scope {scope}", headers={"WWW-Authenticate": challenge}
        )


def authenticate(
    services: Services, request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    """The caller named by the request's bearer token, or 401."""
    claims = _claims(services, request, credentials)
    if not claims.external:
        with services.store.reader() as driver:
            reader = sql.Reader(services.engine.dialect, driver)
            _check_current(claims, index.standing(reader, claims.subject))
    return _principal(claims)


def _claims(
    services: Services, request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Claims:
    if len(request.headers.get("authorization", "")) > MAX_TOKEN_BYTES + len("Bearer "):
        raise Unauthenticated("the token is longer than 8 KB")
    if credentials is None:
        raise Unauthenticated("this needs an access token: Authorization: Bearer <token>")
    try:
        claims = services.auth.verify(credentials.credentials)
    except InvalidToken as refusal:
        raise Unauthenticated(str(refusal)) from None
    return claims


def _principal(claims: Claims) -> Principal:
    # The role's ceiling holds whatever a token carries: a principal granted more before the
    # ceiling was enforced, or a trusted issuer's token, gets no more than its role allows.
    return Principal(
        claims.subject,
        claims.role,
        claims.scopes & ceiling(claims.role),
        Reach(claims.reach),
        claims.client,
        claims.issuer,
        claims.external,
    )


def _check_current(claims: Claims, standing: tuple[int, bool] | None) -> None:
    """Refuse a token whose principal is disabled or changed since it was issued."""
    if standing is None or standing[1]:
        raise Unauthenticated("the token's principal is disabled")
    if standing[0] != claims.version:
        raise Unauthenticated("the principal changed since the token was issued: refresh it")


# A coroutine: on PostgreSQL it reads on the store's asynchronous pool, and the loop serves
# other requests meanwhile; without the pool (SQLite) it reads on the loop, since FastAPI would
# run a plain function in its thread pool, and the hand-off (with the GIL passed between the
# loop's thread and a worker's) cost more than the read itself, an indexed row of a projection
# that takes no lock (docs/scaling.md, 5 December).
async def _authenticated(
    services: ServicesDep,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    pool = services.store.async_pool()
    if pool is None:
        return authenticate(services, request, credentials)
    claims = _claims(services, request, credentials)
    if not claims.external:
        async with pool.connection() as driver:
            reader = sql.AsyncReader(services.engine.dialect, driver)
            _check_current(claims, await index.standing_async(reader, claims.subject))
    return _principal(claims)


def Requires(scope: str, *, area_wide: bool = False) -> params.Security:  # noqa: N802 (reads as a marker in Annotated)
    """A dependency: the authenticated caller, who must hold ``scope`` (else 403); with
    ``area_wide`` (an area's lists, queues, figures) never a role that acts for one party."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope}: add it to domain/access.py first")

    async def caller(principal: Annotated[Principal, Depends(_authenticated)]) -> Principal:
        # A coroutine, so that the check does not cost a hand-off to the thread pool.
        if scope not in principal.scopes:
            raise MissingScope(scope)
        if area_wide and principal.role in OWN_RECORDS_ONLY:
            raise Forbidden(
                f"the {principal.role.value} role reads only its own sponsor's records, "
                "not an area's lists, queues or figures"
            )
        return principal

    return params.Security(dependency=caller, scopes=[scope])


CurrentPrincipal = Annotated[Principal, Security(_authenticated)]


def ensure_reach(principal: Principal, wilayah: str | None, what: str = "resource") -> None:
    """404 unless the resource's area is inside the caller's reach (no existence leak)."""
    if not principal.reaches(wilayah):
        raise NotFound(f"there is no such {what}")


def ensure_writable(principal: Principal, areas: Sequence[str], what: str = "resource") -> None:
    """404 unless every area of the target lies inside the caller's reach (a write to a
    parent area, or to areas only partly inside, is refused as if it did not exist: the same
    words as for an unknown one, so the answer leaks nothing)."""
    if not principal.reach.changes(areas):
        raise NotFound(f"there is no such {what}")


def read_meta(principal: Principal) -> JsonObject:
    """The event ``meta`` of a recorded read: who, in which role, through which client."""
    return {
        "actor": principal.id,
        "role": principal.role.value,
        "client": principal.client,
        "issuer": principal.issuer,
    }


def write_meta(principal: Principal, request: Request) -> JsonObject:
    """The event ``meta`` of a write: who, in which role, through which client, which call."""
    given = request.headers.get("x-request-id", "")
    correlation = given if _REQUEST_ID.fullmatch(given) else str(uuid.uuid4())
    return {
        "actor": principal.id,
        "role": principal.role.value,
        "client": principal.client,
        "correlation_id": correlation,
        "issuer": principal.issuer,
    }
