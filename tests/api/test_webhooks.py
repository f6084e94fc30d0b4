"""Webhooks to a real receiver on loopback that fails on purpose: every wanted event
arrives, exactly once after deduplication by its CloudEvents id, in log order; signed;
never personal; dead letters and replay; a worker that dies mid-delivery loses nothing."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.exchange.webhooks import Deliverer
from api.services import Services
from api.settings import Settings
from domain.access import Role
from events import outbox
from tests.api.test_area_stats import HEGARSARI, World, world
from tests.api.tokens import Minter, bearer
from tests.support.receiver import Receiver

__all__ = ["world"]  # the fixture, used by name


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The receiver listens on loopback: this installation allows it as a webhook target."""
    return settings.model_copy(update={"webhook_allowed_networks": "127.0.0.0/8"})


def subscribe(world: World, mint: Minter, receiver: Receiver, **changes: Any) -> dict[str, Any]:
    app = bearer(mint(Role.INTEGRATOR, "32.79", scopes=["webhooks:manage", "children:read"]))
    body = {"target_url": receiver.url, "event_types": ["child."], "area_prefix": "32.79"}
    answer = world.client.post("/v1/subscriptions", json=body | changes, headers=app)
    assert answer.status_code == 201, answer.text
    found: dict[str, Any] = answer.json() | {"headers": app}
    return found


