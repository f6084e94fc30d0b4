"""The data subject's right of access: everything held about a child and its mother, with who
read their personal data; ``pii:read`` and reach required, the export itself recorded."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.services import Services
from domain.access import Role
from tests.api.test_children import (
    CHILD,
    MEASUREMENT,
    MOTHER,
    MOTHER_NIK,
    OTHER_DESA,
    kader,
    register,
)
from tests.api.test_erasure import FAMILY
from tests.api.tokens import Minter, bearer

__all__ = ["kader"]  # a fixture, used by name
ROUTE = "/v1/children/{child_id}/export"


def test_the_export_holds_the_child_its_mothers_other_records_and_who_read_them(
    client: TestClient, services: Services, kader: dict[str, str], mint: Minter
) -> None:
    child = register(client, kader)["id"]
    client.post(f"/v1/children/{child}/measurements", json=MEASUREMENT, headers=kader)
    mother = {"status": "breastfeeding", "personal": {"name": MOTHER, "nik": MOTHER_NIK}}
    tpps = bearer(mint(Role.TPPS, "32.79"))
    client.post("/v1/families", json={**FAMILY, "mothers": [mother]}, headers=tpps)
    client.get(f"/v1/children/{child}", headers=tpps)
    services.access_log.flush()

    answer = client.get(f"/v1/children/{child}/export", headers=kader)

    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["child"][0]["personal"] == CHILD["personal"]
    assert [e["type"] for e in body["child"]] == [
        "child.registered",
        "child.measurement_recorded",
    ]
    assert len(body["measurements"]) == 1
    assert [(e["type"], e["personal"]) for e in body["mother"]] == [
        ("family.mother_recorded", {"name": MOTHER, "nik": MOTHER_NIK})
    ]
    assert [(r["role"], r["route"]) for r in body["reads"]] == [
        ("kader", "/v1/children/{child_id}"),  # the registration's answer showed it
        ("tpps", "/v1/children/{child_id}"),
    ]
    services.access_log.flush()
    reads = services.store.read_all(event_types=["access.personal_read"])
    assert reads[-1].payload["route"] == ROUTE


def test_the_export_needs_pii_read_and_the_child_in_reach(
    client: TestClient, kader: dict[str, str], mint: Minter
) -> None:
    child = register(client, kader)["id"]
    auditor = bearer(mint(Role.AUDITOR, "32.79"))
    elsewhere = bearer(mint(Role.KADER, OTHER_DESA))

    unmasked = client.get(f"/v1/children/{child}/export", headers=auditor)
    hidden = client.get(f"/v1/children/{child}/export", headers=elsewhere)

    assert unmasked.status_code == 403
    assert hidden.status_code == 404
