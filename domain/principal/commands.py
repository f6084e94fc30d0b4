"""What an operator (or the demo seed) may ask of a principal; secrets come hashed."""

from __future__ import annotations

from pydantic import AwareDatetime

from domain.access import Role
from domain.fact import Command
from domain.principal.events import PrincipalKind


class PrincipalCommand(Command):
    """Every principal command carries the time it takes effect."""

    at: AwareDatetime


class CreatePrincipal(PrincipalCommand):
    """Register a user or client; ``scopes`` None means the role's defaults."""

    kind: PrincipalKind
    name: str
    role: Role
    scopes: tuple[str, ...] | None = None
    reach: tuple[str, ...]
    secret_hash: str


class GrantRole(PrincipalCommand):
    """Give the principal ``role`` (replacing its role) with ``scopes`` or the defaults."""

    role: Role
    scopes: tuple[str, ...] | None = None


class RevokeRole(PrincipalCommand):
    """Take ``role`` away; the principal keeps no scope."""

    role: Role


class GrantScopes(PrincipalCommand):
    """Add scopes to those the principal holds."""

    scopes: tuple[str, ...]


class RevokeScopes(PrincipalCommand):
    """Remove scopes from those the principal holds."""

    scopes: tuple[str, ...]


class ChangeReach(PrincipalCommand):
    """Set the principal's areas to these wilayah prefixes."""

    reach: tuple[str, ...]


class ChangePassword(PrincipalCommand):
    """Replace a user's password hash."""

    secret_hash: str


class RotateSecret(PrincipalCommand):
    """Replace a client's secret hash."""

    secret_hash: str


class Disable(PrincipalCommand):
    """Stop the principal from logging in and void its tokens."""


class Enable(PrincipalCommand):
    """Let a disabled principal log in again."""
