"""Meetings and resolutions: their read models and the areas each resolution concerns.

Create Date: 2026-11-29 04:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shapes import read_model, table

revision: str = "0006"
down_revision: str | None = "0005"


def upgrade() -> None:
    read_model(
        "proj_meetings",
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("area", sa.String(length=13), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        indexes={"ix_proj_meetings_area_date": ["area", "date"], "ix_proj_meetings_date": ["date"]},
    )
    read_model(
        "proj_resolutions",
        sa.Column("meeting_id", sa.String(length=36), nullable=False),
        sa.Column("meeting_area", sa.String(length=13), nullable=False),
        sa.Column("office", sa.String(length=150), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        indexes={
            "ix_proj_resolutions_meeting": ["meeting_id"],
            "ix_proj_resolutions_status_due": ["status", "due"],
        },
    )
    table(
        "proj_resolution_areas",
        sa.Column("resolution_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.PrimaryKeyConstraint("resolution_id", "code"),
        indexes={"ix_proj_resolution_areas_code": ["code"]},
    )


def downgrade() -> None:
    op.drop_table("proj_resolution_areas")
    op.drop_table("proj_resolutions")
    op.drop_table("proj_meetings")
