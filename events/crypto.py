"""Personal fields: AES-GCM under a data key per person, keys wrapped by the master key.

A person is recognised by a keyed hash of her identifier (her NIK, or an official's name)
under the installation's *identity key*, so that the same person named in several streams
has one data key; without an identifier she is the subject of one stream. Erasing a person
destroys her data keys: her personal parts can no longer be read, while the ciphertext (and
so the hash chain) stays as it was. The identity key is itself a random key wrapped by the
master key, so rotating the master key (``rewrap``) changes no person's key id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, select, update

from domain.fact import PersonalPart
from events.chain import canonical
from events.envelope import WHOLE, JsonObject, SealedPart
from events.projections.upsert import insert_for
from events.schema import subject_keys

_NONCE_BYTES = 12
KEY_BYTES = 32
IDENTITY_KEY: Final = "tumbuh#identity"  # no stream has this id; never a person's key
PERSON_PREFIX: Final = "person-"
_PSEUDONYM_HEX: Final = 40  # 160 bits of the HMAC: no two people share a key id


class PersonalDataError(Exception):
    """A personal part could not be opened (wrong master key or a damaged ciphertext)."""


class MissingMasterKey(Exception):
    """No master key is configured where one must be (PostgreSQL)."""


def generate_key() -> bytes:
    """A fresh random 256-bit key."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


class KeyRing:
    """Creates, opens, erases and re-wraps data keys stored in ``subject_keys``.

    ``masters`` gives the master keys when first needed: the first wraps, each may unwrap
    (the second is the new key of a rotation that was cut short). ``stamp`` changes when
    the master keys change (a rotation in the key folder): they are read again before a
    new key is wrapped, so no key is wrapped under a master key rotated away meanwhile.
    """

    def __init__(
        self,
        masters: bytes | Callable[[], Sequence[bytes]],
        stamp: Callable[[], object] | None = None,
    ) -> None:
        self._source = masters if callable(masters) else (lambda: (masters,))
        self._stamp = stamp
        self._ciphers: tuple[AESGCM, ...] | None = None
        self._seen: object = None
        self._identity: bytes | None = None

    def check(self, conn: Connection, now: datetime) -> None:
        """Read the master keys now and check that they open this store's keys (refused at
        start, not mid-request: a missing key, or one rotated away)."""
        self._masters()
        self.ensure(conn, IDENTITY_KEY, now)

    def reload(self) -> None:
        """Read the master keys again when next needed (after a rotation)."""
        self._ciphers = None

    def _masters(self, *, fresh: bool = False) -> tuple[AESGCM, ...]:
        if fresh and self._stamp is not None and self._stamp() != self._seen:
            self._ciphers = None
        if self._ciphers is None:
            self._seen = None if self._stamp is None else self._stamp()
            keys = tuple(self._source())
            if not keys or any(len(k) != KEY_BYTES for k in keys):
                raise ValueError("the master key must be 32 bytes")
            self._ciphers = tuple(AESGCM(k) for k in keys)
        return self._ciphers

    # -- persons -----------------------------------------------------------------------

    def key_id_for(
        self, conn: Connection, stream_id: str, part: PersonalPart, now: datetime
    ) -> str:
        """The key of the person of ``part``: by her identifier, else as that subject of
        ``stream_id``."""
        if part.identifier is None:
            return f"{stream_id}#{part.subject}"
        return PERSON_PREFIX + self.pseudonym(conn, part.identifier, now)

    def pseudonym(self, conn: Connection, identifier: str, now: datetime) -> str:
        """HMAC-SHA-256 of ``identifier`` under the identity key (hex, shortened): the same
        for the same identifier, and nobody without the master key can test a guess."""
        if self._identity is None:
            self._identity = self.ensure(conn, IDENTITY_KEY, now)
            if self._identity is None:
                raise PersonalDataError("the identity key was erased")
        digest = hmac.new(self._identity, identifier.encode(), hashlib.sha256).hexdigest()
        return digest[:_PSEUDONYM_HEX]

    # -- data keys -----------------------------------------------------------------------

    def ensure(self, conn: Connection, key_id: str, now: datetime) -> bytes | None:
        """The data key ``key_id``, created if there is none; None if it was erased."""
        row = conn.execute(
            select(subject_keys.c.wrapped_key, subject_keys.c.erased_at).where(
                subject_keys.c.key_id == key_id
            )
        ).first()
        if row is not None:
            return None if row.erased_at is not None else self._unwrap(key_id, row.wrapped_key)
        data_key = generate_key()
        # Two writers may create the same key at once: the second keeps the first's (on
        # PostgreSQL its INSERT waits for the first to commit, then does nothing).
        statement = insert_for(conn.dialect.name, subject_keys).values(
            key_id=key_id, wrapped_key=self._wrap(key_id, data_key), created_at=now
        )
        if conn.execute(statement.on_conflict_do_nothing()).rowcount == 1:
            return data_key
        return self.ensure(conn, key_id, now)

    def load(self, conn: Connection, key_ids: Iterable[str]) -> dict[str, bytes | None]:
        """Data keys by id; None for an erased or unknown key."""
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

    def erase(self, conn: Connection, key_ids: Iterable[str], now: datetime) -> list[str]:
        """Destroy data keys; returns those that were not destroyed before."""
        wanted = sorted(set(key_ids) - {IDENTITY_KEY})
        if not wanted:
            return []
        live = select(subject_keys.c.key_id).where(
            subject_keys.c.key_id.in_(wanted), subject_keys.c.erased_at.is_(None)
        )
        erased = sorted(conn.execute(live).scalars())
        conn.execute(
            update(subject_keys)
            .where(subject_keys.c.key_id.in_(erased))
            .values(wrapped_key=None, erased_at=now)
        )
        return erased

    def rewrap(self, conn: Connection, new_master: bytes) -> int:
        """Wrap every live data key not yet under ``new_master`` under it (a rotation);
        returns how many. The caller then makes ``new_master`` the master key and destroys
        the old one."""
        new = AESGCM(new_master)
        rows = conn.execute(
            select(subject_keys.c.key_id, subject_keys.c.wrapped_key).where(
                subject_keys.c.wrapped_key.is_not(None)
            )
        ).all()
        done = 0
        for key_id, wrapped in rows:
            if _opens(new, key_id, wrapped):
                continue
            nonce = os.urandom(_NONCE_BYTES)
            data_key = self._unwrap(key_id, wrapped)
            conn.execute(
                update(subject_keys)
                .where(subject_keys.c.key_id == key_id)
                .values(wrapped_key=nonce + new.encrypt(nonce, data_key, key_id.encode()))
            )
            done += 1
        return done

    def _wrap(self, key_id: str, data_key: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._masters(fresh=True)[0].encrypt(nonce, data_key, key_id.encode())

    def unwrap(self, key_id: str, wrapped: bytes | None) -> bytes | None:
        """The data key of a stored ``wrapped_key``; None for an erased key's (None)."""
        return None if wrapped is None else self._unwrap(key_id, wrapped)

    def _unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        for fresh in (False, True):  # once more after a rotation in the key folder
            for master in self._masters(fresh=fresh):
                if (data_key := _opened(master, key_id, wrapped)) is not None:
                    return data_key
        raise PersonalDataError(
            "a data key does not open with the master key (was the master key rotated? "
            "every process needs the new one)"
        )


def _opened(master: AESGCM, key_id: str, wrapped: bytes) -> bytes | None:
    try:
        return master.decrypt(wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], key_id.encode())
    except InvalidTag:
        return None


