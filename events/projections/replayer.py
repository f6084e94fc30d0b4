"""Replaying whole streams into the ``Replaying`` projections, here or in forked worker
processes, for a rebuild."""

from __future__ import annotations

import gc
import multiprocessing
import signal
from collections import deque
from collections.abc import MutableMapping, Sequence
from multiprocessing.pool import AsyncResult, Pool
from typing import Any

from sqlalchemy import Connection

from events.envelope import RecordedEvent
from events.projections.kinds import Replaying, events_read_by
from events.rows import row_to_event

Rows = list[tuple[Any, ...]]
"""Rows of the log, as ``row_to_event`` takes them."""


_FORKED: list[Replaying] = []  # a worker's projections, as the rebuilding process had them


class Replayer:
    """Computes the ``Replaying`` projections' rows of chunks of whole streams, here or in
    forked worker processes, and writes them on ``conn`` in the order of the chunks.

    The workers only decode events and compute rows (``replayed`` without a connection);
    every write stays in the rebuild's one transaction, so the projections are still never
    seen half-built. Forked, the workers start in milliseconds with the projections as
    they are here; the garbage collector is frozen across the fork so that a worker never
    finalises a connection object it inherited.
    """

    def __init__(self, conn: Connection, projections: Sequence[Replaying], workers: int) -> None:
        self.conn, self.projections = conn, projections
        self.workers = workers if "fork" in multiprocessing.get_all_start_methods() else 1
        self.pool: Pool | None = None
        self.pending: deque[AsyncResult[list[object | None]]] = deque()
        self.kept: dict[str, object] = {}  # for end_replay

    def __enter__(self) -> Replayer:
        return self

    def __exit__(self, *failed: object) -> None:
        if self.pool is not None:
            self.pool.terminate()  # after drain() nothing is left to compute
            self.pool.join()

    def replay(self, rows: Rows, *, more: bool) -> None:
        """Compute and write the projections' rows of the events ``rows`` hold, or hand
        them to a worker and write what the workers finished before."""
        if self.pool is None and more and self.workers > 1 and self.projections:
            self.pool = self._fork()
        if self.pool is None:
            batch = [row_to_event(*row) for row in rows]
            self._write(_computed(self.projections, batch, self.conn.info, self.conn))
            return
        self.pending.append(self.pool.apply_async(_computed_in_worker, (rows,)))
        while len(self.pending) > self.workers:  # a chunk ahead for each worker, no more
            self._write(self.pending.popleft().get())

    def drain(self) -> None:
        """Write everything handed to the workers, and what was kept for the end."""
        while self.pending:
            self._write(self.pending.popleft().get())
        for projection in self.projections:
            projection.end_replay(self.conn, self.kept)

    def _fork(self) -> Pool:
        _FORKED[:] = self.projections
        gc.freeze()
        try:
            return multiprocessing.get_context("fork").Pool(self.workers, _ignore_interrupts)
        finally:
            gc.unfreeze()

    def _write(self, parts: list[object | None]) -> None:
        for projection, part in zip(self.projections, parts, strict=True):
            if part is not None:
                projection.write_replayed(self.conn, part, self.kept)


def _ignore_interrupts() -> None:
    """A worker leaves Ctrl-C to the rebuilding process, which ends the pool (no traceback
    from every worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _computed_in_worker(rows: Rows) -> list[object | None]:
    return _computed(_FORKED, [row_to_event(*row) for row in rows], {}, None)


def _computed(
    projections: Sequence[Replaying],
    batch: Sequence[RecordedEvent],
    shared: MutableMapping[str, object],
    conn: Connection | None,
) -> list[object | None]:
    """Each projection's rows of ``batch`` (None: no event of the batch is its)."""
    found: list[object | None] = []
    for projection in projections:
        relevant = events_read_by(projection, batch)
        found.append(projection.replayed(relevant, shared, conn) if relevant else None)
    return found
