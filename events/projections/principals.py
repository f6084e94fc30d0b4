"""The principals read model: one row per user or client, for login and per-request checks.

It holds the password or secret hash so that login needs no replay; the hash never leaves
the service (answers and logs show everything else).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import Boolean, Column, Connection, Integer, String, Table, Text, bindparam, select
from sqlalchemy.engine import Row

from domain.access import Role
from domain.principal.decider import STREAM_PREFIX, PrincipalDecider, PrincipalState
from domain.principal.events import PRINCIPAL_FACTS, PrincipalKind
from events import sql
from events.envelope import RecordedEvent
from events.projections.upsert import upsert
from events.registry import Registry
from events.schema import instant_column, metadata

principals = Table(
    "proj_principals",
    metadata,
    Column("name", String(63), primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("role", String(20), nullable=True),
    Column("scopes", Text, nullable=False),  # space-separated, sorted
    Column("reach", Text, nullable=False),  # space-separated wilayah prefixes
    Column("secret_hash", String(200), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    instant_column("created_at", nullable=False),
    instant_column("updated_at", nullable=False),
)


_STANDING = select(principals.c.version, principals.c.disabled).where(
    principals.c.name == bindparam("name")
)


@dataclass(frozen=True)
class PrincipalRecord:
    """A principal as the read model holds it, with its stream version."""

    state: PrincipalState
    version: int

    @property
    def name(self) -> str:
        """The login name (username or client id), also the token's ``sub``."""
        return self.state.name


class PrincipalIndex:
    """Keeps ``proj_principals`` in step with the principal streams."""

    name: ClassVar[str] = "principals"
    tables: ClassVar[tuple[Table, ...]] = (principals,)
    event_types: ClassVar[frozenset[str] | None] = frozenset(f.event_type for f in PRINCIPAL_FACTS)
    write_only: ClassVar[bool] = False  # reads the current row first
    stream_local: ClassVar[bool] = False

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.decider = PrincipalDecider()

    def apply(self, conn: Connection, batch: Sequence[RecordedEvent]) -> None:
        """Fold each touched principal forward from its row, then write the rows back."""
        names = {_name(e) for e in batch}
        rows = {
            r.name: r
            for r in conn.execute(select(principals).where(principals.c.name.in_(sorted(names))))
        }
        states = {n: _state(rows[n]) for n in rows}
        created = {n: rows[n].created_at for n in rows}
        latest: dict[str, RecordedEvent] = {}
        for event in batch:
            name = _name(event)
            state = states.get(name, self.decider.initial_state())
            states[name] = self.decider.evolve(state, self.registry.to_fact(event))
            created.setdefault(name, event.recorded_at)
            latest[name] = event
        upsert(
            conn, principals, [_row(states[n], e, created[n]) for n, e in latest.items()], ["name"]
        )


def find(conn: Connection, name: str) -> PrincipalRecord | None:
    """The principal called ``name``, or None."""
    row = conn.execute(select(principals).where(principals.c.name == name)).first()
    return None if row is None else PrincipalRecord(_state(row), row.version)


def standing(reader: sql.Reader, name: str) -> tuple[int, bool] | None:
    """The principal's version and whether it is disabled (the per-request check), or None."""
    # Prebuilt, on a bare connection without a transaction: this runs on every request.
    rows = sql.fetch_on(reader.dialect, reader.driver, _STANDING, {"name": name})
    return None if not rows else (int(rows[0][0]), bool(rows[0][1]))


async def standing_async(reader: sql.AsyncReader, name: str) -> tuple[int, bool] | None:
    """``standing`` for a coroutine."""
    rows = await reader.rows(_STANDING, {"name": name})
    return None if not rows else (int(rows[0]["version"]), bool(rows[0]["disabled"]))


def all_principals(conn: Connection) -> list[PrincipalRecord]:
    """Every principal, by name."""
    rows = conn.execute(select(principals).order_by(principals.c.name))
    return [PrincipalRecord(_state(row), row.version) for row in rows]


def _name(event: RecordedEvent) -> str:
    return event.stream_id.removeprefix(STREAM_PREFIX)


def _state(row: Row[tuple[object, ...]]) -> PrincipalState:
    m = row._mapping
    return PrincipalState(
        exists=True,
        kind=PrincipalKind(m["kind"]),
        name=str(m["name"]),
        role=None if m["role"] is None else Role(m["role"]),
        scopes=frozenset(str(m["scopes"]).split()),
        reach=tuple(str(m["reach"]).split()),
        secret_hash=str(m["secret_hash"]),
        disabled=bool(m["disabled"]),
    )


def _row(state: PrincipalState, last: RecordedEvent, created_at: object) -> dict[str, object]:
    return {
        "name": state.name,
        "kind": state.kind.value,
        "role": None if state.role is None else state.role.value,
        "scopes": " ".join(sorted(state.scopes)),
        "reach": " ".join(state.reach),
        "secret_hash": state.secret_hash,
        "disabled": state.disabled,
        "version": last.stream_version,
        "created_at": created_at,
        "updated_at": last.recorded_at,
    }
