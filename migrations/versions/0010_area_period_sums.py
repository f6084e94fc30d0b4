"""Area figures kept as sums per desa and period, and the children counted when read.

The ``figures`` projection is rebuilt from the log at the next start (its checkpoint is
removed here), which fills the new tables.

Create Date: 2026-11-29 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shapes import counts, partial_index, table

revision: str = "0010"
down_revision: str | None = "0009"
_COUNTS = (
    "present",
    "measured",
    "measured_valid_haz",
    "stunted",
    "severely_stunted",
    "measured_valid_whz",
    "wasted",
    "severely_wasted",
    "overweight",
    "measured_valid_waz",
    "underweight",
    "new_stunting",
    "incident",
    "first_measured_stunted",
    "flagged",
)


def upgrade() -> None:
    table(
        "proj_area_periods",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("desa", sa.String(length=13), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("band", sa.String(length=5), nullable=False),
        *counts(_COUNTS),
        sa.PrimaryKeyConstraint("period", "desa", "sex", "band"),
    )
    table(
        "proj_period_movers",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("desa", sa.String(length=13), nullable=False),
        sa.Column("child_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("period", "desa", "child_id"),
    )
    partial_index(
        "ix_proj_child_months_new_cases",
        "proj_child_months",
        ["month", "desa"],
        "incident = 1 OR first_measured_stunted = 1",
    )
    op.execute("DELETE FROM proj_child_months")
    op.execute("DELETE FROM proj_child_spans")
    op.execute("DELETE FROM projection_checkpoints WHERE name = 'figures'")


def downgrade() -> None:
    op.drop_index("ix_proj_child_months_new_cases", table_name="proj_child_months")
    op.drop_table("proj_period_movers")
    op.drop_table("proj_area_periods")
