"""Webhook subscriptions of third-party apps (``webhooks:manage``): what to send where, how
delivery stands, the dead letters, and sending again from a log position.

A subscription sends only what its owner may read: the read scope of every kind of event it
names (403 otherwise), areas inside the owner's reach, to a URL whose host resolves to
public addresses (422 otherwise; ``api.exchange.webhook_targets``)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field, StringConstraints

from api.exchange.webhook_targets import pin
from api.exchange.webhooks import owner_now
from api.identity.access import Principal, Requires, ensure_writable
from api.services import Services
from api.web.deps import ServicesDep
from api.web.kit import PROBLEMS, Strict, Write, Writes, answer_from, derived_id, etag, example
from domain import wilayah
from domain.access import Forbidden, Role
from domain.fact import DomainError, NotFound
from domain.values import SAFE_INT_MAX, AreaCode
from domain.webhook.decider import (
    PREFIX,
    CancelSubscription,
    CreateSubscription,
    SubscriptionDecider,
    SubscriptionState,
    target,
    types,
)
from domain.webhook.standing import Owner, refusal
from events import outbox
from events.handling import execute
from events.projections import principals
from events.projections import subscriptions as index

router = APIRouter(tags=["webhooks"])
Manager = Annotated[Principal, Requires("webhooks:manage")]
SubscriptionId = Annotated[uuid.UUID, Path(description="The subscription's id (a UUID).")]
_decider = SubscriptionDecider()


TargetUrl = Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://[!-~]+$")]
EventTypeName = Annotated[str, StringConstraints(pattern=r"^[a-z_]+(\.[a-z_]*)?$")]


class SubscriptionRequest(Strict):
    """Where to send which events."""

    model_config = example(
        {
            "target_url": "https://dinkes.example.id/hooks/tumbuh",
            "area_prefix": "32.79",
            "event_types": ["child.measurement_recorded"],
        }
    )

    id: uuid.UUID | None = None
    event_id: uuid.UUID | None = None
    target_url: TargetUrl = Field(
        description="http(s) URL that answers 2xx: visible ASCII, a port from 1 to 65535; its "
        "host must resolve to public addresses."
    )
    event_types: list[EventTypeName] = Field(
        default_factory=list,
        max_length=50,
        description="Event types or prefixes (child.), each needing its read scope; empty: "
        "every type (every read scope).",
    )
    area_prefix: AreaCode = Field(description="Events about areas under this code.")


class Delivery(BaseModel):
    """How delivery stands."""

    position: int = Field(description="The last log position dealt with.")
    delivered: int
    attempts: int = Field(description="Failed attempts at the next event.")
    next_attempt_at: datetime | None
    last_error: str | None
    dead_letters: int


class SubscriptionAnswer(BaseModel):
    """A subscription; ``secret`` only in the answer that created it."""

    id: str
    target_url: str
    event_types: list[str]
    area_prefix: str
    active: bool
    paused: str | None = Field(
        None, description="Why nothing is sent now (the owner's standing, scopes or reach)."
    )
    delivery: Delivery | None
    secret: str | None = Field(None, description="The HMAC key; shown once, at creation.")
    version: int


class DeadLetter(BaseModel):
    """An event given up on after the last attempt."""

    position: int
    event_id: str
    attempts: int
    last_error: str
    at: datetime


class ReplayAnswer(BaseModel):
    """Where delivery starts again."""

    id: str
    after: int


@router.post("/v1/subscriptions", status_code=201, responses=PROBLEMS)
def subscribe(
    body: SubscriptionRequest,
    response: Response,
    services: ServicesDep,
    write: Annotated[Write, Writes("webhooks:manage", if_match=False)],
) -> SubscriptionAnswer:
    """Subscribe a URL to the events about areas inside the caller's reach that the caller
    may read; the signing secret is in this answer only."""
    caller = write.principal
    prefix = wilayah.parse_prefix(body.area_prefix, field="area_prefix")
    if prefix != wilayah.EVERYWHERE:
        ensure_writable(caller, [prefix], "area")
    elif not caller.reach.everywhere:
        raise DomainError("give an area prefix inside your reach", field="area_prefix")
    pin(target(body.target_url), services.settings.webhook_networks())
    _may_receive(caller, types(body.event_types), prefix)
    event_ids = write.event_ids(body.event_id)
    key = str(body.id or derived_id(event_ids[0] if event_ids else None))
    secret = secrets.token_urlsafe(32)
    command = CreateSubscription(
        at=services.clock(),
        target_url=body.target_url,
        event_types=tuple(body.event_types),
        area_prefix=prefix,
        owner=caller.id,
        secret=secret,
    )
    stream = PREFIX + key
    outcome = execute(services.store, _decider, stream, command, write.meta, event_ids=event_ids)
    response.headers["Location"] = f"/v1/subscriptions/{key}"
    answer = subscription_answer(services, caller, key, response)
    return answer if outcome.replayed else answer.model_copy(update={"secret": secret})


@router.get("/v1/subscriptions", responses=PROBLEMS)
def list_subscriptions(services: ServicesDep, caller: Manager) -> list[SubscriptionAnswer]:
    """The caller's subscriptions (an admin sees all)."""
    with services.engine.connect() as conn:
        rows = index.owned(conn, None if caller.role is Role.ADMIN else caller.id)
    return [subscription_answer(services, caller, key, Response()) for key, _, _ in rows]


