"""Refresh-token families: operational state beside the log, not events.

A login starts a family; every use of a refresh token retires it and issues the next one
in the same family. A retired (or revoked) token presented again means it was copied: the
whole family is revoked, so the thief and the owner both have to log in again. Tokens are
random and long, so they are stored as SHA-256 digests (a slow hash would add nothing).
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, Connection, String, Table, Text, select, update
from sqlalchemy.sql.elements import ColumnElement

from events import timefmt
from events.schema import id_column, instant_column, metadata

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    id_column("family_id", nullable=False, index=True),
    Column("principal", String(63), nullable=False, index=True),
    Column("client", String(63), nullable=True),
    Column("scope", Text, nullable=False),
    instant_column("issued_at", nullable=False),
    instant_column("expires_at", nullable=False),
    instant_column("used_at", nullable=True),
    instant_column("revoked_at", nullable=True),
    # The login's absolute end: no token of the family outlives it (NULL: a family from
    # before this column, ended at its next use plus the absolute lifetime).
    instant_column("family_expires_at", nullable=True),
)


class Refusal(enum.Enum):
    """Why a refresh token was not accepted."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REUSED = "reused"  # the family is revoked as a result


@dataclass(frozen=True)
class Family:
    """What a refresh token stands for: whose login, through which client, what scope."""

    family_id: str
    principal: str
    client: str | None
    scope: str
    ends_at: datetime | None = None  # no token of the family is valid after it


def digest(token: str) -> str:
    """The stored form of a refresh token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    conn: Connection, token: str, family: Family, now: datetime, expires_at: datetime
) -> None:
    """Store a new refresh token of ``family``."""
    conn.execute(
        refresh_tokens.insert().values(
            token_hash=digest(token),
            family_id=family.family_id,
            principal=family.principal,
            client=family.client,
            scope=family.scope,
            issued_at=timefmt.as_utc(now),
            expires_at=timefmt.as_utc(expires_at),
            family_expires_at=None if family.ends_at is None else timefmt.as_utc(family.ends_at),
        )
    )


def use(conn: Connection, token: str, now: datetime) -> Family | Refusal:
    """Retire ``token`` and return its family; a second use revokes the family."""
    table = refresh_tokens
    row = conn.execute(select(table).where(table.c.token_hash == digest(token))).first()
    if row is None:
        return Refusal.UNKNOWN
    ends = None if row.family_expires_at is None else timefmt.as_utc(row.family_expires_at)
    family = Family(row.family_id, row.principal, row.client, row.scope, ends)
    if row.used_at is not None or row.revoked_at is not None:
        revoke_family(conn, family.family_id, now)
        return Refusal.REUSED
    if timefmt.as_utc(row.expires_at) <= now:
        return Refusal.EXPIRED
    # The condition on used_at makes two concurrent uses of one token find each other.
    retired = conn.execute(
        update(table)
        .where(
            table.c.token_hash == row.token_hash,
            table.c.used_at.is_(None),
            table.c.revoked_at.is_(None),
        )
        .values(used_at=timefmt.as_utc(now))
    )
    if retired.rowcount != 1:
        revoke_family(conn, family.family_id, now)
        return Refusal.REUSED
    return family


def revoke_family(conn: Connection, family_id: str, now: datetime) -> None:
    """Revoke every token of one family."""
    _revoke(conn, refresh_tokens.c.family_id == family_id, now)


def revoke_principal(conn: Connection, principal: str, now: datetime) -> None:
    """Revoke every family of a principal (disabled, or its secret changed)."""
    _revoke(conn, refresh_tokens.c.principal == principal, now)


def _revoke(conn: Connection, whose: ColumnElement[bool], now: datetime) -> None:
    """Revoke the tokens ``whose`` picks that are not revoked yet."""
    table = refresh_tokens
    conn.execute(
        update(table)
        .where(whose, table.c.revoked_at.is_(None))
        .values(revoked_at=timefmt.as_utc(now))
    )


def purge_expired(conn: Connection, principal: str, now: datetime) -> None:
    """Forget a principal's expired tokens; reuse of those can no longer be detected."""
    table = refresh_tokens
    conn.execute(
        table.delete().where(
            table.c.principal == principal, table.c.expires_at < timefmt.as_utc(now)
        )
    )
