"""Area figures: residence spans and per-month figures of each child.

The ``figures`` projection is built from the log at start.

Create Date: 2026-11-28 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shapes import counts, table

revision: str = "0005"
down_revision: str | None = "0004"
_COUNTS = (
    "haz_valid",
    "stunted",
    "severely_stunted",
    "whz_valid",
    "wasted",
    "severely_wasted",
    "overweight",
    "waz_valid",
    "underweight",
    "incident",
    "first_measured_stunted",
    "flagged",
)


def upgrade() -> None:
    table(
        "proj_child_spans",
        sa.Column("child_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("desa", sa.String(length=13), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("child_id", "seq"),
        indexes={"ix_proj_child_spans_desa": ["desa", "starts_on"]},
    )
    table(
        "proj_child_months",
        sa.Column("child_id", sa.String(length=36), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("desa", sa.String(length=13), nullable=False),
        sa.Column("end_desa", sa.String(length=13), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("band", sa.String(length=5), nullable=False),
        *counts(_COUNTS),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("haz", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("child_id", "month"),
        indexes={"ix_proj_child_months_month_desa": ["month", "desa"]},
    )


def downgrade() -> None:
    op.drop_table("proj_child_months")  # its indexes go with it
    op.drop_table("proj_child_spans")
