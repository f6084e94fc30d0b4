"""Webhooks cannot be aimed at the service's own network (issue 26, M3): a URL whose host is,
or resolves to, a loopback, private, link-local, unique-local, multicast, unspecified,
reserved or IPv4-mapped address is refused (422) in every spelling; the host is resolved
again before each batch and the batch goes to the address checked (DNS rebinding); and
``last_error`` says the same thing whatever failed, so it scans no ports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.exchange import webhook_targets
from api.exchange.webhooks import NOT_ALLOWED, NOT_DELIVERED, Deliverer
from api.services import Services
from domain.access import Role
from events import outbox
from tests.api.test_area_stats import World, world
from tests.api.test_webhooks import drain
from tests.api.tokens import Minter, bearer
from tests.support.receiver import Receiver

__all__ = ["world"]  # the fixture, used by name
PUBLIC = "93.184.215.14"


@dataclass
class Names:
    """A resolver that answers the names a test gives it, one answer after another (the last
    one repeated), and the system's answer for any other host (numeric hosts resolve as
    ever); it notes every host asked."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def lookup(self, host: str, port: int, real: Callable[[str, int], list[str]]) -> list[str]:
        self.asked.append(host)
        if host not in self.answers:
            return real(host, port)
        given = self.answers[host]
        return [given.pop(0) if len(given) > 1 else given[0]]


@pytest.fixture
def names(monkeypatch: pytest.MonkeyPatch) -> Names:
    resolver, real = Names(), webhook_targets.lookup
    monkeypatch.setattr(webhook_targets, "lookup", partial(resolver.lookup, real=real))
    return resolver


def allow_loopback(services: Services) -> None:
    """The receiver listens on loopback: let this installation send webhooks there."""
    update = {"webhook_allowed_networks": "127.0.0.0/8"}
    services.settings = services.settings.model_copy(update=update)


def app(mint: Minter) -> dict[str, str]:
    scopes = ["webhooks:manage", "children:read"]
    return bearer(mint(Role.INTEGRATOR, "32.79", scopes=scopes))


def subscribe(client: TestClient, headers: dict[str, str], url: str) -> Any:
    body = {"target_url": url, "event_types": ["child."], "area_prefix": "32.79"}
    return client.post("/v1/subscriptions", json=body, headers=headers)


REFUSED = [
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://10.0.0.1/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://localhost:8080/hook",
    "http://LOCALHOST./hook",
    "http://[::1]/hook",
    "http://0.0.0.0/hook",
    "http://0/hook",
    "http://2130706433/hook",
    "http://0x7f000001/hook",
    "http://127.1/hook",
    "http://0177.0.0.1/hook",
    "http://[::ffff:169.254.169.254]/hook",
    "http://[::ffff:7f00:1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd00::1]/hook",
    "http://224.0.0.1/hook",
    "http://100.64.0.1/hook",
    "http://no-such-host.invalid/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_target_that_is_or_resolves_to_a_non_public_address_is_refused(
    client: TestClient, services: Services, mint: Minter, names: Names, url: str
) -> None:
    names.answers["metadata.google.internal"] = ["169.254.169.254"]  # as on Google Cloud
    headers = app(mint)
    head = services.store.head().position

    answer = subscribe(client, headers, url)

    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "target_url"
    assert answer.json()["detail"] == webhook_targets.REFUSED
    assert services.store.head().position == head


def test_a_public_target_is_accepted_and_an_allowed_network_only_when_configured(
    client: TestClient, services: Services, mint: Minter, names: Names
) -> None:
    names.answers["hooks.example.org"] = [PUBLIC]
    headers = app(mint)

    public = subscribe(client, headers, "https://hooks.example.org/tumbuh")
    local = subscribe(client, headers, "http://10.20.0.5/hook")
    services.settings = services.settings.model_copy(
        update={"webhook_allowed_networks": "10.20.0.0/16"}
    )
    allowed = subscribe(client, headers, "http://10.20.0.5/hook")
    other = subscribe(client, headers, "http://10.21.0.5/hook")

    assert (public.status_code, local.status_code) == (201, 422)
    assert (allowed.status_code, other.status_code) == (201, 422)


def test_a_host_that_rebinds_to_a_private_address_after_the_check_is_sent_nothing(
    world: World, services: Services, mint: Minter, names: Names, receiver: Receiver
) -> None:
    url = f"http://rebind.example.org:{receiver.port}/hook"
    names.answers["rebind.example.org"] = [PUBLIC, "127.0.0.1"]  # public, then loopback
    made = subscribe(world.client, app(mint), url)
    world.measure("C", "2025-05-20", -2.9)

    Deliverer(services, first_delay=10.0).run_once()

    assert made.status_code == 201
    assert receiver.received == []
    with services.engine.connect() as conn:
        cursor = outbox.find(conn, made.json()["id"])
    assert cursor is not None
    assert cursor.last_error == NOT_ALLOWED


def test_a_batch_connects_to_the_address_checked_with_the_host_name_in_host(
    world: World, services: Services, mint: Minter, names: Names, receiver: Receiver
) -> None:
    allow_loopback(services)
    names.answers["receiver.example.org"] = ["127.0.0.1"]  # a name no real resolver knows
    made = subscribe(world.client, app(mint), f"http://receiver.example.org:{receiver.port}/hook")
    world.measure("C", "2025-05-20", -2.9)
    world.measure("C", "2025-06-05", -2.5)
    names.asked.clear()

    drain(Deliverer(services, first_delay=0.01))

    assert made.status_code == 201
    assert len(receiver.unique_ids()) == 2
    assert {h["host"] for h in receiver.headers} == {f"receiver.example.org:{receiver.port}"}
    assert names.asked == ["receiver.example.org"]  # once for the batch, not once per event


def test_last_error_reads_the_same_whatever_failed(
    world: World, services: Services, mint: Minter, receiver: Receiver
) -> None:
    allow_loopback(services)
    headers = app(mint)
    answering = subscribe(world.client, headers, receiver.url).json()
    closed = subscribe(world.client, headers, "http://127.0.0.1:9/hook").json()  # discard port
    receiver.fail = lambda _: "500"
    world.measure("C", "2025-05-20", -2.9)

    Deliverer(services, first_delay=10.0, timeout=0.5).run_once()

    with services.engine.connect() as conn:
        cursors = [outbox.find(conn, made["id"]) for made in (answering, closed)]
    assert [c.last_error if c else None for c in cursors] == [NOT_DELIVERED, NOT_DELIVERED]
