"""Many writers at once: positions stay gap-free, versions dense, nothing lost or doubled."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.settings import Settings
from events.envelope import ANY
from events.store import SqlEventStore
from tests.conftest import TEST_MASTER_KEY
from tests.integration.conftest import new_event
from tests.support import writers

WRITERS = 8
PER_WRITER = 40


def _check_log(store: SqlEventStore, acknowledged: list[str]) -> None:
    log = store.read_all(limit=100_000)
    assert [e.position for e in log] == list(range(1, len(log) + 1))
    by_stream: dict[str, list[int]] = {}
    for event in log:
        by_stream.setdefault(event.stream_id, []).append(event.stream_version)
    for versions in by_stream.values():
        assert versions == list(range(1, len(versions) + 1))
    stored = Counter(e.event_id for e in log)
    assert all(stored[event_id] == 1 for event_id in acknowledged)
    assert store.verify().ok


def test_eight_threads_appending_to_overlapping_streams_keep_every_guarantee(
    store: SqlEventStore, settings: Settings
) -> None:
    with ThreadPoolExecutor(WRITERS) as pool:
        futures = [
            pool.submit(writers.write, settings.database_url, TEST_MASTER_KEY, w, PER_WRITER)
            for w in range(WRITERS)
        ]
        acknowledged = [i for f in futures for i in f.result()]

    assert len(acknowledged) == WRITERS * PER_WRITER
    _check_log(store, acknowledged)


def test_eight_processes_appending_to_overlapping_streams_keep_every_guarantee(
    store: SqlEventStore, settings: Settings
) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(WRITERS) as pool:
        results = pool.starmap(
            writers.write,
            [(settings.database_url, TEST_MASTER_KEY, w, PER_WRITER) for w in range(WRITERS)],
        )
    acknowledged = [i for r in results for i in r]

    assert len(acknowledged) == WRITERS * PER_WRITER
    _check_log(store, acknowledged)


def test_a_writer_killed_mid_append_leaves_no_partial_batch_and_a_valid_chain(
    store: SqlEventStore, settings: Settings
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.writers", settings.database_url, TEST_MASTER_KEY],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    acknowledged: list[str] = []
    deadline = time.monotonic() + 30
    while len(acknowledged) < 60 * writers.BATCH and time.monotonic() < deadline:
        acknowledged.extend(process.stdout.readline().split())

    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    assert acknowledged, "the writer never got going"
    counts = Counter(e.stream_id for e in store.read_all(limit=100_000))
    assert all(n % writers.BATCH == 0 for n in counts.values())
    _check_log(store, acknowledged)
    after = store.append(writers.STREAMS[0], "test", ANY, [new_event("after-kill")])
    assert after[0].position == store.head().position


@pytest.mark.parametrize("rounds", [3])
def test_a_killed_writer_does_not_leave_the_append_lock_held(
    store: SqlEventStore, settings: Settings, rounds: int
) -> None:
    for _ in range(rounds):
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.writers", settings.database_url, TEST_MASTER_KEY],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        process.stdout.readline()
        os.kill(process.pid, signal.SIGKILL)
        process.wait()

    started = time.monotonic()
    store.append("lock-check", "test", ANY, [new_event("lock-check-1")])

    assert time.monotonic() - started < 5
    assert store.verify().ok
