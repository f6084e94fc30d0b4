"""Sponsors: families and their members, sponsors, commitments and their deliveries.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "proj_families",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("desa", sa.String(length=13), nullable=False),
        sa.Column("krs", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_proj_families_desa", "proj_families", ["desa", "id"])
    op.create_table(
        "proj_members",
        sa.Column("kind", sa.String(length=6), nullable=False),
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("family_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("kind", "member_id", "family_id"),
    )
    op.create_table(
        "proj_sponsors",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("principal", sa.String(length=100), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_proj_sponsors_principal", "proj_sponsors", ["principal"])
    op.create_table(
        "proj_commitments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sponsor_id", sa.String(length=36), nullable=False),
        sa.Column("beneficiary_kind", sa.String(length=6), nullable=False),
        sa.Column("beneficiary_id", sa.String(length=36), nullable=False),
        sa.Column("desa", sa.String(length=13), nullable=False),
        sa.Column("aid", sa.String(length=14), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_proj_commitments_beneficiary",
        "proj_commitments",
        ["beneficiary_kind", "beneficiary_id"],
    )
    op.create_index("ix_proj_commitments_sponsor", "proj_commitments", ["sponsor_id", "id"])
    op.create_index("ix_proj_commitments_desa", "proj_commitments", ["desa", "id"])
    op.create_table(
        "proj_deliveries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("commitment_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    """Revert this revision."""
    for table in (
        "proj_deliveries",
        "proj_commitments",
        "proj_sponsors",
        "proj_members",
        "proj_families",
    ):
        op.drop_table(table)
