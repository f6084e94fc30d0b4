"""Who may do what, where: the one table of roles and scopes, and the reach rules.

A *scope* names a kind of action (``children:read``); a *role* names a job in the
programme and brings default scopes, of which a principal may be granted fewer (or, for
``auditor`` and the clients, more): a role's defaults are its ceiling. A principal's
*reach* is a set of wilayah prefixes. It *sees* what touches its reach (a camat reads the
kota's rakor) and *changes* only what lies wholly inside it. New features add their scopes
here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from domain import wilayah
from domain.fact import DomainError
from domain.roles import Role as Role  # noqa: PLC0414 - re-exported: the CLI imports it alone

T = TypeVar("T")

SCOPES: Final[dict[str, str]] = {
    "areas:read": "read desa/kelurahan and their figures",
    "areas:write": "change desa/kelurahan data (sasaran, Kampung KB)",
    "children:read": "read children and their measurements (personal fields masked)",
    "children:write": "register children and correct their records",
    "measurements:write": "record measurements",
    "pii:read": "see personal fields (names, NIK, address) unmasked",
    "pii:erase": "erase a person's personal data at her request (UU PDP)",
    "events:read": "read and verify the event log",
    "principals:admin": "manage users, clients, roles and reach",
    "meetings:read": "read meetings, their reports and minutes, and resolutions",
    "meetings:write": "plan and record meetings, reports and resolutions",
    "sponsors:read": "read sponsors, families, commitments, deliveries and their queues",
    "sponsors:write": "register families and sponsors, record commitments and deliveries",
    "deliveries:verify": "verify or reject a delivery (TPK, bidan)",
    "webhooks:manage": "subscribe a third-party app's URL to the log (webhooks)",
    "exchange:read": "export data for the BKKBN exchange",
    "exchange:write": "import data from the BKKBN exchange",
}


_FIELD_WORK: Final = frozenset(
    {"areas:read", "children:read", "children:write", "measurements:write", "pii:read"}
)
_SPONSORING: Final = frozenset({"sponsors:read", "sponsors:write"})
ROLE_SCOPES: Final[dict[Role, frozenset[str]]] = {
    Role.ADMIN: frozenset(SCOPES),
    Role.TPPS: _FIELD_WORK
    | _SPONSORING
    | {"areas:write", "events:read", "meetings:read", "meetings:write"},
    Role.KADER: _FIELD_WORK,
    Role.BIDAN: _FIELD_WORK | _SPONSORING | {"deliveries:verify"},
    Role.TPK: _FIELD_WORK | _SPONSORING | {"deliveries:verify"},
    Role.KECAMATAN: frozenset(
        {"areas:read", "children:read", "meetings:read", "meetings:write", "sponsors:read"}
    ),
    Role.AUDITOR: frozenset(
        {"areas:read", "children:read", "events:read", "meetings:read", "sponsors:read"}
    ),
    Role.INTEGRATOR: frozenset(),  # only what is granted
    Role.BKKBN: frozenset({"areas:read", "exchange:read", "exchange:write"}),
    Role.SPONSOR: frozenset({"sponsors:read"}),
}
CLIENT_ROLES: Final = frozenset({Role.INTEGRATOR, Role.BKKBN})
USER_ROLES: Final = frozenset(Role) - CLIENT_ROLES
# Roles whose defaults are no ceiling: an auditor may be granted pii:read, a client what its
# integration needs. Every other role holds at most its defaults.
UNCAPPED_ROLES: Final = CLIENT_ROLES | {Role.AUDITOR}
# Roles that act for one party (a sponsor login for its sponsor): they read that party's own
# records and never an area's lists, queues or figures, whatever their scopes.
OWN_RECORDS_ONLY: Final = frozenset({Role.SPONSOR})
# The scope that reads each kind of stream sent to webhook subscribers; an event type's
# first word is its stream's kind (``child.measurement_recorded``).
STREAM_READ_SCOPES: Final[dict[str, str]] = {
    "area": "areas:read",
    "child": "children:read",
    "meeting": "meetings:read",
    "resolution": "meetings:read",
    "family": "sponsors:read",
    "sponsor": "sponsors:read",
    "commitment": "sponsors:read",
}


class UnknownScope(DomainError):
    """A scope name that is not in the table."""

    code = "unknown-scope"


class ScopeAboveRole(DomainError):
    """A scope beyond the role's ceiling (a sponsor granted ``children:read``)."""

    code = "scope-above-role"


