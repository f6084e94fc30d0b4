"""The tables of the families, sponsors and commitments read models."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, String, Table

from events.projections.decided import decided_table
from events.schema import metadata

families = decided_table(
    "proj_families",
    Column("desa", String(13), nullable=False),
    Column("krs", Boolean, nullable=False),
    Index("ix_proj_families_desa", "desa", "id"),
)

members = Table(
    "proj_members",
    metadata,
    Column("kind", String(6), primary_key=True),  # child, mother
    Column("member_id", String(36), primary_key=True),
    Column("family_id", String(36), primary_key=True),
)

sponsors = decided_table(
    "proj_sponsors",
    Column("kind", String(20), nullable=False),
    Column("principal", String(100), nullable=True, index=True),
)

commitments = decided_table(
    "proj_commitments",
    Column("sponsor_id", String(36), nullable=False),
    Column("beneficiary_kind", String(6), nullable=False),
    Column("beneficiary_id", String(36), nullable=False),
    Column("desa", String(13), nullable=False),
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
    Column("id", String(36), primary_key=True),
    Column("commitment_id", String(36), nullable=False),
)