def _opens(master: AESGCM, key_id: str, wrapped: bytes) -> bool:
    return _opened(master, key_id, wrapped) is not None


def seal(data_key: bytes, key_id: str, event_id: str, personal: JsonObject) -> SealedPart:
    """Encrypt a whole personal part, bound to its event so it cannot be moved to another."""
    return seal_part(data_key, key_id, event_id, WHOLE, personal)


def seal_part(
    data_key: bytes, key_id: str, event_id: str, subject: str, fields: JsonObject
) -> SealedPart:
    """Encrypt one person's fields, bound to the event and to the subject they belong to."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(data_key).encrypt(nonce, canonical(fields), _bound(event_id, subject))
    return SealedPart(key_id, base64.b64encode(nonce + sealed).decode(), subject)


def open_sealed(data_key: bytes, event_id: str, part: SealedPart) -> bytes:
    """The canonical JSON bytes of a sealed part."""
    raw = base64.b64decode(part.ciphertext)
    try:
        return AESGCM(data_key).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _bound(event_id, part.subject)
        )
    except InvalidTag as error:
        raise PersonalDataError(f"the personal part of event {event_id} does not open") from error


def _bound(event_id: str, subject: str) -> bytes:
    """The associated data: the event id alone for a whole part (as it always was)."""
    return event_id.encode() if subject == WHOLE else f"{event_id}\n{subject}".encode()