def drain(deliverer: Deliverer, seconds: float = 20.0) -> None:
    """Deliver until nothing is pending (retries included) or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        deliverer.run_once()
        with deliverer.services.engine.connect() as conn:
            head = deliverer.services.store.head().position
            pending = [
                c
                for c in (outbox.find(conn, s) for s in _all(conn))
                if c is not None and c.position < head
            ]
        if not pending:
            return
        time.sleep(0.02)
    raise AssertionError("webhooks still pending")


def _all(conn: Any) -> list[str]:
    return [
        str(s)
        for s in conn.execute(
            outbox.cursors.select().with_only_columns(outbox.cursors.c.subscription_id)
        ).scalars()
    ]


def child_events(services: Services, after: int) -> list[str]:
    return [
        e.event_id
        for e in services.store.read_all(after, 10_000)
        if e.event_type.startswith("child.")
    ]


def test_events_arrive_signed_in_order_without_personal_data(
    world: World, services: Services, mint: Minter, receiver: Receiver
) -> None:
    made = subscribe(world, mint, receiver)
    start = services.store.head().position
    world.measure("C", "2025-05-20", -2.9)
    body = {
        "sex": "M",
        "birth_date": "2025-01-02",
        "desa": HEGARSARI,
        "posyandu": "Demo",
        "personal": {"name": "Demo Bayi Rahasia"},
    }
    assert world.client.post("/v1/children", json=body, headers=world.headers).status_code == 201
    deliverer = Deliverer(services, first_delay=0.01)

    drain(deliverer)

    assert receiver.unique_ids() == child_events(services, start)
    first, headers = receiver.received[0], receiver.headers[0]
    assert (first["specversion"], first["type"]) == ("1.0", "id.tumbuh.child.measurement_recorded")
    assert headers["content-type"] == "application/cloudevents+json"
    stamp, digest = (p.split("=", 1)[1] for p in headers["tumbuh-signature"].split(","))
    expected = hmac.new(
        made["secret"].encode(), f"{stamp}.".encode() + receiver.bodies[0], hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(digest, expected)
    assert all(b"Demo Bayi" not in b for b in receiver.bodies)
    shown = world.client.get(f"/v1/subscriptions/{made['id']}", headers=made["headers"]).json()
    assert shown["secret"] is None
    assert shown["delivery"]["delivered"] == 2


def test_a_receiver_that_fails_every_way_still_gets_each_event_once_in_order(
    world: World, services: Services, mint: Minter, receiver: Receiver
) -> None:
    subscribe(world, mint, receiver)
    start = services.store.head().position
    for day, z in (("2025-05-20", -2.9), ("2025-06-05", -2.5), ("2025-06-20", -2.0)):
        world.measure("C", day, z)
    tries: dict[str, int] = {}

    def fail(event: dict[str, Any]) -> str:
        tries[event["id"]] = tries.get(event["id"], 0) + 1
        return {1: "500", 2: "slow", 3: "close"}.get(tries[event["id"]], "ok")

    receiver.fail, receiver.slow_seconds = fail, 0.6
    deliverer = Deliverer(services, first_delay=0.01, timeout=0.3)
    deliverer.run_once()  # the first attempt meets a 500
    receiver.stop()  # then the receiver is down for a while
    deliverer.run_once()
    time.sleep(0.05)
    deliverer.run_once()
    receiver.start()

    drain(deliverer)

    assert receiver.unique_ids() == child_events(services, start)
    assert len(receiver.unique_ids()) == 3
    assert all(n >= 4 for n in tries.values())


def test_dead_letters_after_the_last_attempt_and_replay_sends_again(
    world: World, services: Services, mint: Minter, receiver: Receiver
) -> None:
    made = subscribe(world, mint, receiver)
    start = services.store.head().position
    world.measure("C", "2025-05-20", -2.9)
    world.measure("C", "2025-06-05", -2.5)
    poisoned = child_events(services, start)[0]
    receiver.fail = lambda event: "500" if event["id"] == poisoned else "ok"
    deliverer = Deliverer(services, first_delay=0.01, max_attempts=3)

    drain(deliverer)
    letters = world.client.get(
        f"/v1/subscriptions/{made['id']}/dead-letters", headers=made["headers"]
    ).json()
    receiver.fail = lambda _: "ok"
    position = letters[0]["position"]
    again = world.client.post(
        f"/v1/subscriptions/{made['id']}/replay", params={"from": position}, headers=made["headers"]
    )
    drain(deliverer)

    assert [(d["event_id"], d["attempts"]) for d in letters] == [(poisoned, 3)]
    assert again.status_code == 202
    assert set(receiver.unique_ids()) == set(child_events(services, start))
    assert receiver.unique_ids()[-1] == poisoned  # sent again after the later one


def test_a_worker_that_dies_mid_delivery_loses_nothing(
    world: World, services: Services, mint: Minter, receiver: Receiver
) -> None:
    made = subscribe(world, mint, receiver)
    start = services.store.head().position
    for day in ("2025-05-20", "2025-06-05", "2025-06-20", "2025-07-05"):
        world.measure("C", day, -2.5)
    received_before_crash = 2
    receiver.fail = lambda _: "ok" if len(receiver.received) < received_before_crash else "close"
    Deliverer(services, first_delay=10.0).run_once()  # sends two, then fails and backs off
    with services.engine.begin() as conn:  # a worker that took the lease and died
        conn.execute(outbox.cursors.update().values(next_attempt_at=None))
        assert outbox.claim(conn, made["id"], datetime.now(UTC), timedelta(seconds=0.3))
    receiver.fail = lambda _: "ok"
    restarted = Deliverer(services, first_delay=0.01, lease=timedelta(seconds=0.3))

    drain(restarted)

    assert receiver.unique_ids() == child_events(services, start)
    assert len(receiver.received) >= 4


def test_filters_and_who_may_subscribe(
    world: World, services: Services, mint: Minter, receiver: Receiver
) -> None:
    made = subscribe(world, mint, receiver, event_types=["child.exited"], area_prefix="32.79.01")
    outside = world.client.post(
        "/v1/subscriptions",
        headers=made["headers"],
        json={"target_url": receiver.url, "area_prefix": "32.78"},
    )
    bad_url = world.client.post(
        "/v1/subscriptions",
        headers=made["headers"],
        json={"target_url": "ftp://example.org", "area_prefix": "32.79"},
    )
    tpps = world.client.post(
        "/v1/subscriptions",
        headers=world.headers,
        json={"target_url": receiver.url, "area_prefix": "32.79"},
    )
    world.measure("C", "2025-05-20", -2.9)  # a measurement in Hegarsari: not wanted

    drain(Deliverer(services, first_delay=0.01))

    assert receiver.received == []
    assert (outside.status_code, bad_url.status_code, tpps.status_code) == (404, 422, 403)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999/hook",
        "http://127.0.0.1:0/hook",
        "http://127.0.0.1:-1/hook",
        "http://127.0.0.1:8000/ho ok",
        "http://127.0.0.1:8000/\u202ekooh",
        "https://exa\nmple.test/",
    ],
)
def test_a_target_url_with_an_impossible_port_or_characters_is_refused(
    world: World, services: Services, mint: Minter, url: str
) -> None:
    app = bearer(mint(Role.INTEGRATOR, "32.79", scopes=["webhooks:manage"]))
    body = {"target_url": url, "event_types": ["child."], "area_prefix": "32.79"}
    before = services.store.head().position

    answer = world.client.post("/v1/subscriptions", json=body, headers=app)

    assert answer.status_code == 422, answer.text
    assert "target_url" in {e["field"] for e in answer.json()["errors"]}
    assert services.store.head().position == before
