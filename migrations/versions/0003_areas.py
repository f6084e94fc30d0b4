"""Areas: the desa/kelurahan read model and the yearly sasaran.

Create Date: 2026-11-23 15:53:18.910261
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shapes import table

revision: str = "0003"
down_revision: str | None = "0002"


def upgrade() -> None:
    table(
        "proj_area_sasaran",
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("balita", sa.Integer(), nullable=False),
        sa.Column("baduta", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", "year"),
    )
    table(
        "proj_areas",
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("kecamatan", sa.String(length=100), nullable=False),
        sa.Column("kota", sa.String(length=100), nullable=False),
        sa.Column("kampung_kb", sa.String(length=12), nullable=True),
        sa.Column("kampung_kb_since", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("registered_position", sa.BigInteger(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )


def downgrade() -> None:
    op.drop_table("proj_areas")
    op.drop_table("proj_area_sasaran")
