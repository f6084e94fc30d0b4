"""The read-access log: every answer with unmasked personal data becomes an event.

Reads must stay fast, so a read only queues its record (microseconds, no I/O); a
background thread appends the queued records every ``FLUSH_EVERY`` seconds, one event per
read, all of a principal's reads in one append. On shutdown the queue is flushed. What is
lost on a crash is at most the last ``FLUSH_EVERY`` seconds of reads — stated in
``docs/audit.md``; the personal data itself is never in these events, only which subject
was read, by whom, through which route, when.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from domain.audit.events import STREAM_TYPE, PersonalDataRead, access_stream
from events import timefmt
from events.envelope import ANY, JsonObject, NewEvent, StreamAppend
from events.handling import new_event_id
from events.store import SqlEventStore

FLUSH_EVERY: Final = 0.2  # seconds
log = logging.getLogger("tumbuh.access")


@dataclass(frozen=True, slots=True)
class _Read:
    principal_id: str
    meta: JsonObject
    subject: str
    wilayah: str | None
    route: str
    at: datetime


class AccessLog:
    """Queues reads of personal data and appends them in batches."""

    def __init__(self, store: SqlEventStore) -> None:
        self.store = store
        self._queue: list[_Read] = []
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def record(
        self, principal_id: str, meta: JsonObject, subject: str, wilayah: str | None, route: str
    ) -> None:
        """Queue one read of ``subject``'s personal data (no I/O here)."""
        read = _Read(principal_id, meta, subject, wilayah, route, timefmt.utc_now())
        with self._lock:
            self._queue.append(read)

    def pending(self) -> int:
        """Reads queued and not yet in the log."""
        with self._lock:
            return len(self._queue)

    def flush(self) -> int:
        """Append every queued read now; the number appended."""
        with self._flushing:
            with self._lock:
                reads, self._queue = self._queue, []
            if not reads:
                return 0
            try:
                self.store.append_streams(_appends(self.store, reads))
            except Exception:
                with self._lock:  # keep them for the next flush rather than lose them
                    self._queue[:0] = reads
                raise
            return len(reads)

    def start(self) -> None:
        """Flush in the background every ``FLUSH_EVERY`` seconds until ``stop``."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="access-log", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the background flushes and append what is still queued."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        try:
            self.flush()
        except Exception:
            log.exception("%d reads of personal data could not be appended", self.pending())

    def _run(self) -> None:
        while not self._stop.wait(FLUSH_EVERY):
            try:
                self.flush()
            except Exception:  # the database is away: the reads stay queued, try again
                log.exception("could not append the read-access log; will retry")


def _appends(store: SqlEventStore, reads: list[_Read]) -> list[StreamAppend]:
    by_stream: dict[str, list[_Read]] = {}
    for read in reads:
        by_stream.setdefault(access_stream(read.principal_id), []).append(read)
    return [
        StreamAppend(stream, STREAM_TYPE, ANY, tuple(_event(store, r) for r in mine))
        for stream, mine in by_stream.items()
    ]


def _event(store: SqlEventStore, read: _Read) -> NewEvent:
    fact = PersonalDataRead(
        occurred_at=read.at, wilayah=read.wilayah, subject=read.subject, route=read.route
    )
    return store.registry.to_new(fact, new_event_id(), read.meta)
