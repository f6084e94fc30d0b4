"""Event store: the append-only log, subject keys, checkpoints and the stream index.

Create Date: 2026-11-23 14:44:24.701242
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from migrations.shapes import table, timestamps

revision: str = "0001"
down_revision: str | None = None


def upgrade() -> None:
    table(
        "events",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("stream_id", sa.String(length=120), nullable=False),
        sa.Column("stream_type", sa.String(length=40), nullable=False),
        sa.Column("stream_version", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wilayah", sa.String(length=13), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("position"),
        sa.UniqueConstraint("event_id"),
        sa.UniqueConstraint("stream_id", "stream_version", name="uq_events_stream_version"),
        indexes={
            "ix_events_recorded_at": ["recorded_at"],
            "ix_events_stream_type_position": ["stream_type", "position"],
        },
    )
    table(
        "proj_streams",
        sa.Column("stream_id", sa.String(length=120), nullable=False),
        sa.Column("stream_type", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("wilayah", sa.String(length=13), nullable=True),
        sa.Column("first_position", sa.BigInteger(), nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
        *timestamps(),
        sa.PrimaryKeyConstraint("stream_id"),
        indexes={"ix_proj_streams_stream_type": ["stream_type"]},
    )
    table(
        "projection_checkpoints",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    table(
        "subject_keys",
        sa.Column("key_id", sa.String(length=120), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id"),
    )
    _install_append_only_guard()


def downgrade() -> None:
    _drop_append_only_guard()
    op.drop_table("subject_keys")
    op.drop_table("projection_checkpoints")
    op.drop_table("proj_streams")  # its indexes go with it
    op.drop_table("events")


_SQLITE_GUARD = [
    """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END""",
]

_POSTGRES_GUARD = [
    """CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'events are append-only: % refused', TG_OP
           USING ERRCODE = 'insufficient_privilege';
       END $$""",
    """CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
       FOR EACH ROW EXECUTE FUNCTION events_append_only()""",
    """CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
       FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()""",
]


def _install_append_only_guard() -> None:
    """Refuse UPDATE, DELETE (and TRUNCATE) on the event table inside the database itself."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _SQLITE_GUARD if sqlite else _POSTGRES_GUARD:
        op.execute(statement)


def _drop_append_only_guard() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute("DROP TRIGGER IF EXISTS events_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS events_no_truncate ON events")
        op.execute("DROP TRIGGER IF EXISTS events_no_update_delete ON events")
        op.execute("DROP FUNCTION IF EXISTS events_append_only()")
