"""Posyandu sessions sent at once over the same children: under any concurrency each item is
stored exactly once or refused with its reason, and the answer says which."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from fastapi.testclient import TestClient

from api.services import Services
from domain.access import Role
from domain.child.decider import stream_id
from tests.api.test_children import MEASUREMENT, OTHER_DESA, kader, register
from tests.api.tokens import Minter, bearer

__all__ = ["kader"]  # the fixture, used by name

SESSIONS = 20
CHILDREN = 5


def _item(child_id: str, event_id: str | None = None, **changes: Any) -> dict[str, Any]:
    event_id = event_id or str(uuid.uuid4())
    return {**MEASUREMENT, "event_id": event_id, "child_id": child_id, **changes}


def _sessions(children: list[str], elsewhere: str) -> list[list[dict[str, Any]]]:
    """Per session: a measurement of each child, one out of the kader's reach (404), one
    dated before birth (422), and one that the session five places on sends identically."""
    shared = [str(uuid.uuid4()) for _ in range(CHILDREN)]
    return [
        [_item(c) for c in children]
        + [_item(elsewhere), _item(children[0], measured_on="2024-03-01")]
        + [_item(children[k % CHILDREN], shared[k % CHILDREN], measured_on="2025-06-10")]
        for k in range(SESSIONS)
    ]


def test_twenty_parallel_sessions_over_the_same_children_store_each_item_once_or_refuse_it(
    client: TestClient, kader: dict[str, str], services: Services, mint: Minter
) -> None:
    children = [register(client, kader)["id"] for _ in range(CHILDREN)]
    elsewhere = register(client, bearer(mint(Role.KADER, OTHER_DESA)), desa=OTHER_DESA)["id"]
    sessions = _sessions(children, elsewhere)
    before = services.store.head().position
    start = threading.Barrier(SESSIONS)

    def send(items: list[dict[str, Any]]) -> httpx.Response:
        start.wait()
        answer: httpx.Response = client.post(
            "/v1/posyandu-sessions", json={"items": items}, headers=kader
        )
        return answer

    with ThreadPoolExecutor(SESSIONS) as pool:
        answers = list(pool.map(send, sessions))

    assert [a.status_code for a in answers] == [200] * SESSIONS
    stored = services.store.read_all(after=before, limit=10_000)
    times = Counter(e.event_id for e in stored)
    where = {e.event_id: (e.stream_id, e.stream_version) for e in stored}
    accepted, refused, reasons = set(), set(), Counter[int]()
    for items, answer in zip(sessions, answers, strict=True):
        for sent, said in zip(items, answer.json()["items"], strict=True):
            assert said["event_id"] == sent["event_id"]
            if said["accepted"]:
                accepted.add(sent["event_id"])
                assert where[sent["event_id"]] == (stream_id(sent["child_id"]), said["version"])
            else:
                refused.add(sent["event_id"])
                reasons[said["status"]] += 1
    assert set(times) == accepted
    assert set(times.values()) == {1}
    assert not refused & accepted
    assert len(accepted) == SESSIONS * CHILDREN + CHILDREN
    assert reasons == {404: SESSIONS, 422: SESSIONS}
    assert services.store.verify().ok
