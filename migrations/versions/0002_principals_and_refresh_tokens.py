"""Identity: the principals read model and the refresh-token families.

Create Date: 2026-11-23 14:56:59.222385
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shapes import table, timestamps

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    table(
        "proj_principals",
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("reach", sa.Text(), nullable=False),
        sa.Column("secret_hash", sa.String(length=200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *timestamps(),
        sa.PrimaryKeyConstraint("name"),
    )
    table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.Column("principal", sa.String(length=63), nullable=False),
        sa.Column("client", sa.String(length=63), nullable=True),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_hash"),
        indexes={
            "ix_refresh_tokens_family_id": ["family_id"],
            "ix_refresh_tokens_principal": ["principal"],
        },
    )


def downgrade() -> None:
    op.drop_table("refresh_tokens")  # its indexes go with it
    op.drop_table("proj_principals")
