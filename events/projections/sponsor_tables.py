"""The tables of the families, sponsors and commitments read models."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, String, Table

from events.projections.decided import decided_table
from events.schema import code_column, id_column, metadata

families = decided_table(
    "proj_families",
    code_column("desa", nullable=False),
    Column("krs", Boolean, nullable=False),
    Index("ix_proj_families_desa", "desa", "id"),
)

members = Table(
    "proj_members",
    metadata,
    Column("kind", String(6), primary_key=True),  # child, mother
    id_column("member_id", primary_key=True),
    id_column("family_id", primary_key=True),
)

sponsors = decided_table(
    "proj_sponsors",
    Column("kind", String(20), nullable=False),
    Column("principal", String(100), nullable=True, index=True),
)

commitments = decided_table(
    "proj_commitments",
    id_column("sponsor_id", nullable=False),
    Column("beneficiary_kind", String(6), nullable=False),
    id_column("beneficiary_id", nullable=False),
    code_column("desa", nullable=False),
    Column("aid", String(14), nullable=False),
    Column("status", String(10), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=True),
    Index("ix_proj_commitments_beneficiary", "beneficiary_kind", "beneficiary_id"),
    Index("ix_proj_commitments_sponsor", "sponsor_id", "id"),
    Index("ix_proj_commitments_desa", "desa", "id"),
)

deliveries = Table(
    "proj_deliveries",
    metadata,
    id_column("id", primary_key=True),
    id_column("commitment_id", nullable=False),
)
