"""The read models that keep each stream's decided state: one row per stream, keyed by its
id, with the columns the lists filter on, the stream's version and the state its decider
folds (``domain/*/decider``), kept as JSON, so the read model can never disagree with what a
command would see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Column, Connection, Integer, Select, Table, Text, select
from sqlalchemy.schema import SchemaItem

from events.schema import id_column, metadata

StateT = TypeVar("StateT", bound=BaseModel)


def decided_table(name: str, *items: SchemaItem) -> Table:
    """The table ``name`` of a decider's streams: ``id``, the columns and indexes ``items``,
    then ``version`` and ``state``."""
    return Table(
        name,
        metadata,
        id_column("id", primary_key=True),
        *items,
        Column("version", Integer, nullable=False),
        Column("state", Text, nullable=False),
    )


def decided_row(key: str, state: BaseModel, version: int, **columns: Any) -> dict[str, Any]:
    """The row of the stream ``key`` at ``version``: its ``columns`` and its state."""
    return {"id": key, **columns, "version": version, "state": state.model_dump_json()}


def stored_state(
    conn: Connection, table: Table, model: type[StateT], key: str
) -> tuple[StateT, int] | None:
    """The stored state of the stream ``key`` and its version, or None."""
    row = conn.execute(select(table.c.state, table.c.version).where(table.c.id == key)).first()
    return None if row is None else (model.model_validate_json(row.state), int(row.version))


def states_of(table: Table) -> Select[Any]:
    """The ids, states and versions of ``table``, for a list to narrow and order."""
    return select(table.c.id, table.c.state, table.c.version)


def listed(
    conn: Connection, query: Select[Any], parse: Callable[[str], StateT]
) -> list[tuple[str, StateT, int]]:
    """Each row of ``query`` (a narrowed ``states_of``): id, state parsed, version."""
    return [(r.id, parse(r.state), int(r.version)) for r in conn.execute(query)]
