"""The service tells orchestrators whether it is alive and ready."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import build_services
from api.settings import Settings
from tests.conftest import TEST_MASTER_KEY


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_database_and_the_log_position(client: TestClient) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["database"] in {"sqlite", "postgresql"}
    assert body["log_position"] == 0


def test_readyz_does_not_log_alembics_notes_on_every_call(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    for _ in range(3):
        client.get("/readyz")

    chatter = [r.getMessage() for r in caplog.records if r.name.startswith("alembic")]
    assert chatter == []


def test_a_start_that_migrates_logs_the_upgrades_but_not_alembics_notes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'fresh.db'}", master_key=TEST_MASTER_KEY
    )
    caplog.set_level(logging.INFO)

    with TestClient(create_app(settings)) as fresh:
        fresh.get("/readyz")

    logged = [r.getMessage() for r in caplog.records if r.name.startswith("alembic")]
    assert any(m.startswith("Running upgrade") for m in logged)
    assert not [m for m in logged if m.startswith(("Context impl", "Will assume"))]


def test_an_unknown_route_answers_problem_json(client: TestClient) -> None:
    response = client.get("/v1/nothing-here")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_the_service_migrates_a_fresh_sqlite_file_when_it_starts(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'fresh.db'}", master_key=TEST_MASTER_KEY
    )

    with TestClient(create_app(settings)) as fresh:
        response = fresh.get("/readyz")

    assert response.status_code == 200
    assert response.json()["log_position"] >= 0


def test_readyz_answers_503_while_the_database_is_not_migrated(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'empty.db'}",
        master_key=TEST_MASTER_KEY,
        migrate_on_start=False,
    )
    services = build_services(settings)

    with TestClient(create_app(settings, services=services)) as unmigrated:
        response = unmigrated.get("/readyz")

    services.close()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
