"""The principal aggregate: who a user or client is, what it may do, and where."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar, Final

from domain.access import CLIENT_ROLES, USER_ROLES, Role, check_ceiling, parse_scopes, scopes_for
from domain.fact import DomainError, Fact, StateConflict
from domain.principal import commands as c
from domain.principal import events as e
from domain.streams import StreamDecider, starts_stream
from domain.wilayah import normalise_reach

NAME: Final = re.compile(r"[a-z0-9][a-z0-9._-]{2,62}")
STREAM_PREFIX: Final = "principal-"


def stream_id(name: str) -> str:
    """The stream of the principal called ``name`` (one stream per login name)."""
    return STREAM_PREFIX + name


@dataclass(frozen=True)
class PrincipalState:
    """A principal as its history leaves it."""

    exists: bool = False
    kind: e.PrincipalKind = e.PrincipalKind.USER
    name: str = ""
    role: Role | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    reach: tuple[str, ...] = ()
    secret_hash: str = ""
    disabled: bool = False


@starts_stream
def _create(command: c.CreatePrincipal, state: PrincipalState) -> list[Fact]:
    if state.exists:
        raise StateConflict("a principal with this name exists already", field="name")
    if not NAME.fullmatch(command.name):
        raise DomainError(
            "a name has 3 to 63 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit",
            field="name",
        )
    _check_role(command.kind, command.role)
    _check_secret(command.secret_hash)
    return [
        e.PrincipalCreated(
            occurred_at=command.at,
            kind=command.kind,
            name=command.name,
            role=command.role,
            scopes=tuple(sorted(scopes_for(command.role, command.scopes))),
            reach=_reach(command.reach),
            secret_hash=command.secret_hash,
        )
    ]


def _grant_role(command: c.GrantRole, state: PrincipalState) -> list[Fact]:
    _check_role(state.kind, command.role)
    scopes = scopes_for(command.role, command.scopes)
    if state.role == command.role and state.scopes == scopes:
        return []
    return [e.RoleGranted(occurred_at=command.at, role=command.role, scopes=tuple(sorted(scopes)))]


def _revoke_role(command: c.RevokeRole, state: PrincipalState) -> list[Fact]:
    if state.role != command.role:
        raise StateConflict("the principal does not hold this role", field="role")
    return [e.RoleRevoked(occurred_at=command.at, role=command.role)]


def _grant_scopes(command: c.GrantScopes, state: PrincipalState) -> list[Fact]:
    if state.role is None:
        raise StateConflict("grant the principal a role first", field="role")
    added = parse_scopes(command.scopes) - state.scopes
    check_ceiling(state.role, added)
    return [e.ScopesGranted(occurred_at=command.at, scopes=tuple(sorted(added)))] if added else []


def _revoke_scopes(command: c.RevokeScopes, state: PrincipalState) -> list[Fact]:
    removed = parse_scopes(command.scopes) & state.scopes
    if not removed:
        return []
    return [e.ScopesRevoked(occurred_at=command.at, scopes=tuple(sorted(removed)))]


def _change_reach(command: c.ChangeReach, state: PrincipalState) -> list[Fact]:
    reach = _reach(command.reach)
    return [] if reach == state.reach else [e.ReachChanged(occurred_at=command.at, reach=reach)]


def _change_password(command: c.ChangePassword, state: PrincipalState) -> list[Fact]:
    if state.kind is not e.PrincipalKind.USER:
        raise DomainError("a client has a secret, not a password: rotate it instead")
    _check_secret(command.secret_hash)
    return [e.PasswordChanged(occurred_at=command.at, secret_hash=command.secret_hash)]


def _rotate_secret(command: c.RotateSecret, state: PrincipalState) -> list[Fact]:
    if state.kind is not e.PrincipalKind.CLIENT:
        raise DomainError("a user has a password, not a secret: change it instead")
    _check_secret(command.secret_hash)
    return [e.SecretRotated(occurred_at=command.at, secret_hash=command.secret_hash)]


def _disable(command: c.Disable, state: PrincipalState) -> list[Fact]:
    if state.disabled:
        raise StateConflict("the principal is disabled already")
    return [e.PrincipalDisabled(occurred_at=command.at)]


def _enable(command: c.Enable, state: PrincipalState) -> list[Fact]:
    if not state.disabled:
        raise StateConflict("the principal is not disabled")
    return [e.PrincipalEnabled(occurred_at=command.at)]


def _check_role(kind: e.PrincipalKind, role: Role) -> None:
    allowed = USER_ROLES if kind is e.PrincipalKind.USER else CLIENT_ROLES
    if role not in allowed:
        names = ", ".join(sorted(allowed))
        raise DomainError(f"a {kind.value} may have one of the roles {names}", field="role")


def _check_secret(secret_hash: str) -> None:
    # The domain only sees hashes; a plain secret here would be stored in the log.
    if not secret_hash.startswith("$argon2"):
        raise DomainError("the secret must arrive hashed with Argon2", field="secret_hash")


def _reach(prefixes: Sequence[str]) -> tuple[str, ...]:
    reach = normalise_reach(prefixes)
    if not reach:
        raise DomainError("a principal needs at least one area (or * for all)", field="reach")
    return reach


def _created(state: PrincipalState, fact: e.PrincipalCreated) -> PrincipalState:
    scopes = frozenset(fact.scopes)
    return PrincipalState(
        True, fact.kind, fact.name, fact.role, scopes, fact.reach, fact.secret_hash
    )


def _role_granted(state: PrincipalState, fact: e.RoleGranted) -> PrincipalState:
    return replace(state, role=fact.role, scopes=frozenset(fact.scopes))


def _role_revoked(state: PrincipalState, fact: e.RoleRevoked) -> PrincipalState:
    return replace(state, role=None, scopes=frozenset())


def _scopes_granted(state: PrincipalState, fact: e.ScopesGranted) -> PrincipalState:
    return replace(state, scopes=state.scopes | set(fact.scopes))


def _scopes_revoked(state: PrincipalState, fact: e.ScopesRevoked) -> PrincipalState:
    return replace(state, scopes=state.scopes - set(fact.scopes))


def _reach_changed(state: PrincipalState, fact: e.ReachChanged) -> PrincipalState:
    return replace(state, reach=fact.reach)


def _secret_changed(
    state: PrincipalState, fact: e.PasswordChanged | e.SecretRotated
) -> PrincipalState:
    return replace(state, secret_hash=fact.secret_hash)


def _switched(
    state: PrincipalState, fact: e.PrincipalDisabled | e.PrincipalEnabled
) -> PrincipalState:
    return replace(state, disabled=isinstance(fact, e.PrincipalDisabled))


class PrincipalDecider(StreamDecider[c.PrincipalCommand, PrincipalState]):
    """Decides principal commands; pure."""

    stream_type: ClassVar[str] = "principal"
    snapshots = False  # its state holds the secret's hash: kept in the log alone
    missing = "there is no principal with this name"
    rules = (
        _create,
        _grant_role,
        _revoke_role,
        _grant_scopes,
        _revoke_scopes,
        _change_reach,
        _change_password,
        _rotate_secret,
        _disable,
        _enable,
    )
    changes = (
        _created,
        _role_granted,
        _role_revoked,
        _scopes_granted,
        _scopes_revoked,
        _reach_changed,
        _secret_changed,
        _switched,
    )
