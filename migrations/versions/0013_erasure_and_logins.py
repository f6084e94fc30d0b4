"""Keys per person, failed logins counted for every worker, refresh tokens' absolute end.

``person_keys`` lists which data keys hold which person's personal data (docs/audit.md,
"Personal data and erasure"); ``login_failures`` counts failed logins per username and per
client address in the database, so every worker process sees them (docs/identity.md);
``refresh_tokens.family_expires_at`` is the end of a login, however often it is refreshed.

Create Date: 2026-12-08 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shapes import table

revision: str = "0013"
down_revision: str | None = "0012"


def upgrade() -> None:
    table(
        "person_keys",
        sa.Column("stream_id", sa.String(length=120), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.Column("person", sa.String(length=120), nullable=False),
        sa.Column("key_id", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("stream_id", "subject", "person", "key_id"),
        indexes={"ix_person_keys_person": ["person"]},
    )
    table(
        "login_failures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failure", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
        indexes={"ix_login_failures_last_failure": ["last_failure"]},
    )
    with op.batch_alter_table("refresh_tokens") as batch_op:
        batch_op.add_column(
            sa.Column("family_expires_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens") as batch_op:
        batch_op.drop_column("family_expires_at")
    op.drop_table("login_failures")  # its indexes go with it
    op.drop_table("person_keys")
