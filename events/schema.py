"""The tables of the event store, and the kinds of column the tables share; projections
declare their own tables beside their code."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
)
from sqlmodel import SQLModel

metadata = SQLModel.metadata


def id_column(name: str, **options: Any) -> Column[Any]:
    """A column of ids: UUIDs as their 36 characters of text."""
    return Column(name, String(36), **options)


def code_column(name: str, **options: Any) -> Column[Any]:
    """A column of Kemendagri area codes, dotted: at most 13 characters (32.79.02.1001)."""
    return Column(name, String(13), **options)


def instant_column(name: str, **options: Any) -> Column[Any]:
    """A column of instants, with their time zone."""
    return Column(name, DateTime(timezone=True), **options)


events = Table(
    "events",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    id_column("event_id", nullable=False, unique=True),
    Column("stream_id", String(120), nullable=False),
    Column("stream_type", String(40), nullable=False),
    Column("stream_version", Integer, nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("schema_version", Integer, nullable=False),
    instant_column("occurred_at", nullable=False),
    instant_column("recorded_at", nullable=False),
    code_column("wilayah", nullable=True),
    # The canonical bytes that were hashed: the event's content of record.
    Column("body", LargeBinary, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("stream_id", "stream_version", name="uq_events_stream_version"),
    Index("ix_events_stream_type_position", "stream_type", "position"),
    Index("ix_events_recorded_at", "recorded_at"),
)

subject_keys = Table(
    "subject_keys",
    metadata,
    Column("key_id", String(120), primary_key=True),
    # The subject's data key wrapped by the master key; NULL once erased.
    Column("wrapped_key", LargeBinary, nullable=True),
    instant_column("created_at", nullable=False),
    instant_column("erased_at", nullable=True),
)

person_keys = Table(
    "person_keys",
    metadata,
    # Which keys hold which person's data: the person (a keyed hash of her NIK or name, or
    # "<stream>#<subject>" without one) as ``subject`` of ``stream_id``, under ``key_id``.
    # No personal data: erasing a person erases every key listed for her.
    Column("stream_id", String(120), primary_key=True),
    Column("subject", String(80), primary_key=True),
    Column("person", String(120), primary_key=True),
    Column("key_id", String(120), primary_key=True),
    Index("ix_person_keys_person", "person"),
)

projection_checkpoints = Table(
    "projection_checkpoints",
    metadata,
    Column("name", String(80), primary_key=True),
    Column("position", BigInteger, nullable=False),
)
