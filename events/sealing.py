"""Sealing personal parts on the way in: each person's fields under her own data key (a
part of ``SqlEventStore``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import Connection

from events import persons
from events.crypto import seal, seal_part
from events.envelope import NewEvent, SealedPersonal, StreamAppend
from events.errors import PersonErased
from events.personal import PersonalReads


class Sealing(PersonalReads):
    """The store's sealing of personal parts (a part of ``SqlEventStore``)."""

    clock: Callable[[], datetime]

    def writer(self, *, lock: bool = True) -> AbstractContextManager[Connection]:
        """A transaction that holds the append lock (the store's)."""
        raise NotImplementedError

    def _seal_personal(self, appends: Sequence[StreamAppend]) -> dict[str, SealedPersonal]:
        if all(n.personal is None for a in appends for n in a.events):
            return {}
        # A writer from the start: a SQLite transaction that reads, then writes, fails at
        # once ("database is locked") when another writer holds the lock, instead of waiting.
        with self.writer(lock=False) as conn:
            return self._seal_in(conn, appends)

    def _seal_in(
        self, conn: Connection, appends: Sequence[StreamAppend]
    ) -> dict[str, SealedPersonal]:
        """The personal parts of ``appends`` sealed under their persons' keys, in ``conn``."""
        sealed: dict[str, SealedPersonal] = {}
        held: list[persons.Held] = []
        now = self.clock()
        for append in appends:
            for new in append.events:
                if new.personal is not None:
                    sealed[new.event_id] = self._sealed(conn, append.stream_id, new, now, held)
        persons.record(conn, held)
        return sealed

    def _sealed(
        self,
        conn: Connection,
        stream_id: str,
        new: NewEvent,
        now: datetime,
        held: list[persons.Held],
    ) -> SealedPersonal:
        """Each person's fields under her own key (or all of them under one, unsplit)."""
        assert new.personal is not None
        if not new.parts:
            key_id = new.subject_id or stream_id
            data_key = self._live_key(conn, key_id, "subject", now)
            return SealedPersonal((seal(data_key, key_id, new.event_id, new.personal),))
        parts = []
        for part in new.parts:
            key_id = self.keyring.key_id_for(conn, stream_id, part, now)
            data_key = self._live_key(conn, key_id, part.subject, now)
            fields = dict(part.fields)
            parts.append(seal_part(data_key, key_id, new.event_id, part.subject, fields))
            held.append(persons.Held(stream_id, part.subject, key_id, key_id))
        return SealedPersonal(tuple(parts))

    def _live_key(self, conn: Connection, key_id: str, subject: str, now: datetime) -> bytes:
        data_key = self.keyring.ensure(conn, key_id, now)
        if data_key is None:
            raise PersonErased(subject.split("-", maxsplit=1)[0])
        return data_key
