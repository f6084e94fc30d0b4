"""Sponsors: families and their members, sponsors, commitments and their deliveries.

Create Date: 2026-11-29 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shapes import read_model, table

revision: str = "0007"
down_revision: str | None = "0006"


def upgrade() -> None:
    read_model(
        "proj_families",
        sa.Column("desa", sa.String(length=13), nullable=False),
        sa.Column("krs", sa.Boolean(), nullable=False),
        indexes={"ix_proj_families_desa": ["desa", "id"]},
    )
    table(
        "proj_members",
        sa.Column("kind", sa.String(length=6), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("kind", "member_id", "family_id"),
    )
    read_model(
        "proj_sponsors",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("principal", sa.String(length=100), nullable=True),
        indexes={"ix_proj_sponsors_principal": ["principal"]},
    )
    read_model(
        "proj_commitments",
        sa.Column("sponsor_id", sa.String(length=36), nullable=False),
        sa.Column("beneficiary_kind", sa.String(length=6), nullable=False),
        sa.Column("beneficiary_id", sa.String(length=36), nullable=False),
        sa.Column("desa", sa.String(length=13), nullable=False),
        sa.Column("aid", sa.String(length=14), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        indexes={
            "ix_proj_commitments_beneficiary": ["beneficiary_kind", "beneficiary_id"],
            "ix_proj_commitments_sponsor": ["sponsor_id", "id"],
            "ix_proj_commitments_desa": ["desa", "id"],
        },
    )
    table(
        "proj_deliveries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("commitment_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    for name in (
        "proj_deliveries",
        "proj_commitments",
        "proj_sponsors",
        "proj_members",
        "proj_families",
    ):
        op.drop_table(name)
