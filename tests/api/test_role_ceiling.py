"""A role's default scopes are its ceiling (issue 26): an operator cannot grant a sponsor
login ``children:read``, and a token that carries more than its role allows gets no more."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.services import Services
from domain.access import Role
from tests.api.test_auth_cli import tumbuh
from tests.api.tokens import Minter, bearer


def test_principals_grant_cannot_lift_a_sponsor_above_its_role(
    client: TestClient, services: Services, mint: Minter
) -> None:
    mint(Role.SPONSOR, "32.79", name="sponsor-baznas")

    scoped = tumbuh(services, "principals", "grant", "sponsor-baznas", "--scope", "children:read")
    with_role = ["--role", "sponsor", "--scope", "sponsors:read", "--scope", "pii:read"]
    role = tumbuh(services, "principals", "grant", "sponsor-baznas", *with_role)

    record = services.principals.find("sponsor-baznas")
    assert (scoped.exit_code, role.exit_code) == (1, 1)
    assert "children:read" in scoped.output
    assert "pii:read" in role.output
    assert record is not None
    assert record.state.scopes == {"sponsors:read"}


def test_a_token_carrying_more_than_the_role_allows_gets_only_the_role_s_scopes(
    client: TestClient, services: Services, mint: Minter
) -> None:
    mint(Role.SPONSOR, "32.79", name="sponsor-old")
    record = services.principals.find("sponsor-old")
    assert record is not None
    token = services.auth.mint(
        subject="sponsor-old",
        role=Role.SPONSOR,
        scopes=frozenset({"sponsors:read", "children:read", "pii:read"}),
        reach=record.state.reach,
        version=record.version,
    )

    children = client.get("/v1/children", headers=bearer(token))

    assert children.status_code == 403
    assert "children:read" in children.json()["detail"]
