"""A store written by earlier versions keeps working: its rows are read as they are.

Earlier versions wrote a date before the year 1000 into the hashed body with its year
unpadded (``26-11-05T…``): reading such a row back failed, so every later write to that
child answered 500, ``tumbuh rebuild`` and ``tumbuh replay`` stopped and ``tumbuh verify``
ended in a traceback. The stored bytes can never change; the reader decodes them instead.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app
from api.identity.accounts import operator_meta
from api.services import Services
from api.settings import Settings
from domain.access import Role
from domain.child.decider import at_midnight, stream_id
from domain.child.events import ChildExited, ExitReason
from domain.fact import Fact
from events import feed
from events.envelope import ANY
from tests.api.test_children import kader, register
from tests.api.tokens import DESA, Minter, bearer
from tests.conftest import TEST_MASTER_KEY
from tests.support.old_encoding import written_as_before
from tests.support.verifier import verifier

__all__ = ["kader"]  # the fixture, used by name

EXITED_ON = date(26, 11, 5)


def _append_as_before(services: Services, child_id: str, facts: list[Fact]) -> None:
    registry = services.store.registry
    new = [registry.to_new(f, str(uuid.uuid4()), operator_meta()) for f in facts]
    with written_as_before():
        services.store.append(stream_id(child_id), "child", ANY, new)


@pytest.fixture
def old_child(client: TestClient, kader: dict[str, str], services: Services) -> str:
    """A child whose exit an earlier version stored with an unpadded year (the issue's case:
    ``POST /v1/children/{id}/exit`` with ``"exited_on": "0026-11-05"`` answered 201)."""
    child = register(client, kader)
    exited = ChildExited(
        occurred_at=at_midnight(EXITED_ON),
        wilayah=DESA,
        reason=ExitReason.DIED,
        exited_on=EXITED_ON,
    )
    _append_as_before(services, child["id"], [exited])
    return str(child["id"])


def _env(settings: Settings) -> dict[str, str]:
    return {"TUMBUH_DATABASE_URL": settings.database_url, "TUMBUH_MASTER_KEY": TEST_MASTER_KEY}


def test_the_old_rows_hold_the_unpadded_year(old_child: str, services: Services) -> None:
    bodies = [e.body for e in services.store.read_stream(stream_id(old_child))]

    assert b'"occurred_at":"26-11-05T00:00:00.000000Z"' in bodies[-1]


def test_a_later_write_to_the_child_succeeds_and_the_child_reads_back(
    client: TestClient, old_child: str, mint: Minter
) -> None:
    kader = bearer(mint(Role.KADER, DESA))

    corrected = client.post(
        f"/v1/children/{old_child}/corrections",
        json={"posyandu": "Melati 2", "reason": "salah tulis"},
        headers=kader,
    )
    read = client.get(f"/v1/children/{old_child}", headers=kader)

    assert corrected.status_code == 201, corrected.text
    assert read.json()["status"] == "died"
    assert read.json()["posyandu"] == "Melati 2"


def test_the_audit_route_verifies_the_old_rows(
    client: TestClient, old_child: str, mint: Minter
) -> None:
    auditor = bearer(mint(Role.AUDITOR, "*"))

    answer = client.get("/v1/audit/verify", headers=auditor)

    assert answer.status_code == 200, answer.text
    assert answer.json()["ok"] is True, answer.json()


def test_tumbuh_verify_rebuild_and_replay_succeed_on_the_old_rows(
    old_child: str, settings: Settings, tmp_path: Path
) -> None:
    env = _env(settings)

    verified = CliRunner().invoke(app, ["verify"], env=env)
    rebuilt = CliRunner().invoke(app, ["rebuild"], env=env)
    replayed = CliRunner().invoke(app, ["replay", "--db", str(tmp_path / "r.db")], env=env)

    assert (verified.exit_code, verified.exception) == (0, None), verified.output
    assert "ok:" in verified.output
    assert (rebuilt.exit_code, rebuilt.exception) == (0, None), rebuilt.output
    assert (replayed.exit_code, replayed.exception) == (0, None), replayed.output


def test_an_export_of_the_old_rows_passes_the_independent_verifier(
    old_child: str, services: Services
) -> None:
    head = feed.head_position(services.engine)
    chunks = feed.export(services.engine, feed.Selection(reach=("*",)), 0, head)

    verdict = verifier().walk(b"".join(chunks).decode().split("\n")[:-1])

    assert (verdict.ok, verdict.checked) == (True, head), verdict.reason
