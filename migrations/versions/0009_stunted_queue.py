"""An index for the unsponsored-stunted queue: stunted children, oldest case first.

Create Date: 2026-11-29 06:10:00.000000
"""

from __future__ import annotations

from alembic import op

from migrations.shapes import partial_index

revision: str = "0009"
down_revision: str | None = "0008"


def upgrade() -> None:
    partial_index(
        "ix_proj_children_stunted_since",
        "proj_children",
        ["first_stunted_on", "child_id"],
        where="stunted IS TRUE",
        sqlite_where="stunted = 1",
    )


def downgrade() -> None:
    op.drop_index("ix_proj_children_stunted_since", table_name="proj_children")
