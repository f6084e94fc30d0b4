"""Failed logins slowed per username and stopped per client address, for every worker.

Per username (known or not): the first few failures are free (typing mistakes); then each
further one blocks the username for twice as long as the one before, up to a minute; a
success or a quiet quarter of an hour clears it. Per client address: more than
``TUMBUH_LOGIN_FAILURES_PER_ADDRESS`` failures within ``TUMBUH_LOGIN_FAILURE_WINDOW``
seconds, whatever the usernames, block the address until that window ends (a success does
not clear it, or one valid account would let a spray go on). The counts are kept in the
database (``events.throttle``), so every worker process and every server sees them.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Connection, Engine

from api.settings import Settings
from events import throttle, timefmt
from events.throttle import Failures

FREE: Final = 3
CAP_SECONDS: Final = 60.0
FORGET_AFTER: Final = timedelta(minutes=15)
_IPV6_BLOCK: Final = 64  # one subscriber usually holds a whole /64


@dataclass(frozen=True)
class Blocked:
    """A login refused before its password is checked: for how long, and why."""

    seconds: int
    reason: str


def address_of(host: str | None) -> str:
    """The counted form of a client address: IPv4 as is, IPv6 as its /64 network."""
    if not host:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]
    if isinstance(parsed, ipaddress.IPv4Address):
        return str(parsed)
    if parsed.ipv4_mapped is not None:  # ::ffff:a.b.c.d is the IPv4 client a.b.c.d
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/{_IPV6_BLOCK}", strict=False))


class LoginThrottle:
    """Counts failed logins in the database and says when a login must wait."""

    def __init__(
        self,
        engine: Engine,
        writer: Callable[[], AbstractContextManager[Connection]],
        settings: Settings,
        clock: Callable[[], datetime] = timefmt.utc_now,
    ) -> None:
        self.engine, self.writer, self.settings, self.clock = engine, writer, settings, clock

    def blocked(self, username: str, address: str) -> Blocked | None:
        """Why and for how long a login of ``username`` from ``address`` must wait, if so."""
        user, place = _keys(username, address)
        with self.engine.connect() as conn:
            found = throttle.blocks(conn, [user, place])
        now = self.clock()
        for stored, reason in ((place, "this address"), (user, "this username")):
            until = found.get(stored)
            if until is not None and until > now:
                return Blocked(math.ceil((until - now).total_seconds()), reason)
        return None

    def failed(self, username: str, address: str) -> int:
        """Count a failure for both; returns the username's failures in a row."""
        user, place = _keys(username, address)
        now = self.clock()
        with self.writer() as conn:
            counted = _user_rule(throttle.current(conn, user, now), now)
            throttle.save(conn, user, counted)
            throttle.save(conn, place, self._address_rule(throttle.current(conn, place, now), now))
            throttle.purge(conn, now - max(FORGET_AFTER, self._window()))
        return counted.failures

    def succeeded(self, username: str) -> None:
        """Forget the failures of ``username`` (its address keeps its count)."""
        with self.writer() as conn:
            throttle.forget(conn, throttle.key("user", username))

    def _address_rule(self, before: Failures, now: datetime) -> Failures:
        if before.failures == 0 or now - before.window_start >= self._window():
            return Failures(1, now, now, None)
        counted = replace(before, failures=before.failures + 1, last_failure=now)
        if counted.failures > self.settings.login_failures_per_address:
            return replace(counted, blocked_until=before.window_start + self._window())
        return counted

    def _window(self) -> timedelta:
        return timedelta(seconds=self.settings.login_failure_window)


def _user_rule(before: Failures, now: datetime) -> Failures:
    """Twice as long a block for each failure beyond the free ones, up to a minute."""
    if before.failures == 0 or now - before.last_failure > FORGET_AFTER:
        before = Failures(0, now, now, None)
    count = before.failures + 1
    blocked = None
    if count > FREE:
        blocked = now + timedelta(seconds=min(2.0 ** (count - FREE - 1), CAP_SECONDS))
    return Failures(count, before.window_start, now, blocked)


def _keys(username: str, address: str) -> tuple[str, str]:
    return throttle.key("user", username), throttle.key("address", address)
