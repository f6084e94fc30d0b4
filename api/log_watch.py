"""One watcher of the log's head for every long-polling subscriber of a worker.

While anyone waits, one task looks at the head every ``POLL_EVERY`` seconds (one indexed
``max(position)``) and wakes the waiters when it moves; with nobody waiting it stops. So
the database sees the same light load for one subscriber or a thousand, and appends made
by any process (other workers, the CLI) are seen within one poll.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Final

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

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
        return self._moved

    async def _poll(self) -> None:
        moved = self._condition()
        while self._waiters > 0:
            await asyncio.sleep(POLL_EVERY)
            head = await run_in_threadpool(feed.head_position, self.engine)
            if head != self._head:
                async with moved:
                    self._head = head
                    moved.notify_all()
