"""Who may do what, where: the one table of roles and scopes, and the reach check.

A *scope* names a kind of action (``children:read``); a *role* names a job in the
programme and brings default scopes, of which a principal may be granted fewer (or, for
``auditor`` and the clients, more). A principal's *reach* is a set of wilayah prefixes; it
sees and changes only what lies inside them. New features add their scopes here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, TypeVar

from domain import wilayah
from domain.fact import DomainError

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


class Role(StrEnum):
    """A principal's job in the programme; explained once here.

    ``tpps``: Tim Percepatan Penurunan Stunting of the kota/kab (DPPKB, DP3APMP2KB);
    ``kader``: village cadre; ``bidan``: village midwife; ``tpk``: Tim Pendamping Keluarga;
    ``kecamatan``: the camat's office or puskesmas; ``integrator``: a third-party app;
    ``bkkbn``: the national family-planning board's data exchange; ``sponsor``: an orang
    tua asuh acting for one sponsor (its own commitments only, children masked).
    """

    ADMIN = "admin"
    TPPS = "tpps"
    KADER = "kader"
    BIDAN = "bidan"
    TPK = "tpk"
    KECAMATAN = "kecamatan"
    AUDITOR = "auditor"
    INTEGRATOR = "integrator"
    BKKBN = "bkkbn"
    SPONSOR = "sponsor"


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


class UnknownScope(DomainError):
    """A scope name that is not in the table."""

    code = "unknown-scope"


def parse_scopes(names: Iterable[str], *, field: str = "scope") -> frozenset[str]:
    """Known scope names, or a refusal naming the first unknown one."""
    chosen = frozenset(n.strip() for n in names if n.strip())
    unknown = sorted(chosen - SCOPES.keys())
    if unknown:
        raise UnknownScope(f"there is no scope named {unknown[0]}", field=field)
    return chosen


def scopes_for(role: Role, granted: Iterable[str] | None = None) -> frozenset[str]:
    """The scopes a principal of ``role`` holds: those granted, else the role's defaults."""
    return ROLE_SCOPES[role] if granted is None else parse_scopes(granted)


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
