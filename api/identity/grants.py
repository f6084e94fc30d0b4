"""The OAuth2 grants of the token endpoint (RFC 6749): password, client credentials, refresh.

A wrong password and an unknown user fail alike (same error, an Argon2 check each);
repeated failures for one username are slowed down, and a client address that fails too
often is stopped (``api.identity.throttle``); a burst beyond the bound of password checks
at once is refused with 503 rather than queued (``api.identity.passwords``). Logs name the
username (or, for one that does not exist, a short fingerprint of it: people type
passwords into the wrong box) and never a password, secret or token.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Connection, Engine

from api.identity.passwords import Busy, Passwords
from api.identity.throttle import LoginThrottle
from api.identity.tokens import TokenAuthority
from api.settings import Settings
from domain.access import SCOPES, scope_text
from domain.principal.events import PrincipalKind
from events import refresh_tokens, timefmt
from events.projections import principals as index
from events.projections.principals import PrincipalRecord
from events.refresh_tokens import Family, Refusal

log = logging.getLogger("tumbuh.auth")
MAX_REFRESH_TOKEN: Final = 200
MAX_NAME: Final = 63  # the longest principal name: longer ones cannot exist
CLIENT_ID: Final = re.compile(r"[A-Za-z0-9._-]{1,63}")


class GrantError(Exception):
    """An RFC 6749 §5.2 error: ``invalid_grant`` (400), ``invalid_client`` (401), …"""

    def __init__(
        self,
        error: str,
        description: str,
        *,
        status: int = 400,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status
        self.headers = headers or {}


@dataclass(frozen=True)
class Credentials:
    """What a login presents: a name, its secret, and the client address it came from."""

    name: str
    secret: str
    address: str


@dataclass(frozen=True)
class Granted:
    """A successful grant: the tokens and what they allow."""

    access_token: str
    expires_in: int
    scope: str
    refresh_token: str | None = None


class Grants:
    """Turns credentials into tokens."""

    def __init__(
        self,
        engine: Engine,
        authority: TokenAuthority,
        *,
        passwords: Passwords,
        throttle: LoginThrottle,
        settings: Settings,
        clock: Callable[[], datetime] = timefmt.utc_now,
    ) -> None:
        self.engine, self.authority, self.passwords = engine, authority, passwords
        self.throttle, self.settings, self.clock = throttle, settings, clock

    def password(
        self, username: str, password: str, scope: str | None, client: str | None, address: str
    ) -> Granted:
        """``grant_type=password``: a user logs in; answers with a refresh token too."""
        client = client or None  # empty: no client, as OAuth2 libraries send it
        if client is not None and not CLIENT_ID.fullmatch(client):
            raise GrantError("invalid_request", "client_id has 1 to 63 of A-Z a-z 0-9 . _ -")
        if client is not None and client not in self.settings.public_client_ids:
            # Else any name would stand in the token and in the events' meta.client.
            raise _bad_client("client_id names no registered public client")
        user = self._authenticate(
            Credentials(username, password, address), PrincipalKind.USER, _bad_login
        )
        scopes = _requested(user, scope)
        ends = self.clock() + timedelta(seconds=self.settings.refresh_token_absolute_ttl)
        family = Family(str(uuid.uuid4()), user.name, client, scope_text(scopes), ends)
        with self.engine.begin() as conn:
            refresh_tokens.purge_expired(conn, user.name, self.clock())
            refresh = self._next_refresh(conn, family)
        return self._granted(user, scopes, client, refresh)

    def client_credentials(
        self, client_id: str, secret: str, scope: str | None, address: str
    ) -> Granted:
        """``grant_type=client_credentials``: a machine client authenticates itself."""
        client = self._authenticate(
            Credentials(client_id, secret, address), PrincipalKind.CLIENT, _bad_client
        )
        return self._granted(client, _requested(client, scope), client.name, None)

    def refresh(self, token: str, scope: str | None) -> Granted:
        """``grant_type=refresh_token``: rotate the refresh token, mint a new access token."""
        if not token or len(token) > MAX_REFRESH_TOKEN:
            raise _bad_refresh()
        with self.engine.begin() as conn:
            used = refresh_tokens.use(conn, token, self.clock())
            record = None if isinstance(used, Refusal) else index.find(conn, used.principal)
            if isinstance(used, Family) and not _usable(record):
                refresh_tokens.revoke_family(conn, used.family_id, self.clock())
            elif isinstance(used, Family) and record is not None:
                allowed = frozenset(used.scope.split()) & record.state.scopes
                scopes = _requested(record, scope, within=allowed)
                refresh = self._next_refresh(conn, used)
                return self._granted(record, scopes, used.client, refresh)
        # Committed first: a reuse's revocation of the family must stick.
        if used is Refusal.REUSED:
            log.warning("a used refresh token was presented again: its family was revoked")
        raise _bad_refresh()

    def _authenticate(
        self, given: Credentials, kind: PrincipalKind, refusal: Callable[[str], GrantError]
    ) -> PrincipalRecord:
        record = None
        if len(given.name) <= MAX_NAME:  # longer names cannot exist
            with self.engine.connect() as conn:
                record = index.find(conn, given.name)
        name = given.name[: MAX_NAME + 1]  # keeps the throttle's keys small whatever is sent
        known = record if record is not None and record.state.kind is kind else None
        label = name if known is not None else _fingerprint(name)
        blocked = self.throttle.blocked(name, given.address)
        if blocked is not None:
            log.warning("login for %s refused: %s failed too often", label, blocked.reason)
            raise _slow_down(blocked.seconds, blocked.reason)
        try:
            matches = self.passwords.verify(
                given.secret, None if known is None else known.state.secret_hash
            )
        except Busy as busy:
            raise GrantError(
                "temporarily_unavailable", str(busy), status=503, headers={"Retry-After": "1"}
            ) from None
        if known is None or not matches or not _usable(known):
            failures = self.throttle.failed(name, given.address)
            log.warning("login failed for %s (%d in a row)", label, failures)
            raise refusal("the credentials are not valid")
        self.throttle.succeeded(name)
        return known

    def _next_refresh(self, conn: Connection, family: Family) -> str:
        """The family's next token: valid for the sliding lifetime, never past its end."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        if family.ends_at is None:  # a login from before the absolute lifetime existed
            ends = now + timedelta(seconds=self.settings.refresh_token_absolute_ttl)
            family = replace(family, ends_at=ends)
        assert family.ends_at is not None
        expires = min(now + timedelta(seconds=self.settings.refresh_token_ttl), family.ends_at)
        refresh_tokens.issue(conn, token, family, now, expires)
        return token

    def _granted(
        self,
        record: PrincipalRecord,
        scopes: frozenset[str],
        client: str | None,
        refresh: str | None,
    ) -> Granted:
        state = record.state
        assert state.role is not None  # _usable checked it
        token = self.authority.mint(
            subject=state.name,
            role=state.role,
            scopes=scopes,
            reach=state.reach,
            version=record.version,
            client=client,
        )
        return Granted(token, self.settings.access_token_ttl, scope_text(scopes), refresh)


