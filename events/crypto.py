"""Personal fields: AES-GCM under a data key per subject, keys wrapped by the master key.

Erasing a subject destroys its data key: its personal parts can no longer be read, while
the ciphertext (and so the hash chain) stays as it was.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, select, update

from events.chain import canonical
from events.envelope import JsonObject, SealedPersonal
from events.projections.upsert import insert_for
from events.schema import subject_keys

_NONCE_BYTES = 12
KEY_BYTES = 32


class PersonalDataError(Exception):
    """A personal part could not be opened (wrong master key or a damaged ciphertext)."""


def generate_key() -> bytes:
    """A fresh random 256-bit key."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


class KeyRing:
    """Creates, opens and erases subject data keys stored in ``subject_keys``."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != KEY_BYTES:
            raise ValueError("the master key must be 32 bytes")
        self._master = AESGCM(master_key)

    def ensure(self, conn: Connection, key_id: str, now: datetime) -> bytes | None:
        """The subject's data key, created if the subject has none; None if it was erased."""
        row = conn.execute(
            select(subject_keys.c.wrapped_key, subject_keys.c.erased_at).where(
                subject_keys.c.key_id == key_id
            )
        ).first()
        if row is not None:
            return None if row.erased_at is not None else self._unwrap(key_id, row.wrapped_key)
        data_key = generate_key()
        # Two writers may create the same subject's key at once: the second keeps the first's
        # (on PostgreSQL its INSERT waits for the first to commit, then does nothing).
        statement = insert_for(conn.dialect.name, subject_keys).values(
            key_id=key_id, wrapped_key=self._wrap(key_id, data_key), created_at=now
        )
        if conn.execute(statement.on_conflict_do_nothing()).rowcount == 1:
            return data_key
        return self.ensure(conn, key_id, now)

    def load(self, conn: Connection, key_ids: Iterable[str]) -> dict[str, bytes | None]:
        """Data keys by id; None for an erased or unknown subject."""
        wanted = sorted(set(key_ids))
        found: dict[str, bytes | None] = dict.fromkeys(wanted)
        if not wanted:
            return found
        rows = conn.execute(
            select(subject_keys.c.key_id, subject_keys.c.wrapped_key).where(
                subject_keys.c.key_id.in_(wanted)
            )
        )
        for key_id, wrapped in rows:
            found[key_id] = self.unwrap(key_id, wrapped)
        return found

    def erase(self, conn: Connection, key_id: str, now: datetime) -> bool:
        """Destroy a subject's data key; False if there was none to destroy."""
        result = conn.execute(
            update(subject_keys)
            .where(subject_keys.c.key_id == key_id, subject_keys.c.erased_at.is_(None))
            .values(wrapped_key=None, erased_at=now)
        )
        return result.rowcount == 1

    def _wrap(self, key_id: str, data_key: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._master.encrypt(nonce, data_key, key_id.encode())

    def unwrap(self, key_id: str, wrapped: bytes | None) -> bytes | None:
        """The data key of a stored ``wrapped_key``; None for an erased subject's (None)."""
        return None if wrapped is None else self._unwrap(key_id, wrapped)

    def _unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        try:
            return self._master.decrypt(
                wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], key_id.encode()
            )
        except InvalidTag as error:
            raise PersonalDataError("a subject key does not open with the master key") from error


def seal(data_key: bytes, key_id: str, event_id: str, personal: JsonObject) -> SealedPersonal:
    """Encrypt a personal part, bound to its event so it cannot be moved to another one."""
    nonce = os.urandom(_NONCE_BYTES)
    ciphertext = AESGCM(data_key).encrypt(nonce, canonical(personal), event_id.encode())
    return SealedPersonal(key_id=key_id, ciphertext=base64.b64encode(nonce + ciphertext).decode())


def open_sealed(data_key: bytes, event_id: str, sealed: SealedPersonal) -> bytes:
    """The canonical JSON bytes of a personal part."""
    raw = base64.b64decode(sealed.ciphertext)
    try:
        return AESGCM(data_key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], event_id.encode())
    except InvalidTag as error:
        raise PersonalDataError(f"the personal part of event {event_id} does not open") from error
