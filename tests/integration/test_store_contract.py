"""The event store's guarantees, the same contract on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import bindparam, select, text

from events import sql
from events.envelope import ANY, NO_STREAM, StreamAppend
from events.errors import EventIdConflict, InvalidAppend, WrongExpectedVersion
from events.personal import Opened
from events.schema import events
from events.store import SqlEventStore
from tests.integration.conftest import new_event


def test_appended_events_read_back_in_order_with_versions_and_positions(
    store: SqlEventStore,
) -> None:
    store.append("a", "tally", NO_STREAM, [new_event("a1"), new_event("a2")])
    store.append("b", "tally", NO_STREAM, [new_event("b1")])

    stream = store.read_stream("a")
    everything = store.read_all()

    assert [(e.event_id, e.stream_version) for e in stream] == [("a1", 1), ("a2", 2)]
    assert [(e.event_id, e.position) for e in everything] == [("a1", 1), ("a2", 2), ("b1", 3)]
    assert store.head().position == 3
    assert store.head().hash == everything[-1].hash


def test_a_stale_expected_version_raises_with_the_actual_version_and_writes_nothing(
    store: SqlEventStore,
) -> None:
    store.append("a", "tally", NO_STREAM, [new_event("a1"), new_event("a2")])

    with pytest.raises(WrongExpectedVersion) as raised:
        store.append("a", "tally", 1, [new_event("a3")])

    assert raised.value.actual == 2
    assert [e.event_id for e in store.read_all()] == ["a1", "a2"]


def test_no_stream_is_refused_for_an_existing_stream_and_any_always_appends(
    store: SqlEventStore,
) -> None:
    store.append("a", "tally", NO_STREAM, [new_event("a1")])

    with pytest.raises(WrongExpectedVersion):
        store.append("a", "tally", NO_STREAM, [new_event("a2")])
    appended = store.append("a", "tally", ANY, [new_event("a3")])

    assert appended[0].stream_version == 2


def test_a_multi_stream_append_with_one_stale_stream_writes_nothing(store: SqlEventStore) -> None:
    store.append("a", "tally", NO_STREAM, [new_event("a1")])

    with pytest.raises(WrongExpectedVersion):
        store.append_streams(
            [
                StreamAppend("b", "tally", NO_STREAM, (new_event("b1"),)),
                StreamAppend("a", "tally", NO_STREAM, (new_event("a2"),)),
            ]
        )

    assert [e.event_id for e in store.read_all()] == ["a1"]


def test_an_append_of_more_streams_than_one_in_list_holds_checks_every_version(
    store: SqlEventStore,
) -> None:
    count = 5_003  # SQLite reads the versions in lists of 5,000 (events/sql.py, chunks)
    store.append("s-last", "tally", NO_STREAM, [new_event("old")])
    fresh = [
        StreamAppend(f"s-{n}", "tally", NO_STREAM, (new_event(f"e{n}"),)) for n in range(count)
    ]

    with pytest.raises(WrongExpectedVersion):  # the stale stream is beyond the first chunks
        store.append_streams(
            [*fresh, StreamAppend("s-last", "tally", NO_STREAM, (new_event("again"),))]
        )
    recorded = store.append_streams(
        [*fresh, StreamAppend("s-last", "tally", 1, (new_event("next"),))]
    )

    assert len(recorded) == count + 1
    assert recorded[-1].stream_version == 2
    assert store.verify().ok


def test_a_multi_stream_append_stores_all_streams_in_one_transaction(store: SqlEventStore) -> None:
    recorded = store.append_streams(
        [
            StreamAppend("child-1", "child", NO_STREAM, (new_event("c1"),)),
            StreamAppend("desa-1", "desa", ANY, (new_event("d1"), new_event("d2"))),
        ]
    )

    assert [(e.stream_id, e.position) for e in recorded] == [
        ("child-1", 1),
        ("desa-1", 2),
        ("desa-1", 3),
    ]
    assert store.verify().ok


def test_the_same_event_id_and_content_returns_the_stored_event_without_a_duplicate(
    store: SqlEventStore,
) -> None:
    first = store.append("a", "tally", NO_STREAM, [new_event("a1", {"kg": 9.1})])

    again = store.append("a", "tally", NO_STREAM, [new_event("a1", {"kg": 9.1})])

    assert again[0].position == first[0].position
    assert again[0].hash == first[0].hash
    assert len(store.read_all()) == 1


def test_the_same_event_id_with_another_content_is_refused(store: SqlEventStore) -> None:
    store.append("a", "tally", NO_STREAM, [new_event("a1", {"kg": 9.1})])

    with pytest.raises(EventIdConflict):
        store.append("a", "tally", ANY, [new_event("a1", {"kg": 9.2})])

    assert len(store.read_all()) == 1


def test_the_same_event_id_in_another_stream_is_refused(store: SqlEventStore) -> None:
    store.append("a", "tally", NO_STREAM, [new_event("a1")])

    with pytest.raises(EventIdConflict):
        store.append("b", "tally", NO_STREAM, [new_event("a1")])


def test_an_append_with_a_repeated_event_id_or_no_events_is_malformed(
    store: SqlEventStore,
) -> None:
    with pytest.raises(InvalidAppend):
        store.append("a", "tally", ANY, [new_event("x"), new_event("x")])
    with pytest.raises(InvalidAppend):
        store.append("a", "tally", ANY, [])


def test_read_all_pages_and_filters_by_type_stream_type_and_wilayah_prefix(
    store: SqlEventStore,
) -> None:
    store.append("a", "child", NO_STREAM, [new_event("a1", wilayah="32.79.02.1001")])
    store.append("b", "desa", NO_STREAM, [new_event("b1", wilayah="32.79.01.2001")])
    store.append("c", "child", NO_STREAM, [new_event("c1", wilayah="63.72.02.1001")])
    store.append("d", "child", NO_STREAM, [new_event("d1", wilayah="32.791", event_type="x.y")])

    def ids(**filters: object) -> list[str]:
        return [e.event_id for e in store.read_all(**filters)]  # type: ignore[arg-type]

    assert ids(after=1, limit=2) == ["b1", "c1"]
    assert ids(stream_types=["child"]) == ["a1", "c1", "d1"]
    assert ids(wilayah="32.79") == ["a1", "b1"]
    assert ids(wilayah="32.79.02") == ["a1"]
    assert ids(event_types=["x.y"]) == ["d1"]


def test_personal_fields_are_encrypted_in_the_body_and_readable_with_the_key(
    store: SqlEventStore,
) -> None:
    stored = store.append(
        "child-9", "child", NO_STREAM, [new_event("p1", personal={"name": "Anak Contoh Demo"})]
    )

    opened = store.open_personal(stored)

    assert b"Anak Contoh Demo" not in stored[0].body
    assert "Anak Contoh Demo" not in str(stored[0].payload)
    assert opened == {"p1": {"name": "Anak Contoh Demo"}}


def test_erasing_a_subject_makes_its_personal_part_unreadable_and_the_chain_still_verifies(
    store: SqlEventStore,
) -> None:
    stored = store.append(
        "child-9", "child", NO_STREAM, [new_event("p1", personal={"nik": "3279010101010001"})]
    )

    erased = store.erase("child-9")

    assert erased
    assert store.open_personal(store.read_stream("child-9")) == {"p1": None}
    assert store.read_stream("child-9")[0].body == stored[0].body
    assert store.verify().ok
    with pytest.raises(InvalidAppend, match="erased"):
        store.append("child-9", "child", ANY, [new_event("p2", personal={"name": "again"})])


PERSONAL_TYPES = ("test.named", "test.renamed")


def _renamed(store: SqlEventStore, stream_id: str) -> None:
    """A stream named, renamed ("Nama Baru"), then with personal parts the types skip."""
    store.append(
        stream_id,
        "child",
        NO_STREAM,
        [
            new_event(f"{stream_id}-1", personal={"name": "Nama Lama"}, event_type="test.named"),
            new_event(f"{stream_id}-2", personal={"name": "Nama Baru"}, event_type="test.renamed"),
            new_event(f"{stream_id}-3", personal={"name": "Bukan Ini"}, event_type="test.other"),
            new_event(f"{stream_id}-4", event_type="test.renamed"),
        ],
    )


Reads = Callable[[SqlEventStore, str, str, Callable[[list[sql.Row]], object]], tuple[Any, Any]]


def _read_now(store: SqlEventStore, stream: str, subject: str, guard: Any) -> tuple[Any, Any]:
    query = select(events.c.event_id).where(events.c.stream_id == bindparam("stream_id"))
    return store.rows_with_personal(query, {"stream_id": stream}, subject, PERSONAL_TYPES, guard)


def _read_awaited(store: SqlEventStore, stream: str, subject: str, guard: Any) -> tuple[Any, Any]:
    """The same read by a coroutine, on the asynchronous pool (PostgreSQL) opened for it."""
    query = select(events.c.event_id).where(events.c.stream_id == bindparam("stream_id"))

    async def read() -> tuple[Any, Any]:
        await store.open_async(2)
        try:
            return await store.rows_with_personal_async(
                query, {"stream_id": stream}, subject, PERSONAL_TYPES, guard
            )
        finally:
            await store.close_async()

    return asyncio.run(read())


@pytest.mark.parametrize("read", [_read_now, _read_awaited], ids=["sync", "async"])
def test_rows_with_personal_reads_the_rows_and_the_latest_personal_part_after_the_guard(
    store: SqlEventStore, read: Reads
) -> None:
    _renamed(store, "child-9")
    seen: list[int] = []

    rows, personal = read(store, "child-9", "child-9", lambda r: seen.append(len(r)))

    assert (len(rows), personal, seen) == (4, Opened({"name": "Nama Baru"}), [4])

    def refuse(rows: object) -> None:
        raise LookupError("out of reach")

    with pytest.raises(LookupError, match="out of reach"):  # before anything is opened
        read(store, "child-9", "child-9", refuse)
    store.erase("child-9")
    _, erased = read(store, "x", "child-9", len)
    _, none = read(store, "x", "child-8", len)
    assert (erased, none) == (Opened({}, ("*",)), None)


def test_the_asynchronous_pool_serves_only_the_event_loop_that_opened_it(
    store: SqlEventStore,
) -> None:
    postgres = store.engine.dialect.name == "postgresql"
    seen: dict[str, bool] = {}

    def elsewhere() -> None:  # another application's loop, in its own thread
        async def look() -> None:
            seen["other loop"] = store.async_pool() is not None

        asyncio.run(look())

    async def look() -> None:
        await store.open_async(2)
        seen["opened"] = store.async_pool() is not None
        other = threading.Thread(target=elsewhere)
        other.start()
        other.join()
        await store.close_async()
        seen["closed"] = store.async_pool() is not None

    asyncio.run(look())

    assert seen == {"opened": postgres, "other loop": False, "closed": False}


def test_latest_personal_reads_the_last_personal_part_of_each_stream_asked(
    store: SqlEventStore,
) -> None:
    _renamed(store, "child-1")
    store.append("child-2", "child", NO_STREAM, [new_event("b1", event_type="test.named")])
    store.append(
        "child-3",
        "child",
        NO_STREAM,
        [new_event("c1", personal={"name": "Dihapus"}, event_type="test.named")],
    )
    store.erase("child-3")
    asked = ["child-1", "child-2", "child-3", "child-4"]

    assert store.latest_personal(asked, PERSONAL_TYPES) == {"child-1": {"name": "Nama Baru"}}
    assert store.latest_personal([], PERSONAL_TYPES) == {}


def test_latest_personal_reads_more_streams_than_one_statement_may_bind(
    store: SqlEventStore,
) -> None:
    store.append(
        "child-1",
        "child",
        NO_STREAM,
        [
            new_event("a1", personal={"name": "Anak Satu"}, event_type="test.named"),
        ],
    )
    # SQLite binds 32,766 parameters by default, 250,000 in some builds (this one).
    asked = [f"child-{n}" for n in range(260_000)]

    assert store.latest_personal(asked, ("test.named",)) == {"child-1": {"name": "Anak Satu"}}


def test_rows_among_gives_each_row_once_with_the_statements_other_parameters(
    store: SqlEventStore,
) -> None:
    for stream in ("a", "b", "c"):
        store.append(
            stream,
            "tally",
            NO_STREAM,
            [
                new_event(f"{stream}1", event_type="test.kept"),
                new_event(f"{stream}2", event_type="test.other"),
            ],
        )
    query = select(events.c.event_id).where(events.c.event_type == bindparam("kind"))

    with store.reader() as driver:
        rows = sql.Reader(store.engine.dialect, driver).rows_among(
            query, events.c.stream_id, ["a", "b", "a", "z"], {"kind": "test.kept"}
        )

    assert sorted(r["event_id"] for r in rows) == ["a1", "b1"]


def test_update_of_an_event_row_is_refused_by_the_database(store: SqlEventStore) -> None:
    store.append("a", "tally", NO_STREAM, [new_event("a1")])

    with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
        conn.execute(text("UPDATE events SET stream_id = 'z' WHERE position = 1"))

    assert store.read_stream("a")[0].event_id == "a1"


def test_delete_of_an_event_row_is_refused_by_the_database(store: SqlEventStore) -> None:
    store.append("a", "tally", NO_STREAM, [new_event("a1")])

    with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
        conn.execute(text("DELETE FROM events"))

    assert len(store.read_all()) == 1


def test_recorded_at_never_goes_backwards_even_if_the_clock_does(store: SqlEventStore) -> None:
    real_clock = store.clock
    store.append("a", "tally", NO_STREAM, [new_event("a1")])
    first = store.read_all()[0].recorded_at
    store.clock = lambda: first.replace(year=first.year - 1)

    store.append("a", "tally", ANY, [new_event("a2")])
    store.clock = real_clock

    second = store.read_all()[1].recorded_at
    assert second >= first
    assert store.verify().ok


def test_the_columns_beside_the_body_match_it(store: SqlEventStore) -> None:
    store.append("a", "tally", NO_STREAM, [new_event("a1")])

    with store.engine.connect() as conn:
        row = conn.execute(select(events.c.stream_id, events.c.wilayah)).one()

    assert tuple(row) == ("a", "32.79.02.1001")
