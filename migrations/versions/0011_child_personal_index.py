"""A partial index on each child's personal events (registration and its corrections).

A kota's figures list hundreds of new cases with their initials; each child's personal part
was found by reading its whole stream (a registration among dozens of measurements). The
predicate is written out as the queries state it (``events.statements.of_types``).

Create Date: 2026-11-29 12:00:00
"""

from __future__ import annotations

from alembic import op

from migrations.shapes import partial_index

revision: str = "0011"
down_revision: str | None = "0010"
_PERSONAL = "event_type IN ('child.registered', 'child.registration_corrected')"


def upgrade() -> None:
    partial_index("ix_events_child_personal", "events", ["stream_id", "stream_version"], _PERSONAL)


def downgrade() -> None:
    op.drop_index("ix_events_child_personal", table_name="events")
