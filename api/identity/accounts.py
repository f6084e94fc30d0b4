"""Managing principals: the operator's commands (CLI), the demo users, and lookups.

Secrets are hashed here, before a command reaches the domain, so a plain password or
client secret never enters a command, an event or a log.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Final

from api.identity.passwords import Passwords, new_client_secret
from api.settings import Settings
from domain.access import CLIENT_ROLES, Role
from domain.fact import StateConflict
from domain.principal import commands as c
from domain.principal.decider import PrincipalDecider, stream_id
from domain.principal.events import PrincipalKind
from events import refresh_tokens, timefmt
from events.envelope import JsonObject
from events.handling import execute
from events.projections import principals as index
from events.projections.principals import PrincipalRecord
from events.store import SqlEventStore

log = logging.getLogger("tumbuh.auth")
# Changes after which a principal's refresh tokens must not mint access tokens any more.
_ENDS_SESSIONS: Final = (c.Disable, c.ChangePassword, c.RotateSecret, c.RevokeRole)
DEMO_WILAYAH: Final = "32.79"  # Kota Banjar
DEMO_DESA: Final = "32.79.02.1001"  # a kelurahan of Kecamatan Pataruman
DEMO_PRINCIPALS: Final[tuple[tuple[str, Role, tuple[str, ...]], ...]] = (
    ("demo-admin", Role.ADMIN, ("*",)),
    ("demo-tpps", Role.TPPS, (DEMO_WILAYAH,)),
    ("demo-kader", Role.KADER, (DEMO_DESA,)),
    ("demo-bidan", Role.BIDAN, (DEMO_DESA,)),
    ("demo-tpk", Role.TPK, (DEMO_DESA,)),
    ("demo-kecamatan", Role.KECAMATAN, ("32.79.02",)),
    ("demo-auditor", Role.AUDITOR, (DEMO_WILAYAH,)),
    ("demo-integrator", Role.INTEGRATOR, (DEMO_WILAYAH,)),
    ("demo-bkkbn", Role.BKKBN, (DEMO_WILAYAH,)),
    ("demo-sponsor", Role.SPONSOR, (DEMO_WILAYAH,)),
)
_DEMO_INTEGRATOR_SCOPES: Final = ("areas:read", "children:read")


def operator_meta(client: str = "tumbuh-cli") -> JsonObject:
    """Event meta for changes made by an operator on the server's command line."""
    return {
        "actor": "operator",
        "role": "operator",
        "client": client,
        "correlation_id": str(uuid.uuid4()),
    }


class Principals:
    """Creates and changes principals through the one write path, and looks them up."""

    def __init__(
        self,
        store: SqlEventStore,
        passwords: Passwords,
        clock: Callable[[], datetime] = timefmt.utc_now,
    ) -> None:
        self.store, self.passwords, self.clock = store, passwords, clock
        self.decider = PrincipalDecider()

    def add_user(
        self,
        name: str,
        role: Role,
        reach: Sequence[str],
        *,
        password: str,
        meta: JsonObject,
        scopes: Sequence[str] | None = None,
    ) -> None:
        """Register a person who logs in with ``password``."""
        secret_hash = self.passwords.hash(password)
        self._create(
            PrincipalKind.USER, name, role, reach, scopes=scopes, secret_hash=secret_hash, meta=meta
        )

    def add_client(
        self,
        name: str,
        role: Role,
        reach: Sequence[str],
        *,
        meta: JsonObject,
        scopes: Sequence[str] | None = None,
    ) -> str:
        """Register a machine client; returns its secret, which is stored only hashed."""
        secret = new_client_secret()
        secret_hash = self.passwords.hash(secret)
        self._create(
            PrincipalKind.CLIENT,
            name,
            role,
            reach,
            scopes=scopes,
            secret_hash=secret_hash,
            meta=meta,
        )
        return secret

    def change(self, name: str, command: c.PrincipalCommand, meta: JsonObject) -> int:
        """Run ``command`` on the principal ``name``; returns its new version."""
        outcome = execute(self.store, self.decider, stream_id(name), command, meta)
        if isinstance(command, _ENDS_SESSIONS) and outcome.events:
            with self.store.engine.begin() as conn:
                refresh_tokens.revoke_principal(conn, name, self.clock())
        return outcome.version

    def set_password(self, name: str, password: str, meta: JsonObject) -> int:
        """Replace a user's password."""
        command = c.ChangePassword(at=self.clock(), secret_hash=self.passwords.hash(password))
        return self.change(name, command, meta)

    def rotate_secret(self, name: str, meta: JsonObject) -> str:
        """Give a client a new secret; returns it (shown once)."""
        secret = new_client_secret()
        self.change(
            name, c.RotateSecret(at=self.clock(), secret_hash=self.passwords.hash(secret)), meta
        )
        return secret

    def find(self, name: str) -> PrincipalRecord | None:
        """The principal called ``name``."""
        with self.store.engine.connect() as conn:
            return index.find(conn, name)

    def all(self) -> list[PrincipalRecord]:
        """Every principal."""
        with self.store.engine.connect() as conn:
            return index.all_principals(conn)

    def seed_demo(self, password: str) -> list[str]:
        """Create the demo principals that do not exist yet; returns all their names."""
        secret_hash: str | None = None
        meta = operator_meta("tumbuh-demo")
        for name, role, reach in DEMO_PRINCIPALS:
            if self.find(name) is not None:
                continue
            secret_hash = secret_hash or self.passwords.hash(password)
            kind = PrincipalKind.CLIENT if role in CLIENT_ROLES else PrincipalKind.USER
            scopes = _DEMO_INTEGRATOR_SCOPES if role is Role.INTEGRATOR else None
            with contextlib.suppress(StateConflict):  # another worker made it just now
                self._create(
                    kind, name, role, reach, scopes=scopes, secret_hash=secret_hash, meta=meta
                )
        return [name for name, _, _ in DEMO_PRINCIPALS]

    def _create(
        self,
        kind: PrincipalKind,
        name: str,
        role: Role,
        reach: Sequence[str],
        *,
        scopes: Sequence[str] | None,
        secret_hash: str,
        meta: JsonObject,
    ) -> None:
        command = c.CreatePrincipal(
            at=self.clock(),
            kind=kind,
            name=name,
            role=role,
            reach=tuple(reach),
            scopes=None if scopes is None else tuple(scopes),
            secret_hash=secret_hash,
        )
        execute(self.store, self.decider, stream_id(name), command, meta)


def seed_demo(principals: Principals, settings: Settings) -> None:
    """Create the demo users if asked to, and say at start how to log in as them."""
    if not settings.demo:
        return
    names = principals.seed_demo(settings.demo_password)
    log.warning(
        "demo mode: principals %s share the demo password %r (see docs/identity.md)",
        ", ".join(names),
        settings.demo_password,
    )
