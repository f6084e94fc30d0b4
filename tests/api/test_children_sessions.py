"""A posyandu day's batch: per-item answers, replay-safe, at most 500 items."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from api.services import Services
from domain.access import Role
from tests.api.test_children import MEASUREMENT, OTHER_DESA, kader, register
from tests.api.tokens import Minter, bearer

__all__ = ["kader"]  # the fixture, used by name


def item(child_id: str, **changes: Any) -> dict[str, Any]:
    return {**MEASUREMENT, "event_id": str(uuid.uuid4()), "child_id": child_id, **changes}


def test_each_item_is_accepted_or_refused_on_its_own(
    client: TestClient, kader: dict[str, str], mint: Minter
) -> None:
    mine = register(client, kader)["id"]
    elsewhere = bearer(mint(Role.KADER, OTHER_DESA))
    theirs = register(client, elsewhere, desa=OTHER_DESA)["id"]
    items = [item(mine), item(mine, measured_on="2024-03-01"), item(theirs)]

    answer = client.post("/v1/posyandu-sessions", json={"items": items}, headers=kader)

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["accepted"], body["refused"]) == (1, 2)
    assert [(i["accepted"], i["status"]) for i in body["items"]] == [
        (True, 201),
        (False, 422),
        (False, 404),
    ]
    assert body["items"][1]["field"] == "measured_on"


def test_replaying_a_session_changes_nothing_and_answers_the_same(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)["id"]
    items = [item(child), item(child, measured_on="2025-04-10"), item(child, weight_kg=99.0)]

    first = client.post("/v1/posyandu-sessions", json={"items": items}, headers=kader)
    again = client.post("/v1/posyandu-sessions", json={"items": items}, headers=kader)

    assert again.json() == first.json()
    got = client.get(f"/v1/children/{child}", headers=kader).json()
    assert (got["version"], got["measurement_count"]) == (3, 2)


def test_a_session_of_more_than_500_items_is_too_large(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)["id"]

    answer = client.post(
        "/v1/posyandu-sessions", json={"items": [item(child) for _ in range(501)]}, headers=kader
    )

    assert answer.status_code == 413
    got = client.get(f"/v1/children/{child}", headers=kader).json()
    assert got["version"] == 1


def test_an_event_id_sent_twice_in_one_session_is_stored_once(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)["id"]
    twice = item(child)
    clash = {**twice, "weight_kg": 9.4}
    items = [twice, twice, clash]

    answer = client.post("/v1/posyandu-sessions", json={"items": items}, headers=kader).json()

    assert [(i["accepted"], i["status"], i["version"]) for i in answer["items"]] == [
        (True, 201, 2),
        (True, 201, 2),
        (False, 409, None),
    ]
    got = client.get(f"/v1/children/{child}", headers=kader).json()
    assert got["version"] == 2


def test_an_event_id_stored_for_another_child_refuses_only_that_item(
    client: TestClient, kader: dict[str, str]
) -> None:
    first, second = register(client, kader)["id"], register(client, kader)["id"]
    used = item(first)
    client.post("/v1/posyandu-sessions", json={"items": [used]}, headers=kader)
    items = [item(second), {**used, "child_id": second}, item(first, measured_on="2025-04-10")]

    answer = client.post("/v1/posyandu-sessions", json={"items": items}, headers=kader).json()

    assert [(i["accepted"], i["status"]) for i in answer["items"]] == [
        (True, 201),
        (False, 409),
        (True, 201),
    ]
    versions = [
        client.get(f"/v1/children/{c}", headers=kader).json()["version"] for c in (first, second)
    ]
    assert versions == [3, 2]


def test_a_session_is_written_in_one_transaction(
    client: TestClient, kader: dict[str, str], services: Services
) -> None:
    children = [register(client, kader)["id"] for _ in range(3)]
    before = services.store.head()

    client.post("/v1/posyandu-sessions", json={"items": [item(c) for c in children]}, headers=kader)

    stored = services.store.read_all(after=before.position)
    assert len(stored) == 3
    assert len({e.recorded_at for e in stored}) == 1  # one append: one recording time
