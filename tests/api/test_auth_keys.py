"""Signing keys: published, rotated without logging anyone out, configurable, never logged."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.identity.keys import private_pem
from api.identity.tokens import InvalidToken, TokenAuthority
from api.services import Services, build_services
from api.settings import Settings
from domain.access import Role
from tests.api.tokens import Minter, bearer, cli_env


def kids(client: TestClient) -> list[str]:
    return [key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]]


def test_the_jwks_publishes_the_current_public_key_only(client: TestClient) -> None:
    keys = client.get("/.well-known/jwks.json").json()["keys"]

    assert len(keys) == 1
    assert keys[0]["kty"] == "EC"
    assert keys[0]["alg"] == "ES256"
    assert "d" not in keys[0]


def test_keys_rotate_keeps_earlier_tokens_valid_and_signs_new_ones_with_the_new_key(
    client: TestClient, services: Services, mint: Minter
) -> None:
    before = mint(Role.KADER, name="kader-pataruman")
    old_kids = kids(client)

    result = CliRunner().invoke(cli, ["keys", "rotate"], env=cli_env(services))

    assert result.exit_code == 0, result.output
    assert client.get("/v1/me", headers=bearer(before)).status_code == 200
    assert len(kids(client)) == 2
    after = mint.token("kader-pataruman")
    assert services.auth.verify(after).kid not in old_kids


def test_a_retired_key_stops_verifying_once_its_tokens_have_expired(services: Services) -> None:
    now = [time.time()]  # jose checks exp and nbf on the real clock; retirement on this one
    authority = TokenAuthority(services.settings, clock=lambda: now[0])
    claims = {
        "iss": "tumbuh",
        "aud": "tumbuh-api",
        "sub": "kader-pataruman",
        "iat": int(now[0]),
        "nbf": int(now[0]),
        "exp": int(now[0]) + 86_400,
        "jti": "j",
        "role": "kader",
        "scope": "",
        "wilayah": ["32.79"],
    }
    long_lived = authority.sign(claims)  # as someone holding the old private key could
    authority.source.rotate(services.store.clock())
    now[0] = services.store.clock().timestamp() + services.settings.access_token_ttl + 60

    with pytest.raises(InvalidToken, match="retired"):
        authority.verify(long_lived)


def test_rs256_can_be_chosen_for_generated_keys(services: Services, tmp_path: Path) -> None:
    settings = services.settings.model_copy(
        update={"signing_algorithm": "RS256", "key_dir": tmp_path / "rsa"}
    )
    authority = TokenAuthority(settings)

    keys = authority.jwks()["keys"]

    assert keys[0]["alg"] == "RS256"
    assert keys[0]["kty"] == "RSA"


def test_keys_may_come_from_configured_pem_files_and_are_then_not_rotated(
    services: Services, tmp_path: Path
) -> None:
    pem = tmp_path / "signing.pem"
    pem.write_bytes(private_pem("ES256"))
    settings = services.settings.model_copy(update={"signing_key_file": pem})
    env = cli_env(services) | {"TUMBUH_SIGNING_KEY_FILE": str(pem)}

    result = CliRunner().invoke(cli, ["keys", "rotate"], env=env)

    assert TokenAuthority(settings).jwks()["keys"][0]["alg"] == "ES256"
    assert result.exit_code == 1
    assert not (tmp_path / "keys" / "jwt").exists()


def test_tokens_of_a_trusted_external_issuer_are_accepted(
    services: Services, tmp_path: Path
) -> None:
    provider = services.settings.model_copy(
        update={"key_dir": tmp_path / "idp", "issuer": "https://idp.jabarprov.example"}
    )
    jwks = tmp_path / "idp-jwks.json"
    jwks.write_text(json.dumps(TokenAuthority(provider).jwks()))
    token = TokenAuthority(provider).mint(
        subject="camat-pataruman",
        role=Role.KECAMATAN,
        scopes=["areas:read"],
        reach=["32.79.02"],
        version=None,
    )
    settings = services.settings.model_copy(
        update={
            "trusted_issuer": "https://idp.jabarprov.example",
            "trusted_audience": "tumbuh-api",
            "trusted_jwks_file": jwks,
        }
    )
    trusting = build_services(settings)

    with TestClient(create_app(settings, services=trusting)) as client:
        me = client.get("/v1/me", headers=bearer(token)).json()
    trusting.close()

    assert me["issuer"] == "https://idp.jabarprov.example"
    assert me["wilayah"] == ["32.79.02"]


def test_no_key_material_is_ever_logged(
    services: Services, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings: Settings = services.settings.model_copy(update={"key_dir": tmp_path / "fresh"})
    authority = TokenAuthority(settings)

    token = authority.sign({"sub": "x"})
    authority.source.rotate(services.store.clock())
    private = next((tmp_path / "fresh" / "jwt").glob("*.pem")).read_text()

    assert "generated a new ES256 token signing key" in caplog.text
    assert "PRIVATE KEY" not in caplog.text
    assert private.splitlines()[1] not in caplog.text
    assert token not in caplog.text
