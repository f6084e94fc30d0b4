"""Bad tokens, one named test per attack: each answers 401 with problem+json."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient

from api.identity.tokens import TokenAuthority
from api.services import Services
from domain.access import Role
from domain.principal.commands import Disable
from events import timefmt
from tests.api.tokens import Minter, bearer

NAME = "kader-pataruman"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    """The first two segments of a JWT: header and claims, encoded."""
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401


@pytest.fixture
def kid(client: TestClient) -> str:
    """The kid of the installation's current signing key."""
    key: str = client.get("/.well-known/jwks.json").json()["keys"][0]["kid"]
    return key


@pytest.fixture
def claims(mint: Minter) -> dict[str, Any]:
    """Valid claims of an existing kader."""
    mint(Role.KADER, name=NAME)
    return mint.claims(NAME)


def test_a_valid_token_is_accepted(client: TestClient, mint: Minter) -> None:
    token = mint(Role.KADER, name=NAME)

    response = client.get("/v1/me", headers=bearer(token))

    assert response.status_code == 200
    assert response.json()["principal"] == NAME


def test_alg_none_is_refused(client: TestClient, claims: dict[str, Any], kid: str) -> None:
    token = unsigned({"alg": "none", "typ": "JWT", "kid": kid}, claims) + "."

    response = client.get("/v1/me", headers=bearer(token))

    assert_refused(response)


def test_hs256_signed_with_the_public_key_is_refused(
    client: TestClient, claims: dict[str, Any], kid: str
) -> None:
    jwk = client.get("/.well-known/jwks.json").json()["keys"][0]
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(base64.urlsafe_b64decode(jwk["x"] + "==")),
        int.from_bytes(base64.urlsafe_b64decode(jwk["y"] + "==")),
        ec.SECP256R1(),
    )
    public_pem = numbers.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = unsigned({"alg": "HS256", "typ": "JWT", "kid": kid}, claims)
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()

    response = client.get("/v1/me", headers=bearer(f"{signing_input}.{b64url(signature)}"))

    assert_refused(response)


def test_an_expired_token_is_refused(
    client: TestClient, services: Services, claims: dict[str, Any]
) -> None:
    now = claims["iat"]
    token = services.auth.sign(claims | {"iat": now - 2000, "nbf": now - 2000, "exp": now - 60})

    response = client.get("/v1/me", headers=bearer(token))

    assert_refused(response)
    assert "expired" in response.json()["detail"]


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param(lambda claims: {"nbf": claims["iat"] + 600}, id="not-yet-valid"),
        pytest.param(lambda _: {"aud": "another-api"}, id="for-another-audience"),
        pytest.param(lambda _: {"iss": "https://idp.example"}, id="from-another-issuer"),
    ],
)
def test_a_token_signed_by_us_with_a_claim_that_does_not_fit_is_refused(
    client: TestClient,
    services: Services,
    claims: dict[str, Any],
    changed: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    token = services.auth.sign(claims | changed(claims))

    response = client.get("/v1/me", headers=bearer(token))

    assert_refused(response)


def test_a_token_signed_by_an_unknown_key_is_refused(
    client: TestClient, services: Services, claims: dict[str, Any], tmp_path: Any
) -> None:
    elsewhere = services.settings.model_copy(update={"key_dir": tmp_path / "other-keys"})
    token = TokenAuthority(elsewhere).sign(claims)

    response = client.get("/v1/me", headers=bearer(token))

    assert_refused(response)
    assert "unknown" in response.json()["detail"]


def test_a_tampered_payload_is_refused(
    client: TestClient, services: Services, claims: dict[str, Any]
) -> None:
    header, _, signature = services.auth.sign(claims).split(".")
    wider = b64url(json.dumps(claims | {"role": "admin", "wilayah": ["*"]}).encode())

    response = client.get("/v1/me", headers=bearer(f"{header}.{wider}.{signature}"))

    assert_refused(response)


def test_a_tampered_signature_is_refused(
    client: TestClient, services: Services, claims: dict[str, Any]
) -> None:
    header, payload, signature = services.auth.sign(claims).split(".")
    flipped = ("B" if signature[10] == "A" else "A").join((signature[:10], signature[11:]))

    response = client.get("/v1/me", headers=bearer(f"{header}.{payload}.{flipped}"))

    assert_refused(response)


def test_a_token_of_a_disabled_principal_is_refused_at_once(
    client: TestClient, services: Services, mint: Minter
) -> None:
    token = mint(Role.KADER, name=NAME)
    services.principals.change(NAME, Disable(at=timefmt.utc_now()), {"actor": "test"})

    response = client.get("/v1/me", headers=bearer(token))

    assert_refused(response)
    assert "disabled" in response.json()["detail"]


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer not-a-jwt", "Bearer a.b", "Bearer a.b.c", "Basic a2FkZXI6cw==", "Token x"],
)
def test_a_malformed_authorization_header_is_refused(
    client: TestClient, claims: dict[str, Any], authorization: str
) -> None:
    response = client.get("/v1/me", headers={"Authorization": authorization})

    assert_refused(response)


def test_an_oversize_token_is_refused(
    client: TestClient, services: Services, claims: dict[str, Any]
) -> None:
    token = services.auth.sign(claims | {"padding": "x" * 8200})

    response = client.get("/v1/me", headers=bearer(token))

    assert_refused(response)
    assert "8 KB" in response.json()["detail"]


def test_no_token_at_all_is_refused(client: TestClient) -> None:
    response = client.get("/v1/me")

    assert_refused(response)


def test_a_token_issued_in_the_future_is_refused(
    client: TestClient, services: Services, claims: dict[str, Any]
) -> None:
    later = claims["iat"] + 3600
    token = services.auth.sign(claims | {"iat": later, "exp": later + 900})

    response = client.get("/v1/me", headers=bearer(token))

    assert_refused(response)
    assert "future" in response.json()["detail"]


@pytest.mark.parametrize("typ", ["JWT", "tumbuh-head+jws", "id_token+jwt"])
def test_a_jwt_that_is_not_typed_as_an_access_token_is_refused(
    client: TestClient, services: Services, claims: dict[str, Any], typ: str
) -> None:
    token = services.auth.sign(claims, headers={"typ": typ})

    response = client.get("/v1/me", headers=bearer(token))

    assert_refused(response)
    assert "at+jwt" in response.json()["detail"]


def test_issued_access_tokens_are_typed_at_jwt(mint: Minter) -> None:
    token = mint(Role.KADER, name=NAME)

    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))

    assert header["typ"] == "at+jwt"
