"""What happened to a principal; together these are the audit trail of who could do what.

Secrets arrive here already hashed (Argon2); the hash stays in the store and its read
model and never leaves them. Usernames and client ids are login identifiers, kept in the
plain payload; no personal data (names, phone numbers) is kept about principals.
"""

from __future__ import annotations

from enum import StrEnum

from domain.access import Role
from domain.fact import Fact
from domain.values import Str63, Str200


class PrincipalKind(StrEnum):
    """A user is a person who logs in with a password; a client is a machine with a secret."""

    USER = "user"
    CLIENT = "client"


class PrincipalCreated(Fact):
    """A user or client was registered with a role, scopes, reach and a hashed secret."""

    event_type = "principal.created"

    kind: PrincipalKind
    name: Str63
    role: Role
    scopes: tuple[str, ...]
    reach: tuple[str, ...]
    secret_hash: Str200


class RoleGranted(Fact):
    """The principal now holds ``role`` with exactly ``scopes``."""

    event_type = "principal.role_granted"

    role: Role
    scopes: tuple[str, ...]


class RoleRevoked(Fact):
    """The principal lost its role and with it every scope."""

    event_type = "principal.role_revoked"

    role: Role


class ScopesGranted(Fact):
    """The principal gained these scopes besides those it held."""

    event_type = "principal.scopes_granted"

    scopes: tuple[str, ...]


class ScopesRevoked(Fact):
    """The principal lost these scopes."""

    event_type = "principal.scopes_revoked"

    scopes: tuple[str, ...]


class ReachChanged(Fact):
    """The principal's areas are now exactly these wilayah prefixes."""

    event_type = "principal.reach_changed"

    reach: tuple[str, ...]


class PasswordChanged(Fact):
    """A user's password was replaced (hash only)."""

    event_type = "principal.password_changed"

    secret_hash: Str200


class SecretRotated(Fact):
    """A client's secret was replaced (hash only)."""

    event_type = "principal.secret_rotated"

    secret_hash: Str200


class PrincipalDisabled(Fact):
    """The principal may no longer log in; its tokens stop working at once."""

    event_type = "principal.disabled"


class PrincipalEnabled(Fact):
    """A disabled principal may log in again."""

    event_type = "principal.enabled"


PRINCIPAL_FACTS: tuple[type[Fact], ...] = (
    PrincipalCreated,
    RoleGranted,
    RoleRevoked,
    ScopesGranted,
    ScopesRevoked,
    ReachChanged,
    PasswordChanged,
    SecretRotated,
    PrincipalDisabled,
    PrincipalEnabled,
)
