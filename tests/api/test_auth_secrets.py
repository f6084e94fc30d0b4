"""Passwords, client secrets and tokens never appear in logs, errors, events or answers."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli
from api.services import Services
from tests.api.tokens import bearer, cli_env

PASSWORD = "kader-secret-password-77"
TYPO = "kader-secret-passwrod-77"


def test_no_secret_reaches_the_logs_the_errors_or_the_log_of_events(
    client: TestClient, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    run = CliRunner()
    run.invoke(
        cli,
        [
            "principals",
            "add-user",
            "kader-pataruman",
            "--role",
            "kader",
            "--wilayah",
            "32.79.02.1001",
            "--password-stdin",
        ],
        input=PASSWORD,
        env=cli_env(services),
    )
    added = run.invoke(
        cli,
        [
            "principals",
            "add-client",
            "integrator-app",
            "--role",
            "integrator",
            "--wilayah",
            "32.79",
            "--scope",
            "areas:read",
        ],
        env=cli_env(services),
    )
    secret = added.output.strip().splitlines()[-1]

    failed = client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": "kader-pataruman", "password": TYPO},
    )
    tokens = client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": "kader-pataruman", "password": PASSWORD},
    ).json()
    machine = client.post(
        "/v1/auth/token", data={"grant_type": "client_credentials"}, auth=("integrator-app", secret)
    ).json()
    me = client.get("/v1/me", headers=bearer(tokens["access_token"]))

    secrets = [
        PASSWORD,
        TYPO,
        secret,
        tokens["access_token"],
        tokens["refresh_token"],
        machine["access_token"],
    ]
    stored = b"".join(event.body for event in services.store.read_all())
    assert "login failed for kader-pataruman" in caplog.text
    assert not [s for s in secrets if s in caplog.text]
    assert not [s for s in secrets[:3] if s.encode() in stored]
    assert b"$argon2id$" in stored  # hashes are kept, in the store only
    assert TYPO not in failed.text
    assert "$argon2" not in me.text + failed.text + str(tokens) + str(machine)
