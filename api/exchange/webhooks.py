"""Delivering the log to webhook subscribers: CloudEvents 1.0, signed, in log order, at
least once, with retries and a dead-letter list.

Each message is a structured-mode CloudEvent (``application/cloudevents+json``): ``id``
the event's id (receivers deduplicate by it), ``type`` ``id.tumbuh.<event type>``,
``source`` ``/tumbuh/<stream type>``, ``subject`` the stream, ``time`` when it was
recorded, the extension ``tumbuhposition`` its log position, and as ``data`` the event's
non-personal payload with ``occurred_at``, ``wilayah`` and ``stream_version`` (a personal
part is never sent). The body is signed like Stripe's webhooks::

    Tumbuh-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>

A receiver answers 2xx to acknowledge; anything else, a timeout or a broken connection is
retried with exponential backoff and jitter (0.5 s doubling up to 5 min), and after
``MAX_ATTEMPTS`` failures the event goes to the subscription's dead-letter list and the
next one is sent. Only the programme's own streams are sent (those with a read scope in
``STREAM_READ_SCOPES``: areas, children, meetings, resolutions, families, sponsors,
commitments), never principals, access records or subscriptions themselves.

Before every batch the owner's standing is checked again (``domain.webhook.standing``): a
subscription whose owner is disabled, or lost a read scope or the reach it needs, is paused
with the reason and sent nothing, and resumes once the owner holds them again. The target's
host is resolved and checked before every batch too, and the batch is sent to the address
checked (``api.exchange.webhook_targets``). What a failure left in ``last_error`` is one of two
sentences, never the kind of failure: a subscriber must not learn from it which ports of a
host are open.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import threading
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import httpx
from cloudevents.core.bindings.http import to_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from api.exchange.webhook_targets import Pinned, TargetRefused, pin
from api.services import Services
from domain.access import STREAM_READ_SCOPES, Reach, ceiling
from domain.webhook.decider import (
    PREFIX,
    PauseSubscription,
    ResumeSubscription,
    SubscriptionDecider,
    SubscriptionState,
)
from domain.webhook.events import SubscriptionCreated
from domain.webhook.standing import Owner, refusal
from events import outbox, timefmt
from events.envelope import JsonObject, RecordedEvent
from events.handling import execute
from events.projections import principals
from events.projections import subscriptions as index

log = logging.getLogger("tumbuh.webhooks")
MAX_ATTEMPTS: Final = 8
FIRST_DELAY: Final = 0.5  # seconds
LAST_DELAY: Final = 300.0
LEASE: Final = timedelta(seconds=60)
BATCH: Final = 200
SENT_STREAMS: Final = frozenset(STREAM_READ_SCOPES)
NOT_DELIVERED: Final = "not delivered: the receiver did not answer 2xx in time"
NOT_ALLOWED: Final = "not delivered: the target's host does not resolve to an allowed address"
SIGNATURE: Final = "Tumbuh-Signature"
POLL: Final = 0.02  # seconds between looks at the log while someone is subscribed
IDLE: Final = 1.0  # … and while nobody is
TROUBLE: Final = 10.0  # … and after the database failed


def signature(secret: str, body: bytes, at: int) -> str:
    """The ``Tumbuh-Signature`` header of ``body`` signed at unix time ``at``."""
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def message(event: RecordedEvent) -> tuple[dict[str, str], bytes]:
    """The CloudEvent of a stored event: headers and body, structured mode."""
    attributes = {
        "id": event.event_id,
        "source": f"/tumbuh/{event.stream_type}",
        "type": f"id.tumbuh.{event.event_type}",
        "subject": event.stream_id,
        "time": event.recorded_at,
        "datacontenttype": "application/json",
        "tumbuhposition": event.position,
    }
    data = {
        "payload": event.payload,
        "occurred_at": timefmt.to_text(event.occurred_at),
        "wilayah": event.wilayah,
        "stream_version": event.stream_version,
        "schema_version": event.schema_version,
    }
    http = to_structured(CloudEvent(attributes, data), JSONFormat())
    return dict(http.headers), http.body


class Deliverer:
    """Sends each subscription what it wants of the log, one subscription at a time."""

    def __init__(
        self,
        services: Services,
        *,
        timeout: float = 5.0,
        first_delay: float = FIRST_DELAY,
        max_attempts: int = MAX_ATTEMPTS,
        lease: timedelta = LEASE,
    ) -> None:
        self.services = services
        self.client = httpx.Client(timeout=timeout)
        self.first_delay, self.max_attempts, self.lease = first_delay, max_attempts, lease
        self._secrets: dict[str, str] = {}
        self._stop = threading.Event()
        self._idle = False
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Deliver what is due now; the number of events delivered."""
        now = datetime.now(UTC)
        with self.services.engine.begin() as conn:
            wanted = index.active(conn)
            ready = [s for s in outbox.due(conn, now) if s in wanted] if wanted else []
        self._idle = not wanted
        return sum(self._serve(key, wanted[key], now) for key in ready)

    def start(self) -> None:
        """Deliver in a background thread until ``stop``."""
        self._thread = threading.Thread(target=self._loop, name="tumbuh-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish the message in flight, then stop."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.client.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                sent = self.run_once()
            except Exception:  # a database hiccup must not end the worker; it is logged
                log.exception("webhook delivery round failed; trying again in %.0f s", TROUBLE)
                self._stop.wait(TROUBLE)
                continue
            if not sent:  # nobody subscribed: look again in a second
                self._stop.wait(IDLE if self._idle else POLL)

    def _serve(self, key: str, subscription: SubscriptionState, now: datetime) -> int:
        with self.services.engine.begin() as conn:
            cursor = outbox.claim(conn, key, now, self.lease)
        if cursor is None:
            return 0
        try:
            if not self._may_send(key, subscription):
                return 0
            return self._drain(key, subscription, cursor)
        finally:
            with self.services.engine.begin() as conn:
                outbox.release(conn, key)

    def _may_send(self, key: str, subscription: SubscriptionState) -> bool:
        """Check the owner now; pause (with the reason) or resume the subscription."""
        with self.services.engine.connect() as conn:
            found = principals.find(conn, subscription.owner)
        reason = refusal(owner_now(found), subscription.event_types, subscription.area_prefix)
        if reason is not None:
            if subscription.paused != reason:
                log.warning("webhook %s paused: %s", key, reason)
                self._run(key, PauseSubscription(at=self.services.clock(), reason=reason))
            return False
        if subscription.paused is not None:
            log.info("webhook %s resumed: its owner may read what it sends again", key)
            self._run(key, ResumeSubscription(at=self.services.clock()))
        return True

    def _run(self, key: str, command: PauseSubscription | ResumeSubscription) -> None:
        execute(self.services.store, SubscriptionDecider(), PREFIX + key, command, _meta())

    def _drain(self, key: str, subscription: SubscriptionState, cursor: outbox.Cursor) -> int:
        batch = self.services.store.read_all(cursor.position, BATCH)
        position, sent = cursor.position, 0
        target: Pinned | None = None
        for event in batch:
            if event.stream_type in SENT_STREAMS and subscription.wants(
                event.event_type, event.wilayah
            ):
                if target is None:  # resolved and checked once per batch, when one is sent
                    target = self._target(subscription)
                error = NOT_ALLOWED if target is None else self._send(key, target, event)
                if error is not None:
                    self._record_failure(
                        key, event, error, cursor=cursor, position=position, sent=sent
                    )
                    return sent
                sent += 1
            position = event.position
        if position != cursor.position:
            with self.services.engine.begin() as conn:
                outbox.advance(conn, key, position, sent)
        return sent

    def _target(self, subscription: SubscriptionState) -> Pinned | None:
        try:
            return pin(subscription.target_url, self.services.settings.webhook_networks())
        except TargetRefused:
            return None

    def _send(self, key: str, target: Pinned, event: RecordedEvent) -> str | None:
        headers, body = message(event)
        headers[SIGNATURE] = signature(self._secret(key), body, int(time.time()))
        try:
            answer = self.client.post(
                target.url,
                content=body,
                headers=headers | target.headers,
                extensions=target.extensions,
            )
        except httpx.HTTPError as failure:
            log.debug("webhook %s: %s", key, type(failure).__name__)  # for the operator only
            return NOT_DELIVERED
        if 200 <= answer.status_code < 300:
            return None
        log.debug("webhook %s: HTTP %d", key, answer.status_code)
        return NOT_DELIVERED

    def _record_failure(
        self,
        key: str,
        event: RecordedEvent,
        error: str,
        *,
        cursor: outbox.Cursor,
        position: int,
        sent: int,
    ) -> None:
        """Count a failed delivery of ``event``: retry later, or dead-letter it; the events
        sent before it (up to ``position``) are recorded as delivered."""
        now = datetime.now(UTC)
        attempts = (cursor.attempts if position == cursor.position else 0) + 1
        with self.services.engine.begin() as conn:
            if position != cursor.position:
                outbox.advance(conn, key, position, sent)
            if attempts >= self.max_attempts:
                log.warning(
                    "webhook %s: event at %d dead-lettered after %d attempts (%s)",
                    key,
                    event.position,
                    attempts,
                    error,
                )
                outbox.give_up(
                    conn,
                    key,
                    position=event.position,
                    event_id=event.event_id,
                    attempts=attempts,
                    error=error,
                    now=now,
                )
            else:
                delay = min(LAST_DELAY, self.first_delay * 2 ** (attempts - 1))
                retry = now + timedelta(seconds=delay * random.uniform(0.5, 1.5))  # noqa: S311
                outbox.failed(conn, key, error, attempts, retry)

    def _secret(self, key: str) -> str:
        if key not in self._secrets:
            history = self.services.store.read_stream(PREFIX + key)
            created = next(e for e in history if e.event_type == SubscriptionCreated.event_type)
            opened: Mapping[str, Any] | None = self.services.store.open_personal([created]).get(
                created.event_id
            )
            if opened is None:
                raise LookupError(f"the secret of subscription {key} was erased")
            self._secrets[key] = str(opened["secret"])
        return self._secrets[key]


def owner_now(found: principals.PrincipalRecord | None) -> Owner | None:
    """A subscription's owner as the principals read model holds it now."""
    if found is None:
        return None
    state = found.state
    scopes = state.scopes & ceiling(state.role) if state.role else frozenset()
    return Owner(state.role, scopes, Reach(state.reach), state.disabled)


def _meta() -> JsonObject:
    """The event ``meta`` of a pause or resume: the delivery worker's own decision."""
    return {
        "actor": "webhook-worker",
        "role": "system",
        "client": None,
        "correlation_id": str(uuid.uuid4()),
    }
