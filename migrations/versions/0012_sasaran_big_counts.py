"""Sasaran counts in BIGINT columns: the projection holds every count a fact may hold.

Earlier versions stored, on SQLite, sasaran of 2^31 or more (on PostgreSQL the INTEGER
column refused them with a 500). Such facts stay in those logs for good, and a rebuild, or
a replay into PostgreSQL, must be able to project them; new writes are refused above
2^31 - 1 (``domain.values.Count``).

Create Date: 2026-12-07 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
_COUNTS = ("balita", "baduta")


def upgrade() -> None:
    with op.batch_alter_table("proj_area_sasaran") as table:
        for name in _COUNTS:
            table.alter_column(name, type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("proj_area_sasaran") as table:
        for name in _COUNTS:
            table.alter_column(name, type_=sa.Integer(), existing_nullable=False)
