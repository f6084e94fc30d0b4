"""Children: the child read model and the measurement history with assessments.

Create Date: 2026-11-23 15:56:05.668619
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shapes import table, timestamps

revision: str = "0004"
down_revision: str | None = "0003"


def upgrade() -> None:
    table(
        "proj_children",
        sa.Column("child_id", sa.String(length=36), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("desa", sa.String(length=13), nullable=False),
        sa.Column("posyandu", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("moved_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("measurement_count", sa.Integer(), nullable=False),
        sa.Column("latest_event_id", sa.String(length=36), nullable=True),
        sa.Column("latest_measured_on", sa.Date(), nullable=True),
        sa.Column("latest", sa.Text(), nullable=True),
        sa.Column("stunted", sa.Boolean(), nullable=True),
        sa.Column("severely_stunted", sa.Boolean(), nullable=True),
        sa.Column("wasted", sa.Boolean(), nullable=True),
        sa.Column("underweight", sa.Boolean(), nullable=True),
        sa.Column("first_stunted_on", sa.Date(), nullable=True),
        sa.Column("new_stunting_case", sa.Boolean(), nullable=False),
        sa.Column("rule_version", sa.String(length=60), nullable=False),
        *timestamps(),
        sa.PrimaryKeyConstraint("child_id"),
        indexes={"ix_proj_children_desa_child": ["desa", "child_id"]},
    )
    table(
        "proj_measurements",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("child_id", sa.String(length=36), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("measurement", sa.Text(), nullable=False),
        sa.Column("assessment", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
        indexes={"ix_proj_measurements_child_id": ["child_id"]},
    )


def downgrade() -> None:
    op.drop_table("proj_measurements")  # its indexes go with it
    op.drop_table("proj_children")
