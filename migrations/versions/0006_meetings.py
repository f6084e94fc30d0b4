"""Meetings and resolutions: their read models and the areas each resolution concerns.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 04:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "proj_meetings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("area", sa.String(length=13), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_proj_meetings_area_date", "proj_meetings", ["area", "date"])
    op.create_index("ix_proj_meetings_date", "proj_meetings", ["date"])
    op.create_table(
        "proj_resolutions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("meeting_area", sa.String(length=13), nullable=False),
        sa.Column("office", sa.String(length=150), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_proj_resolutions_meeting", "proj_resolutions", ["meeting_id"])
    op.create_index("ix_proj_resolutions_status_due", "proj_resolutions", ["status", "due"])
    op.create_table(
        "proj_resolution_areas",
        sa.Column("resolution_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.PrimaryKeyConstraint("resolution_id", "code"),
    )
    op.create_index("ix_proj_resolution_areas_code", "proj_resolution_areas", ["code"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("proj_resolution_areas")
    op.drop_table("proj_resolutions")
    op.drop_table("proj_meetings")