class Forbidden(DomainError):
    """The caller is known and may see the thing, but not do this with it: 403."""

    status = 403
    code = "forbidden"


def parse_scopes(names: Iterable[str], *, field: str = "scope") -> frozenset[str]:
    """Known scope names, or a refusal naming the first unknown one."""
    chosen = frozenset(n.strip() for n in names if n.strip())
    unknown = sorted(chosen - SCOPES.keys())
    if unknown:
        raise UnknownScope(f"there is no scope named {unknown[0]}", field=field)
    return chosen


def scopes_for(role: Role, granted: Iterable[str] | None = None) -> frozenset[str]:
    """The scopes a principal of ``role`` holds: those granted, else the role's defaults."""
    if granted is None:
        return ROLE_SCOPES[role]
    chosen = parse_scopes(granted)
    check_ceiling(role, chosen)
    return chosen


def ceiling(role: Role) -> frozenset[str]:
    """The most a principal of ``role`` may hold: its defaults, or every scope for the
    auditor and the clients."""
    return frozenset(SCOPES) if role in UNCAPPED_ROLES else ROLE_SCOPES[role]


def check_ceiling(role: Role, scopes: Iterable[str]) -> None:
    """Refuse scopes beyond the role's ceiling, naming the first."""
    above = sorted(frozenset(scopes) - ceiling(role))
    if above:
        raise ScopeAboveRole(
            f"the role {role.value} holds at most its default scopes; {above[0]} is not "
            "among them (only an auditor or a client may be granted more)",
            field="scope",
        )


def scope_text(scopes: Iterable[str]) -> str:
    """Scopes as the space-separated, sorted text OAuth2 uses."""
    return " ".join(sorted(scopes))


@dataclass(frozen=True)
class Reach:
    """The areas a principal may see and change: a set of wilayah prefixes."""

    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, prefixes: Iterable[str]) -> Reach:
        """A reach from prefixes in any accepted form (dotted, undotted or ``*``)."""
        return cls(wilayah.normalise_reach(prefixes))

    @property
    def everywhere(self) -> bool:
        """Whether the reach is the whole installation."""
        return wilayah.EVERYWHERE in self.prefixes

    def covers(self, code: str | None) -> bool:
        """Whether the area ``code`` lies inside the reach (None: only for everywhere)."""
        return self.everywhere if code is None else wilayah.within(self.prefixes, code)

    def filter(self, items: Iterable[T], area: Callable[[T], str | None]) -> Iterator[T]:
        """The items whose area lies inside the reach."""
        return (item for item in items if self.covers(area(item)))

    def sees(self, areas: Sequence[str]) -> bool:
        """Read reach: whether one of ``areas`` lies inside the reach or holds part of it
        (a camat sees the kota's rakor); with no area (installation-wide) only everywhere."""
        if self.everywhere or not areas:
            return self.everywhere
        return any(
            wilayah.covers(prefix, code) or wilayah.covers(code, prefix)
            for prefix in self.prefixes
            for code in areas
        )

    def changes(self, areas: Sequence[str]) -> bool:
        """Write reach: whether every one of ``areas`` lies inside the reach; with no area
        (installation-wide) only everywhere. A parent area is not inside a child's reach."""
        if self.everywhere or not areas:
            return self.everywhere
        return all(self.covers(code) for code in areas)
