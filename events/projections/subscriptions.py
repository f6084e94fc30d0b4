"""The webhook subscriptions read model, and each new subscription's cursor in the log
(``events.outbox``): it is sent what comes after the event that created it."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import ClassVar

from sqlalchemy import Boolean, Column, Connection, String, Table, select

from domain.webhook import events as e
from domain.webhook.decider import PREFIX, SubscriptionDecider, SubscriptionState
from events import outbox
from events.envelope import RecordedEvent
from events.projections.decided import decided_row, decided_table, listed, states_of, stored_state
from events.projections.upsert import upsert
from events.registry import Registry

subscriptions = decided_table(
    "proj_subscriptions",
    Column("owner", String(100), nullable=False, index=True),
    Column("active", Boolean, nullable=False),
)


class SubscriptionIndex:
    """Keeps ``proj_subscriptions`` in step with the subscription streams."""

    name: ClassVar[str] = "subscriptions"
    tables: ClassVar[tuple[Table, ...]] = (subscriptions,)
    event_types: ClassVar[frozenset[str] | None] = frozenset(
        f.event_type for f in e.SUBSCRIPTION_FACTS
    )
    write_only: ClassVar[bool] = False
    stream_local: ClassVar[bool] = True

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def apply(self, conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        """Fold each stream's new events onto its stored state."""
        decider = SubscriptionDecider()
        for stream_id, group in groupby(batch, key=lambda event: event.stream_id):
            key, events = stream_id.removeprefix(PREFIX), list(group)
            found = find_subscription(conn, key)
            state = decider.initial_state() if found is None else found[0]
            for event in events:
                state = decider.evolve(state, self.registry.to_fact(event))
                if event.event_type == e.SubscriptionCreated.event_type and (
                    outbox.find(conn, key) is None
                ):
                    outbox.start(conn, key, event.position)
            version = events[-1].stream_version
            row = decided_row(key, state, version, owner=state.owner, active=state.active)
            upsert(conn, subscriptions, [row], ["id"])


def find_subscription(
    conn: Connection, subscription_id: str
) -> tuple[SubscriptionState, int] | None:
    """The subscription and its version, or None."""
    return stored_state(conn, subscriptions, SubscriptionState, subscription_id)


def active(conn: Connection) -> dict[str, SubscriptionState]:
    """Every active subscription, by id."""
    rows = conn.execute(
        select(subscriptions.c.id, subscriptions.c.state).where(subscriptions.c.active.is_(True))
    )
    return {r.id: SubscriptionState.model_validate_json(r.state) for r in rows}


def owned(conn: Connection, owner: str | None) -> list[tuple[str, SubscriptionState, int]]:
    """Subscriptions (of ``owner``, or all), by id."""
    query = states_of(subscriptions)
    if owner is not None:
        query = query.where(subscriptions.c.owner == owner)
    return listed(conn, query.order_by(subscriptions.c.id), SubscriptionState.model_validate_json)
