"""Logging in (the OAuth2 token endpoint), the published keys, and who the caller is."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal
from urllib.parse import unquote_plus

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from api.identity.access import CurrentPrincipal
from api.identity.grants import Granted, GrantError, Grants
from api.identity.throttle import address_of
from api.web.deps import ServicesDep
from api.web.errors import Problem
from domain.access import scope_text

router = APIRouter(tags=["identity"])
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}


class TokenForm(BaseModel):
    """The token request's form fields (RFC 6749 §4.3, §4.4, §6); which apply per grant."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"grant_type": "password", "username": "demo-kader", "password": "tumbuh-demo-2025"}
            ]
        }
    )

    grant_type: str | None = None
    username: str | None = None
    password: str | None = None
    refresh_token: str | None = None
    scope: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


class TokenAnswer(BaseModel):
    """RFC 6749 §5.1: the access token and, for users, the refresh token."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a token type, not a secret)
    expires_in: int
    scope: str
    refresh_token: str | None = None


class OAuthError(BaseModel):
    """RFC 6749 §5.2: what went wrong, in terms OAuth2 client libraries understand."""

    error: str
    error_description: str


class PublicKey(BaseModel):
    """One public key as a JWK (EC: crv, x, y; RSA: n, e)."""

    kid: str
    kty: str
    alg: str
    use: str
    crv: str | None = None
    x: str | None = None
    y: str | None = None
    n: str | None = None
    e: str | None = None


class KeySet(BaseModel):
    """RFC 7517 JWK Set: the keys that verify this installation's tokens."""

    keys: list[PublicKey]


class Me(BaseModel):
    """The caller as its token and the principals register describe it."""

    principal: str
    role: str
    scope: str
    scopes: list[str]
    wilayah: list[str]
    client: str | None
    issuer: str


@router.post(
    "/v1/auth/token",
    response_model=TokenAnswer,
    response_model_exclude_none=True,
    responses={s: {"model": OAuthError} for s in (400, 401, 429, 503)},
)
def token(
    request: Request, services: ServicesDep, form: Annotated[TokenForm, Form()]
) -> JSONResponse:
    """Exchange credentials for tokens (``password``, ``client_credentials``, ``refresh_token``).

    Form-encoded as RFC 6749 says; clients authenticate with HTTP Basic or with
    ``client_id`` and ``client_secret`` in the form. Errors answer as RFC 6749 §5.2.
    """
    try:
        granted = _grant(request, services.grants, form)
    except GrantError as error:
        body = OAuthError(error=error.error, error_description=error.description)
        return JSONResponse(
            body.model_dump(), status_code=error.status, headers={**_NO_STORE, **error.headers}
        )
    return JSONResponse(_answer(granted), headers=_NO_STORE)


@router.get("/.well-known/jwks.json", response_model=KeySet, response_model_exclude_none=True)
def jwks(services: ServicesDep) -> KeySet:
    """The public keys (current and previous) that verify this installation's tokens."""
    return KeySet.model_validate(services.auth.jwks())


@router.get("/v1/me", response_model=Me, responses={401: _PROBLEM})
def me(principal: CurrentPrincipal) -> Me:
    """The caller: principal, role, scopes and reach (wilayah prefixes)."""
    return Me(
        principal=principal.id,
        role=principal.role.value,
        scope=scope_text(principal.scopes),
        scopes=sorted(principal.scopes),
        wilayah=list(principal.reach.prefixes),
        client=principal.client,
        issuer=principal.issuer,
    )


def _grant(request: Request, grants: Grants, form: TokenForm) -> Granted:
    address = address_of(request.client.host if request.client else None)
    if form.grant_type == "password":
        username, password = _given(form.username, "username"), _given(form.password, "password")
        return grants.password(username, password, form.scope, form.client_id, address)
    if form.grant_type == "client_credentials":
        who, secret = _client_credentials(request, form.client_id, form.client_secret)
        return grants.client_credentials(who, secret, form.scope, address)
    if form.grant_type == "refresh_token":
        return grants.refresh(_given(form.refresh_token, "refresh_token"), form.scope)
    if not form.grant_type:
        raise GrantError("invalid_request", "grant_type is required")
    raise GrantError("unsupported_grant_type", "use password, client_credentials or refresh_token")


def _given(value: str | None, name: str) -> str:
    if not value:
        raise GrantError("invalid_request", f"{name} is required")
    return value


def _client_credentials(
    request: Request, client_id: str | None, client_secret: str | None
) -> tuple[str, str]:
    """The client's id and secret from HTTP Basic (RFC 6749 §2.3.1) or from the form."""
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            who, colon, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            who, colon, secret = "", "", ""
        if colon and who:
            return unquote_plus(who), unquote_plus(secret)
    elif client_id and client_secret:
        return client_id, client_secret
    raise GrantError(
        "invalid_client",
        "the client is not authenticated",
        status=401,
        headers={"WWW-Authenticate": 'Basic realm="tumbuh"'},
    )


def _answer(granted: Granted) -> dict[str, object]:
    answer = TokenAnswer(
        access_token=granted.access_token,
        expires_in=granted.expires_in,
        scope=granted.scope,
        refresh_token=granted.refresh_token,
    )
    return answer.model_dump(exclude_none=True)
