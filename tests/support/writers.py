"""Writers for the concurrency and crash tests, runnable in threads or other processes."""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime

from api.services import build_services
from api.settings import Settings
from events.envelope import ANY, JsonObject, NewEvent
from events.errors import WrongExpectedVersion

STREAMS = [f"shared-{i}" for i in range(12)]
BATCH = 5


def _event(event_id: str) -> NewEvent:
    """A test event; every other one with a personal part, which is sealed first."""
    personal: JsonObject | None = {"name": "Demo"} if event_id[-1] in "13579" else None
    return NewEvent(
        event_id=event_id,
        event_type="test.noted",
        occurred_at=datetime(2025, 5, 10, tzinfo=UTC),
        payload={"id": event_id},
        wilayah="32.79.02.1001",
        personal=personal,
    )


def write(url: str, master_key: str, writer: int, count: int) -> list[str]:
    """Append ``count`` single events to random shared streams; return acknowledged ids.

    Each append states the version it read (optimistic concurrency) and retries on a
    conflict, as a command handler does.
    """
    services = build_services(Settings(database_url=url, master_key=master_key, db_pool_size=2))
    store, chooser, acknowledged = services.store, random.Random(writer), []
    try:
        for n in range(count):
            stream = chooser.choice(STREAMS)
            event_id = f"w{writer}-{n}"
            while True:
                history = store.read_stream(stream)
                version = history[-1].stream_version if history else 0
                try:
                    store.append(stream, "test", version, [_event(event_id)])
                    break
                except WrongExpectedVersion:
                    continue
            acknowledged.append(event_id)
    finally:
        services.close()
    return acknowledged


def write_batches_forever(url: str, master_key: str) -> None:
    """Append batches of five events until killed, printing each acknowledged batch."""
    services = build_services(Settings(database_url=url, master_key=master_key, db_pool_size=1))
    n = 0
    while True:
        ids = [f"k{n}-{i}" for i in range(BATCH)]
        services.store.append(STREAMS[n % len(STREAMS)], "test", ANY, [_event(i) for i in ids])
        print(" ".join(ids), flush=True)
        n += 1


if __name__ == "__main__":
    write_batches_forever(sys.argv[1], sys.argv[2])
