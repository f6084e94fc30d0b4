"""Passwords, client secrets and tokens never appear in logs, errors, events or answers."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli
from api.services import Services
from tests.api.tokens import bearer, cli_env

PASSWORD = "kader-secret-password-77"
TYPO = "kader-secret-passwrod-77"


@dataclass
class Session:
    """What a user and a client did, and every secret that went by."""

    secrets: list[str]
    answers: str


def log_in_and_out(client: TestClient, services: Services) -> Session:
    """Register a user and a client by CLI, fail once, log both in, ask who they are."""
    run, env = CliRunner(), cli_env(services)
    add_user = ["principals", "add-user", "kader-pataruman", "--role", "kader"]
    run.invoke(
        cli, [*add_user, "--wilayah", "32.79.02", "--password-stdin"], input=PASSWORD, env=env
    )
    add_client = ["principals", "add-client", "integrator-app", "--role", "integrator"]
    added = run.invoke(cli, [*add_client, "--wilayah", "32.79", "--scope", "areas:read"], env=env)
    secret = added.output.strip().splitlines()[-1]
    form = {"grant_type": "password", "username": "kader-pataruman"}
    failed = client.post("/v1/auth/token", data=form | {"password": TYPO})
    user = client.post("/v1/auth/token", data=form | {"password": PASSWORD}).json()
    machine = client.post(
        "/v1/auth/token", data={"grant_type": "client_credentials"}, auth=("integrator-app", secret)
    ).json()
    me = client.get("/v1/me", headers=bearer(user["access_token"]))
    tokens = [user["access_token"], user["refresh_token"], machine["access_token"]]
    return Session(
        [PASSWORD, TYPO, secret, *tokens], failed.text + me.text + str(user) + str(machine)
    )


def test_no_secret_reaches_the_logs_the_errors_or_the_log_of_events(
    client: TestClient, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    session = log_in_and_out(client, services)

    stored = b"".join(event.body for event in services.store.read_all())
    assert "login failed for kader-pataruman" in caplog.text
    assert not [s for s in session.secrets if s in caplog.text]
    assert not [s for s in session.secrets if s.encode() in stored]
    assert b"$argon2id$" in stored  # the hashes are kept, in the store only
    assert TYPO not in session.answers
    assert "$argon2" not in session.answers
