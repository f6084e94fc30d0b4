"""Keys per person, failed logins counted for every worker, refresh tokens' absolute end.

``person_keys`` lists which data keys hold which person's personal data (docs/audit.md,
"Personal data and erasure"); ``login_failures`` counts failed logins per username and per
client address in the database, so every worker process sees them (docs/identity.md);
``refresh_tokens.family_expires_at`` is the end of a login, however often it is refreshed.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "person_keys",
        sa.Column("stream_id", sa.String(length=120), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("person", sa.String(length=120), nullable=False),
        sa.Column("key_id", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("stream_id", "subject", "person", "key_id"),
    )
    op.create_index("ix_person_keys_person", "person_keys", ["person"])
    op.create_table(
        "login_failures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failure", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_login_failures_last_failure", "login_failures", ["last_failure"])
    with op.batch_alter_table("refresh_tokens") as batch_op:
        batch_op.add_column(
            sa.Column("family_expires_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("refresh_tokens") as batch_op:
        batch_op.drop_column("family_expires_at")
    op.drop_index("ix_login_failures_last_failure", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index("ix_person_keys_person", table_name="person_keys")
    op.drop_table("person_keys")
