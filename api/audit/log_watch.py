"""One watcher of the log's head for every long-polling subscriber of a worker.

While anyone waits, one task looks at the head every ``POLL_EVERY`` seconds (one indexed
``max(position)``) and wakes the waiters when it moves; with nobody waiting it stops. So
the database sees the same light load for one subscriber or a thousand, and appends made
by any process (other workers, the CLI) are seen within one poll. A write answered by this
worker looks at once (``PokeAfterWrites``), without waiting for the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Final

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from events import feed

POLL_EVERY: Final = 0.02  # seconds


class LogWatch:
    """Waits for the log's head to pass a position."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._head = -1
        self._waiters = 0
        self._moved: asyncio.Condition | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._poked: asyncio.Event | None = None

    async def beyond(self, position: int, timeout: float) -> int:
        """The head once it is past ``position``, or the head when ``timeout`` ends."""
        moved = self._condition()
        self._waiters += 1
        try:
            if self._task is None or self._task.done():
                self._head = await run_in_threadpool(feed.head_position, self.engine)
                self._task = asyncio.get_running_loop().create_task(self._poll())
            async with moved:
                with contextlib.suppress(TimeoutError):  # the head as it is then
                    passed = moved.wait_for(lambda: self._head > position)
                    await asyncio.wait_for(passed, max(timeout, 0))
            return self._head
        finally:
            self._waiters -= 1

    def _condition(self) -> asyncio.Condition:
        loop = asyncio.get_running_loop()
        if self._moved is None or self._loop is not loop:  # a new event loop (tests)
            self._moved, self._loop, self._task = asyncio.Condition(), loop, None
            self._poked = asyncio.Event()
        return self._moved

    def poke(self) -> None:
        """Look at the head now (called on the event loop after a write of this worker)."""
        if self._poked is not None and self._loop is asyncio.get_running_loop():
            self._poked.set()

    async def _poll(self) -> None:
        moved = self._condition()
        poked = self._poked
        assert poked is not None
        while self._waiters > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(poked.wait(), POLL_EVERY)
            poked.clear()
            head = await run_in_threadpool(feed.head_position, self.engine)
            if head != self._head:
                async with moved:
                    self._head = head
                    moved.notify_all()


class PokeAfterWrites:
    """ASGI middleware: after any request that may have written, poke the log watch."""

    def __init__(self, app: ASGIApp, watch: Callable[[], LogWatch | None]) -> None:
        self.app, self.watch = app, watch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            watch = self.watch()
            if watch is not None:
                watch.poke()
