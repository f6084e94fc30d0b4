"""Principals and tokens for tests: a real principal in the store, a real signed token.

``Minter`` (the ``mint`` fixture) registers a principal of a role and reach and returns an
access token for it; ``bearer`` turns a token into request headers. Registering skips the
Argon2 cost by reusing one hash of ``PASSWORD`` for every test principal.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from typing import Any

from api.identity.accounts import operator_meta
from api.identity.passwords import Passwords
from api.services import Services
from domain.access import CLIENT_ROLES, Role
from domain.principal.commands import CreatePrincipal
from domain.principal.decider import PrincipalDecider, stream_id
from domain.principal.events import PrincipalKind
from events import timefmt
from events.handling import execute

PASSWORD = "correct-horse-battery-staple"
DESA = "32.79.02.1001"  # a kelurahan of Kecamatan Pataruman, Kota Banjar
_names = itertools.count(1)


@functools.cache
def password_hash() -> str:
    """One Argon2 hash of ``PASSWORD``, computed once per test session."""
    return Passwords().hash(PASSWORD)


def bearer(token: str) -> dict[str, str]:
    """Request headers that present ``token``."""
    return {"Authorization": f"Bearer {token}"}


def add_principal(
    services: Services,
    name: str,
    role: Role,
    wilayah: Sequence[str] = (DESA,),
    scopes: Sequence[str] | None = None,
) -> None:
    """Register a principal whose password (or client secret) is ``PASSWORD``."""
    kind = PrincipalKind.CLIENT if role in CLIENT_ROLES else PrincipalKind.USER
    command = CreatePrincipal(
        at=timefmt.utc_now(),
        kind=kind,
        name=name,
        role=role,
        reach=tuple(wilayah),
        scopes=None if scopes is None else tuple(scopes),
        secret_hash=password_hash(),
    )
    execute(services.store, PrincipalDecider(), stream_id(name), command, operator_meta())


class Minter:
    """Registers principals and mints their access tokens."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def __call__(
        self,
        role: Role,
        *wilayah: str,
        scopes: Sequence[str] | None = None,
        name: str | None = None,
    ) -> str:
        """A token for a new principal of ``role`` reaching ``wilayah`` (default: one desa)."""
        name = name or f"{role.value}-{next(_names)}"
        add_principal(self.services, name, role, wilayah or (DESA,), scopes)
        return self.token(name)

    def token(self, name: str, client: str | None = None) -> str:
        """A token for the existing principal ``name`` as it stands now."""
        record = self.services.principals.find(name)
        assert record is not None
        state = record.state
        assert state.role is not None
        return self.services.auth.mint(
            subject=name,
            role=state.role,
            scopes=state.scopes,
            reach=state.reach,
            version=record.version,
            client=client,
        )

    def claims(self, name: str, **changes: Any) -> dict[str, Any]:
        """Valid claims for principal ``name`` with ``changes`` applied (None removes one)."""
        record = self.services.principals.find(name)
        assert record is not None
        settings, now = self.services.settings, int(self.services.auth.clock())
        claims: dict[str, Any] = {
            "iss": settings.issuer,
            "aud": settings.audience,
            "sub": name,
            "iat": now,
            "nbf": now,
            "exp": now + settings.access_token_ttl,
            "jti": f"test-{next(_names)}",
            "role": record.state.role,
            "scope": " ".join(sorted(record.state.scopes)),
            "wilayah": list(record.state.reach),
            "ver": record.version,
        }
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}


def cli_env(services: Services) -> dict[str, str]:
    """The environment that points the ``tumbuh`` command at the test's store and keys."""
    settings = services.settings
    assert settings.master_key is not None
    return {
        "TUMBUH_DATABASE_URL": settings.database_url,
        "TUMBUH_MASTER_KEY": settings.master_key,
        "TUMBUH_KEY_DIR": str(settings.key_directory()),
        "TUMBUH_MIGRATE_ON_START": "false",
    }
