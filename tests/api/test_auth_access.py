"""Routes declare their scope and area in one line; the answers follow from it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, Request
from fastapi.testclient import TestClient

from api.app import create_app
from api.identity.access import Principal, Requires, ensure_reach, write_meta
from api.services import Services
from api.web.deps import ServicesDep
from domain.access import Role
from domain.principal.commands import ChangeReach
from events import timefmt
from tests.api.tokens import Minter, bearer

DESA = ("32.79.01.1001", "32.79.02.1001", "32.79.02.2001", "32.79.04.2001")
probe = APIRouter()


@probe.get("/v1/probe/children/{desa}")
def read_one(desa: str, principal: Annotated[Principal, Requires("children:read")]) -> str:
    ensure_reach(principal, desa, "child")
    return desa


@probe.get("/v1/probe/desa")
def read_list(principal: Annotated[Principal, Requires("areas:read")]) -> list[str]:
    return list(principal.reach.filter(DESA, lambda code: code))


@probe.post("/v1/probe/reach/{name}")
def write(
    name: str,
    request: Request,
    services: ServicesDep,
    principal: Annotated[Principal, Requires("principals:admin")],
) -> int:
    command = ChangeReach(at=timefmt.utc_now(), reach=("32.79.04",))
    return services.principals.change(name, command, write_meta(principal, request))


@pytest.fixture
def probing(services: Services) -> Iterator[TestClient]:
    """A client of the app with routes that declare scopes and areas like real ones."""
    app = create_app(services.settings, services=services)
    app.include_router(probe)
    with TestClient(app) as test_client:
        yield test_client


def test_a_route_with_its_scope_answers_inside_the_reach(probing: TestClient, mint: Minter) -> None:
    token = mint(Role.KADER, "32.79.02")

    response = probing.get("/v1/probe/children/32.79.02.1001", headers=bearer(token))

    assert response.status_code == 200


def test_a_missing_scope_answers_403_naming_it(probing: TestClient, mint: Minter) -> None:
    token = mint(Role.KADER, scopes=["areas:read"])

    response = probing.get("/v1/probe/children/32.79.02.1001", headers=bearer(token))

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert "children:read" in response.json()["detail"]
    assert 'scope="children:read"' in response.headers["www-authenticate"]


def test_a_resource_outside_the_reach_answers_404(probing: TestClient, mint: Minter) -> None:
    token = mint(Role.KADER, "32.79.02.1001")

    response = probing.get("/v1/probe/children/32.79.02.2001", headers=bearer(token))

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_a_list_keeps_only_what_lies_inside_the_reach(probing: TestClient, mint: Minter) -> None:
    token = mint(Role.KECAMATAN, "32.79.02")

    response = probing.get("/v1/probe/desa", headers=bearer(token))

    assert response.json() == ["32.79.02.1001", "32.79.02.2001"]


def test_a_bad_token_on_any_protected_route_answers_401(probing: TestClient) -> None:
    response = probing.get("/v1/probe/desa", headers=bearer("not.a.token"))

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_write_records_principal_role_client_and_correlation_id(
    probing: TestClient, services: Services, mint: Minter
) -> None:
    mint(Role.KADER, name="kader-pataruman")
    mint(Role.ADMIN, "*", name="admin-kota")
    token = mint.token("admin-kota", client="field-app")

    probing.post("/v1/probe/reach/kader-pataruman", headers=bearer(token) | {"X-Request-ID": "r-1"})

    meta = services.store.read_stream("principal-kader-pataruman")[-1].meta
    assert meta["actor"] == "admin-kota"
    assert meta["role"] == "admin"
    assert meta["client"] == "field-app"
    assert meta["correlation_id"] == "r-1"


def test_a_change_to_a_principal_voids_its_earlier_tokens(
    probing: TestClient, services: Services, mint: Minter
) -> None:
    old = mint(Role.KADER, "32.79.02", name="kader-pataruman")
    services.principals.change(
        "kader-pataruman", ChangeReach(at=timefmt.utc_now(), reach=("32.79.04",)), {}
    )

    refused = probing.get("/v1/probe/desa", headers=bearer(old))
    fresh = probing.get("/v1/probe/desa", headers=bearer(mint.token("kader-pataruman")))

    assert refused.status_code == 401
    assert fresh.json() == ["32.79.04.2001"]


def test_requiring_an_unknown_scope_fails_when_the_route_is_declared() -> None:
    with pytest.raises(ValueError, match="children:delete"):
        Requires("children:delete")


def test_me_shows_the_caller_without_any_secret(client: TestClient, mint: Minter) -> None:
    token = mint(Role.AUDITOR, "32.79", scopes=["areas:read", "events:read"], name="auditor-kota")

    body = client.get("/v1/me", headers=bearer(token)).json()

    assert body == {
        "principal": "auditor-kota",
        "role": "auditor",
        "scope": "areas:read events:read",
        "scopes": ["areas:read", "events:read"],
        "wilayah": ["32.79"],
        "client": None,
        "issuer": "tumbuh",
    }


def test_the_identity_routes_are_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert {"/v1/auth/token", "/.well-known/jwks.json", "/v1/me"} <= set(paths)
    assert (
        "application/x-www-form-urlencoded"
        in paths["/v1/auth/token"]["post"]["requestBody"]["content"]
    )
