"""Decision snapshots: each stream's decision state beside its events.

``stream_decisions`` holds, per stream, the state its decider reaches and the stream's
version then, written in the append's transaction (events/decisions.py); a write reads it
instead of folding the stream's whole history. It starts empty: a stream without a row is
folded as before, and its next write stores the row.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 00:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "stream_decisions",
        sa.Column("stream_id", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("shape", sa.String(length=80), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("stream_id"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("stream_decisions")
