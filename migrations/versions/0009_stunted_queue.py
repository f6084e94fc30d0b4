"""An index for the unsponsored-stunted queue: stunted children, oldest case first.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 06:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_index(
        "ix_proj_children_stunted_since",
        "proj_children",
        ["first_stunted_on", "child_id"],
        postgresql_where=sa.text("stunted IS TRUE"),
        sqlite_where=sa.text("stunted = 1"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_proj_children_stunted_since", table_name="proj_children")