def _usable(record: PrincipalRecord | None) -> bool:
    return record is not None and not record.state.disabled and record.state.role is not None


def _requested(
    record: PrincipalRecord, scope: str | None, within: frozenset[str] | None = None
) -> frozenset[str]:
    """The scopes asked for (all held if none), refused if any is not held."""
    held = record.state.scopes if within is None else within
    if scope is None or not scope.strip():
        return held
    asked = frozenset(scope.split())
    if not asked <= held:
        unknown = sorted(asked - SCOPES.keys())
        what = f"there is no scope {unknown[0]}" if unknown else "a scope asked for is not held"
        raise GrantError("invalid_scope", what)
    return asked


def _fingerprint(name: str) -> str:
    """An unknown username as the log shows it: it may be a password typed in the wrong box."""
    return "unknown user #" + hashlib.sha256(name.encode()).hexdigest()[:8]


def _bad_login(description: str) -> GrantError:
    return GrantError("invalid_grant", description)


def _bad_client(description: str) -> GrantError:
    return GrantError(
        "invalid_client",
        description,
        status=401,
        headers={"WWW-Authenticate": 'Basic realm="tumbuh"'},
    )


def _slow_down(seconds: int, reason: str) -> GrantError:
    return GrantError(
        "slow_down",
        f"too many failed logins from {reason}; try again in {seconds} s",
        status=429,
        headers={"Retry-After": str(seconds)},
    )


def _bad_refresh() -> GrantError:
    return GrantError("invalid_grant", "the refresh token is not valid")
