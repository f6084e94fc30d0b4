"""A posyandu day's batch: per-item answers, replay-safe, at most 500 items."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

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
