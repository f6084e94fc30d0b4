"""Demo mode creates one documented principal per role in Kota Banjar, once."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.identity.accounts import DEMO_PRINCIPALS
from api.services import Services, build_services
from domain.access import Role


@pytest.fixture
def demo(services: Services) -> Iterator[Services]:
    """The same store, started in demo mode."""
    wired = build_services(services.settings.model_copy(update={"demo": True}))
    yield wired
    wired.close()


def test_without_demo_mode_there_are_no_principals(services: Services) -> None:
    assert services.principals.all() == []


def test_demo_mode_creates_one_principal_per_role_and_says_how_to_log_in(
    demo: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    demo.start()
    demo.start()

    records = demo.principals.all()
    assert {r.state.role for r in records} == set(Role)
    assert len(records) == len(DEMO_PRINCIPALS)
    assert "demo-kader" in caplog.text
    assert demo.settings.demo_password in caplog.text


def test_the_demo_kader_logs_in_and_reaches_one_kelurahan(demo: Services) -> None:
    with TestClient(create_app(demo.settings, services=demo)) as client:
        answer = client.post(
            "/v1/auth/token",
            data={
                "grant_type": "password",
                "username": "demo-kader",
                "password": demo.settings.demo_password,
            },
        )
        me = client.get(
            "/v1/me", headers={"Authorization": "Bearer " + answer.json()["access_token"]}
        )

    assert me.json()["wilayah"] == ["32.79.02.1001"]
    assert me.json()["role"] == "kader"


def test_the_demo_principals_are_documented_as_they_are() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "identity.md").read_text()

    for name, role, reach in DEMO_PRINCIPALS:
        row = next(line for line in doc.splitlines() if line.startswith(f"| `{name}`"))
        assert role.value in row
        assert f"`{' '.join(reach)}`" in row
