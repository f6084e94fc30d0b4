"""A webhook sends only what its owner may read (issue 26, H1): the read scope of every kind
of event it names, checked when it is made (403) and before every batch, with the owner's
standing and reach; a subscription whose owner lost them is paused with the reason and
sent nothing, and a replay sends only what the owner may read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from api.exchange.webhooks import Deliverer
from api.identity.accounts import operator_meta
from api.services import Services
from api.settings import Settings
from domain.access import Role
from domain.principal import commands as pc
from domain.webhook.decider import PREFIX, CreateSubscription, SubscriptionDecider
from events.handling import execute
from tests.api.test_area_stats import BANJAR, HEGARSARI, World, world
from tests.api.test_sponsors import call, commit, on, sponsor
from tests.api.test_webhooks import drain
from tests.api.tokens import Minter, bearer
from tests.support.receiver import Receiver

__all__ = ["world"]  # the fixture, used by name
AT = datetime(2025, 6, 1, tzinfo=UTC)
OPERATOR = operator_meta("tests")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The receiver listens on loopback: this installation allows it as a webhook target."""
    return settings.model_copy(update={"webhook_allowed_networks": "127.0.0.0/8"})


def client_app(mint: Minter, name: str, *scopes: str, reach: str = "32.79") -> dict[str, str]:
    return bearer(mint(Role.INTEGRATOR, reach, scopes=["webhooks:manage", *scopes], name=name))


def rounds(deliverer: Deliverer, times: int = 3) -> None:
    """A few delivery rounds (``drain`` would wait for a paused subscription forever)."""
    for _ in range(times):
        deliverer.run_once()


def subscription(world: World, headers: dict[str, str], url: str, **body: Any) -> Any:
    fields = {"target_url": url, "area_prefix": "32.79", "event_types": ["child."]} | body
    return world.client.post("/v1/subscriptions", json=fields, headers=headers)


@pytest.mark.parametrize(
    "event_types",
    [["child."], ["family."], ["commitment."], ["meeting."], ["resolution.closed"], ["area."], []],
)
def test_a_client_with_only_webhooks_manage_cannot_subscribe_to_what_it_cannot_read(
    world: World, services: Services, mint: Minter, receiver: Receiver, event_types: list[str]
) -> None:
    app = client_app(mint, "app-manage-only")
    head = services.store.head().position

    answer = subscription(world, app, receiver.url, event_types=event_types)

    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert "does not hold the scope" in answer.json()["detail"]
    assert services.store.head().position == head


def test_each_kind_of_event_needs_its_own_read_scope(
    world: World, mint: Minter, receiver: Receiver
) -> None:
    app = client_app(mint, "app-children", "children:read")

    children = subscription(world, app, receiver.url, event_types=["child.", "area."])
    families = subscription(world, app, receiver.url, event_types=["child.", "family."])
    everything = subscription(world, app, receiver.url, event_types=[])
    unknown = subscription(world, app, receiver.url, event_types=["principal."])

    assert children.status_code == 403  # area. needs areas:read
    assert "areas:read" in children.json()["detail"]
    assert families.status_code == 403
    assert "sponsors:read" in families.json()["detail"]
    assert everything.status_code == 403
    assert unknown.status_code == 422
    assert subscription(world, app, receiver.url).status_code == 201


def test_a_disabled_owner_s_subscription_gets_nothing_is_paused_and_resumes_when_enabled(
    world: World, services: Services, mint: Minter, receiver: Receiver
) -> None:
    app = client_app(mint, "app-disabled", "children:read")
    made = subscription(world, app, receiver.url).json()
    services.principals.change("app-disabled", pc.Disable(at=AT), OPERATOR)
    world.measure("C", "2025-05-20", -2.9)
    deliverer = Deliverer(services, first_delay=0.01)
    admin = bearer(mint(Role.ADMIN, "*"))

    rounds(deliverer)
    paused = call(world, "GET", f"/v1/subscriptions/{made['id']}", headers=admin)
    services.principals.change("app-disabled", pc.Enable(at=AT), OPERATOR)
    drain(deliverer)
    resumed = call(world, "GET", f"/v1/subscriptions/{made['id']}", headers=admin)

    assert paused["paused"] == "the owner is disabled"
    assert paused["delivery"]["delivered"] == 0
    assert resumed["paused"] is None
    assert len(receiver.unique_ids()) == 1  # sent once the owner could read it again
    kinds = [e.event_type for e in services.store.read_stream(PREFIX + made["id"])]
    assert kinds == ["subscription.created", "subscription.paused", "subscription.resumed"]


def test_a_subscription_made_before_the_check_by_a_client_without_the_scope_sends_nothing(
    world: World, services: Services, mint: Minter, receiver: Receiver
) -> None:
    mint(Role.INTEGRATOR, "32.79", scopes=["webhooks:manage"], name="app-old")
    key = "7f1d2c4e-7a0b-4c55-9d43-3e0f1b2a7c10"
    command = CreateSubscription(
        at=AT,
        target_url=receiver.url,
        event_types=(),
        area_prefix="32.79",
        owner="app-old",
        secret="s" * 43,
    )
    execute(services.store, SubscriptionDecider(), PREFIX + key, command, OPERATOR)
    world.measure("C", "2025-05-20", -2.9)
    call(world, "POST", "/v1/families", 201, json={"desa": HEGARSARI, "krs": True})

    rounds(Deliverer(services, first_delay=0.01))

    assert receiver.received == []
    state = services.store.read_stream(PREFIX + key)[-1]
    assert state.event_type == "subscription.paused"
    assert state.payload["reason"] == "the owner does not hold the scope areas:read"


def test_a_replay_from_1_sends_only_what_the_owner_may_read(
    world: World, services: Services, mint: Minter, receiver: Receiver
) -> None:
    on(services, "2025-06-10")
    commit(world, sponsor(world), "A")  # commitment., sponsor. events: not readable
    call(world, "POST", "/v1/families", 201, json={"desa": HEGARSARI, "krs": True})
    app = client_app(mint, "app-pataruman", "children:read", reach="32.79.02")
    made = subscription(world, app, receiver.url, area_prefix="32.79.02").json()
    deliverer = Deliverer(services, first_delay=0.01)
    readable = [
        e.event_id
        for e in services.store.read_all(0, 10_000)
        if e.event_type.startswith("child.") and (e.wilayah or "").startswith("32.79.02.")
    ]

    replayed = world.client.post(
        f"/v1/subscriptions/{made['id']}/replay", params={"from": 1}, headers=app
    )
    drain(deliverer)
    admin = bearer(mint(Role.ADMIN, "*"))
    revoke = pc.RevokeScopes(at=AT, scopes=("children:read",))
    services.principals.change("app-pataruman", revoke, OPERATOR)
    again = world.client.post(
        f"/v1/subscriptions/{made['id']}/replay", params={"from": 1}, headers=admin
    )
    world.measure("A", "2025-06-05", -2.4)
    rounds(deliverer)

    assert replayed.status_code == 202
    assert receiver.unique_ids() == readable
    assert all(BANJAR not in str(e["data"]["wilayah"]) for e in receiver.received)
    assert again.status_code == 403
    assert "children:read" in again.json()["detail"]
    assert len(receiver.unique_ids()) == len(readable)  # nothing after the scope was lost
    shown = call(world, "GET", f"/v1/subscriptions/{made['id']}", headers=admin)
    assert shown["paused"] == "the owner does not hold the scope children:read"
