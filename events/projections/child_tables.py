"""The child read models' tables: ``proj_children`` (current status) and
``proj_measurements`` (history), and the index that finds a child's personal events."""

from __future__ import annotations

from typing import Any, Final

import orjson
from sqlalchemy import BigInteger, Boolean, Column, Date, Index, Integer, String, Table, Text, text

from domain.child import events as e
from events import statements
from events.schema import code_column, events, id_column, instant_column, metadata

Json = dict[str, Any]


children = Table(
    "proj_children",
    metadata,
    id_column("child_id", primary_key=True),
    Column("sex", String(1), nullable=False),
    Column("birth_date", Date, nullable=False),
    code_column("desa", nullable=False),
    Column("posyandu", String(120), nullable=False),
    Column("status", String(12), nullable=False),  # active, died, moved_out
    Column("moved_on", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("measurement_count", Integer, nullable=False),
    id_column("latest_event_id", nullable=True),
    Column("latest_measured_on", Date, nullable=True),
    Column("latest", Text, nullable=True),  # JSON: values and assessment
    Column("stunted", Boolean, nullable=True),
    Column("severely_stunted", Boolean, nullable=True),
    Column("wasted", Boolean, nullable=True),
    Column("underweight", Boolean, nullable=True),
    Column("first_stunted_on", Date, nullable=True),
    Column("new_stunting_case", Boolean, nullable=False),
    Column("rule_version", String(60), nullable=False),
    instant_column("created_at", nullable=False),
    instant_column("updated_at", nullable=False),
    Index("ix_proj_children_desa_child", "desa", "child_id"),
    # The unsponsored-stunted queue walks stunted children oldest case first.
    Index(
        "ix_proj_children_stunted_since",
        "first_stunted_on",
        "child_id",
        postgresql_where=text("stunted IS TRUE"),
        sqlite_where=text("stunted = 1"),
    ),
)

measurements = Table(
    "proj_measurements",
    metadata,
    id_column("event_id", primary_key=True),
    id_column("child_id", nullable=False, index=True),
    Column("measured_on", Date, nullable=False),
    Column("position", BigInteger, nullable=False),  # log position of the first recording
    Column("state", String(10), nullable=False),  # recorded, corrected, voided
    Column("measurement", Text, nullable=False),  # JSON of the current values
    Column("assessment", Text, nullable=True),  # JSON; null when the dates do not allow one
    instant_column("recorded_at", nullable=False),
    instant_column("updated_at", nullable=False),
)

PERSONAL_TYPES: Final = (e.ChildRegistered.event_type, e.RegistrationCorrected.event_type)
"""The child events that may carry a personal part."""

# A child's personal events among its dozens of measurements: a kota's new cases read
# their initials through this index (a couple of rows a child, not a whole stream).
Index(
    "ix_events_child_personal",
    events.c.stream_id,
    events.c.stream_version,
    postgresql_where=statements.of_types(PERSONAL_TYPES),
    sqlite_where=statements.of_types(PERSONAL_TYPES),
)


def loads(text: str | None) -> Json | None:
    """A JSON column's value decoded (None stays None)."""
    return None if text is None else dict(orjson.loads(text))
