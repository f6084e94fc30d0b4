"""The subscription aggregate: ``subscription-<uuid>``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar, Final
from urllib.parse import urlsplit

from pydantic import AwareDatetime

from domain import wilayah
from domain.access import STREAM_READ_SCOPES
from domain.fact import Command, DomainError, Fact, StateConflict
from domain.streams import StreamDecider, begun, starts_stream
from domain.values import Value
from domain.webhook import events as e

PREFIX: Final = "subscription-"
MAX_TYPES: Final = 50
_TYPE: Final = re.compile(r"[a-z_]+(\.[a-z_]*)?")
_URL_CHARACTERS: Final = re.compile(r"[!-~]+")  # visible ASCII: no space, control or bidi


class CreateSubscription(Command):
    """Subscribe ``target_url`` to events."""

    at: AwareDatetime
    target_url: str
    event_types: tuple[str, ...] = ()
    area_prefix: str
    owner: str
    secret: str


class CancelSubscription(Command):
    """Stop a subscription."""

    at: AwareDatetime
    reason: str | None = None


class PauseSubscription(Command):
    """Send nothing until the owner may read what the subscription sends again."""

    at: AwareDatetime
    reason: str


class ResumeSubscription(Command):
    """The owner may read what the subscription sends again."""

    at: AwareDatetime


class SubscriptionState(Value):
    """A subscription as its history leaves it (without its secret)."""

    exists: bool = False
    active: bool = False
    target_url: str = ""
    event_types: tuple[str, ...] = ()
    area_prefix: str = wilayah.EVERYWHERE
    owner: str = ""
    paused: str | None = None  # why nothing is sent now; None while sending

    def wants(self, event_type: str, area: str | None) -> bool:
        """Whether an event of ``event_type`` about ``area`` is sent."""
        typed = not self.event_types or any(
            event_type == t or (t.endswith(".") and event_type.startswith(t))
            for t in self.event_types
        )
        placed = self.area_prefix == wilayah.EVERYWHERE or (
            area is not None and wilayah.covers(self.area_prefix, area)
        )
        return typed and placed


@starts_stream
def _create(command: CreateSubscription, state: SubscriptionState) -> list[Fact]:
    if state.exists:
        raise StateConflict("this subscription exists already", field="id")
    created = e.SubscriptionCreated(
        occurred_at=command.at,
        wilayah=None,
        target_url=target(command.target_url),
        event_types=types(command.event_types),
        area_prefix=wilayah.parse_prefix(command.area_prefix, field="area_prefix"),
        owner=command.owner,
        personal=e.SubscriptionSecret(secret=command.secret),
    )
    return [created]


def _cancel(command: CancelSubscription, state: SubscriptionState) -> list[Fact]:
    if not state.active:
        raise StateConflict("the subscription is cancelled already")
    return [e.SubscriptionCancelled(occurred_at=command.at, reason=command.reason)]


def _pause(command: PauseSubscription, state: SubscriptionState) -> list[Fact]:
    if not state.active or state.paused == command.reason:
        return []
    return [e.SubscriptionPaused(occurred_at=command.at, reason=command.reason)]


def _resume(command: ResumeSubscription, state: SubscriptionState) -> list[Fact]:
    if not state.active or state.paused is None:
        return []
    return [e.SubscriptionResumed(occurred_at=command.at)]


def _created(state: SubscriptionState, fact: e.SubscriptionCreated) -> SubscriptionState:
    return begun(SubscriptionState, fact, active=True)


def _cancelled(state: SubscriptionState, fact: e.SubscriptionCancelled) -> SubscriptionState:
    return state.model_copy(update={"active": False})


def _paused(
    state: SubscriptionState, fact: e.SubscriptionPaused | e.SubscriptionResumed
) -> SubscriptionState:
    reason = fact.reason if isinstance(fact, e.SubscriptionPaused) else None
    return state.model_copy(update={"paused": reason})


class SubscriptionDecider(StreamDecider[Command, SubscriptionState]):
    """Decides subscription commands; pure."""

    stream_type: ClassVar[str] = "subscription"
    rules = (_create, _cancel, _pause, _resume)
    changes = (_created, _cancelled, _paused)


def target(url: str) -> str:
    """An absolute http(s) URL without credentials."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        raise DomainError("give an http or https URL without credentials", field="target_url")
    if not _URL_CHARACTERS.fullmatch(url.strip()):
        raise DomainError(
            "a URL is written in visible ASCII characters (percent-encode the others)",
            field="target_url",
        )
    try:
        port = parts.port  # urlsplit checks the range only when asked
    except ValueError:
        port = 0
    if port == 0:
        raise DomainError("a URL's port lies between 1 and 65535", field="target_url")
    if len(url) > 2000:
        raise DomainError("the URL is longer than 2000 characters", field="target_url")
    return url.strip()


def types(names: Sequence[str]) -> tuple[str, ...]:
    """Event types or type prefixes (``child.``) of the streams sent; empty: every type."""
    if len(names) > MAX_TYPES:
        raise DomainError(f"at most {MAX_TYPES} event types", field="event_types")
    for name in names:
        if not _TYPE.fullmatch(name):
            raise DomainError(
                "an event type looks like child.measurement_recorded or child.", field="event_types"
            )
        if kind(name) not in STREAM_READ_SCOPES:
            sent = ", ".join(f"{k}." for k in sorted(STREAM_READ_SCOPES))
            raise DomainError(f"the events sent are those of {sent}", field="event_types")
    return tuple(sorted(set(names)))


def kind(event_type: str) -> str:
    """The kind of stream an event type (or prefix) belongs to: its first word."""
    return event_type.split(".", 1)[0]
