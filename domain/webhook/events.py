"""Subscriptions of third-party apps to the log: what to send where. The signing secret is
sealed in the event's personal part (encrypted, never in the plain payload)."""

from __future__ import annotations

from pydantic import Field

from domain.fact import Fact
from domain.values import Str100, Value


class SubscriptionSecret(Value):
    """The HMAC key the deliveries are signed with."""

    secret: str = Field(min_length=32, max_length=128)


class SubscriptionCreated(Fact):
    """Events of ``event_types`` (prefixes like ``child.``; empty: all) about areas under
    ``area_prefix`` go to ``target_url``."""

    event_type = "subscription.created"
    personal_subject = "secret"

    target_url: str
    event_types: tuple[str, ...] = ()
    area_prefix: str = Field(max_length=13)
    owner: Str100
    personal: SubscriptionSecret | None = None


class SubscriptionCancelled(Fact):
    """Nothing more is sent."""

    event_type = "subscription.cancelled"

    reason: str | None = None


class SubscriptionPaused(Fact):
    """Nothing is sent while the owner lacks the standing, scopes or reach the subscription
    needs; ``reason`` says which."""

    event_type = "subscription.paused"

    reason: str


class SubscriptionResumed(Fact):
    """The owner holds what the subscription needs again: sending goes on from the cursor."""

    event_type = "subscription.resumed"


SUBSCRIPTION_FACTS: tuple[type[Fact], ...] = (
    SubscriptionCreated,
    SubscriptionCancelled,
    SubscriptionPaused,
    SubscriptionResumed,
)