@router.get("/v1/subscriptions/{subscription_id}", responses=PROBLEMS)
def get_subscription(
    subscription_id: SubscriptionId, response: Response, services: ServicesDep, caller: Manager
) -> SubscriptionAnswer:
    """A subscription and how its delivery stands."""
    return subscription_answer(services, caller, str(subscription_id), response)


@router.delete("/v1/subscriptions/{subscription_id}", responses=PROBLEMS)
def cancel(
    subscription_id: SubscriptionId,
    response: Response,
    services: ServicesDep,
    write: Annotated[Write, Writes("webhooks:manage", if_match=False, idempotency_key=False)],
) -> SubscriptionAnswer:
    """Stop sending (409 when already stopped)."""
    key = str(subscription_id)
    _mine(services, write.principal, key)
    command = CancelSubscription(at=services.clock())
    execute(services.store, _decider, PREFIX + key, command, write.meta)
    return subscription_answer(services, write.principal, key, response)


@router.post("/v1/subscriptions/{subscription_id}/replay", status_code=202, responses=PROBLEMS)
def replay(
    subscription_id: SubscriptionId,
    services: ServicesDep,
    caller: Manager,
    from_: Annotated[
        int, Query(alias="from", ge=1, le=SAFE_INT_MAX, description="The first log position.")
    ],
) -> ReplayAnswer:
    """Send again, in order, every wanted event from log position ``from`` on (receivers
    deduplicate by the CloudEvents ``id``)."""
    key = str(subscription_id)
    state, _ = _mine(services, caller, key)
    with services.engine.connect() as conn:
        owner = owner_now(principals.find(conn, state.owner))
    if (reason := refusal(owner, state.event_types, state.area_prefix)) is not None:
        raise Forbidden(f"nothing would be sent: {reason}")
    head = services.store.head().position
    if from_ > head + 1:
        raise DomainError(f"the log ends at position {head}", field="from")
    with services.engine.begin() as conn:
        outbox.rewind(conn, key, from_ - 1)
    return ReplayAnswer(id=key, after=from_ - 1)


@router.get("/v1/subscriptions/{subscription_id}/dead-letters", responses=PROBLEMS)
def dead_letters(
    subscription_id: SubscriptionId, services: ServicesDep, caller: Manager
) -> list[DeadLetter]:
    """The events given up on, oldest first (send them again with ``replay``)."""
    key = str(subscription_id)
    _mine(services, caller, key)
    with services.engine.connect() as conn:
        rows = outbox.letters(conn, key)
    return [DeadLetter.model_validate(r) for r in rows]


def subscription_answer(
    services: Services, caller: Principal, key: str, response: Response
) -> SubscriptionAnswer:
    """The subscription as answered, with its ETag."""
    state, version = _mine(services, caller, key)
    with services.engine.connect() as conn:
        cursor = outbox.find(conn, key)
        letters = len(outbox.letters(conn, key))
    delivery = None if cursor is None else answer_from(Delivery, cursor, dead_letters=letters)
    etag(response, version)
    return answer_from(
        SubscriptionAnswer,
        state,
        secret=None,  # shown once, by ``subscribe``
        id=key,
        event_types=list(state.event_types),
        delivery=delivery,
        version=version,
    )


def _may_receive(caller: Principal, event_types: tuple[str, ...], prefix: str) -> None:
    """403 unless the caller may read every event the subscription would send."""
    if caller.external:  # its standing could not be checked again before each delivery
        raise Forbidden("a subscription needs a principal of this installation")
    owner = Owner(caller.role, caller.scopes, caller.reach)
    if (reason := refusal(owner, event_types, prefix)) is not None:
        raise Forbidden(f"{reason}: a subscription sends only what its owner may read")


def _mine(services: Services, caller: Principal, key: str) -> tuple[SubscriptionState, int]:
    with services.engine.connect() as conn:
        found = index.find_subscription(conn, key)
    if found is None or (caller.role is not Role.ADMIN and found[0].owner != caller.id):
        raise NotFound("there is no such subscription")
    return found
