"""Webhooks: subscriptions, each subscription's cursor in the log, its dead letters.

Create Date: 2026-11-29 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shapes import read_model, table

revision: str = "0008"
down_revision: str | None = "0007"


def upgrade() -> None:
    read_model(
        "proj_subscriptions",
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        indexes={"ix_proj_subscriptions_owner": ["owner"]},
    )
    table(
        "webhook_cursors",
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("subscription_id"),
    )
    table(
        "webhook_dead_letters",
        sa.Column("subscription_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subscription_id", "position"),
    )


def downgrade() -> None:
    op.drop_table("webhook_dead_letters")
    op.drop_table("webhook_cursors")
    op.drop_table("proj_subscriptions")
