"""Area figures: residence spans and per-month figures of each child.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None
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
    """Apply this revision (the ``figures`` projection is built from the log at start)."""
    op.create_table(
        "proj_child_spans",
        sa.Column("child_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("desa", sa.String(length=13), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("child_id", "seq"),
    )
    op.create_index("ix_proj_child_spans_desa", "proj_child_spans", ["desa", "starts_on"])
    op.create_table(
        "proj_child_months",
        sa.Column("child_id", sa.String(length=36), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("desa", sa.String(length=13), nullable=False),
        sa.Column("end_desa", sa.String(length=13), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("band", sa.String(length=5), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTS),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("haz", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("child_id", "month"),
    )
    op.create_index("ix_proj_child_months_month_desa", "proj_child_months", ["month", "desa"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_proj_child_months_month_desa", table_name="proj_child_months")
    op.drop_table("proj_child_months")
    op.drop_index("ix_proj_child_spans_desa", table_name="proj_child_spans")
    op.drop_table("proj_child_spans")
