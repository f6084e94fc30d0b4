"""Measurement writes check the caller's reach on the child's own stream (no projection read)."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from api.services import Services
from domain.access import Role
from tests.api.test_children import kader, measure, register
from tests.api.tokens import Minter, bearer

__all__ = ["kader"]  # the fixture, used by name
OTHER_KECAMATAN = "32.79.01"


def test_a_measurement_of_a_child_outside_the_callers_reach_is_not_found(
    client: TestClient, kader: dict[str, str], mint: Minter, services: Services
) -> None:
    child = register(client, kader)
    elsewhere = bearer(mint(Role.KADER, OTHER_KECAMATAN + ".1001"))
    before = services.store.head().position

    refused = measure(client, elsewhere, child["id"])
    unknown = measure(client, kader, str(uuid.uuid4()))

    assert (refused.status_code, unknown.status_code) == (404, 404)
    assert refused.json()["detail"] == unknown.json()["detail"]  # no existence leak
    assert [
        e.event_type for e in services.store.read_all(after=before) if e.stream_type == "child"
    ] == []


def test_a_replayed_measurement_is_not_answered_outside_the_callers_reach(
    client: TestClient, kader: dict[str, str], mint: Minter
) -> None:
    child = register(client, kader)
    event_id = str(uuid.uuid4())
    first = measure(client, kader, child["id"], event_id=event_id)
    elsewhere = bearer(mint(Role.KADER, OTHER_KECAMATAN + ".1001"))

    replayed = measure(client, elsewhere, child["id"], event_id=event_id)

    assert first.status_code == 201, first.text
    assert replayed.status_code == 404
