"""The tables of the families, sponsors and commitments read models."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from events.schema import metadata

families = Table(
    "proj_families",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("desa", String(13), nullable=False),
    Column("krs", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Index("ix_proj_families_desa", "desa", "id"),
)

members = Table(
    "proj_members",
    metadata,
    Column("kind", String(6), primary_key=True),  # child, mother
    Column("member_id", String(36), primary_key=True),
    Column("family_id", String(36), primary_key=True),
)

sponsors = Table(
    "proj_sponsors",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("principal", String(100), nullable=True, index=True),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False),
)

commitments = Table(
    "proj_commitments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("sponsor_id", String(36), nullable=False),
    Column("beneficiary_kind", String(6), nullable=False),
    Column("beneficiary_id", String(36), nullable=False),
    Column("desa", String(13), nullable=False),
    Column("aid", String(14), nullable=False),
    Column("status", String(10), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False),
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
