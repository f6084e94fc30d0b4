"""Projections: inline updates, rebuilds and catch-up all arrive at the same tables."""

from __future__ import annotations

import uuid
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from api.services import Services
from events.database import snapshot
from events.envelope import ANY
from events.projections import figures
from events.projections.streams import streams
from events.schema import projection_checkpoints
from events.store import SqlEventStore
from tests.integration.conftest import new_event

_appends = st.lists(
    st.tuples(
        st.integers(0, 7),
        st.integers(1, 3),
        st.sampled_from([None, "32.79.02.1001", "32.79.01.2001"]),
    ),
    min_size=1,
    max_size=25,
)


def _table(store: SqlEventStore) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(streams).order_by(streams.c.stream_id)).all()
    return [tuple(r) for r in rows]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=_appends)
def test_a_rebuild_gives_exactly_what_incremental_updates_gave(
    services: Services, history: list[tuple[int, int, str | None]]
) -> None:
    store = services.store
    prefix = uuid.uuid4().hex[:8]  # hypothesis reuses the store across examples
    for n, (stream, count, wilayah) in enumerate(history):
        batch = [new_event(f"{prefix}-{n}-{i}", wilayah=wilayah) for i in range(count)]
        store.append(f"{prefix}-s{stream}", "tally", ANY, batch)
    incremental = _table(store)

    services.projections.rebuild(store)

    assert _table(store) == incremental
    assert services.projections.checkpoints_now(store)["streams"] == store.head().position


def test_inline_projection_is_read_your_writes(store: SqlEventStore) -> None:
    store.append("a", "tally", ANY, [new_event("a1", wilayah="32.79.02.1001")])
    store.append("a", "tally", ANY, [new_event("a2", wilayah=None)])

    rows = _table(store)

    assert [(r[0], r[2], r[3], r[4], r[5]) for r in rows] == [("a", 2, "32.79.02.1001", 1, 2)]


def test_a_projection_without_a_checkpoint_is_caught_up_from_the_log(
    services: Services,
) -> None:
    store = services.store
    store.append("a", "tally", ANY, [new_event("a1"), new_event("a2")])
    with store.engine.begin() as conn:
        conn.execute(projection_checkpoints.delete())
        conn.execute(streams.delete())

    replayed = services.projections.catch_up(store)

    assert replayed == 2
    assert _table(store)[0][2] == 2


def test_a_projection_without_a_checkpoint_is_rebuilt_over_what_its_tables_held(
    services: Services,
) -> None:
    # Rows a projection holds without a checkpoint are not its own: the replay starts clean
    # (a stream-local replay inserts without reading; a stale row would collide or survive).
    store = services.store
    store.append("a", "tally", ANY, [new_event("a1"), new_event("a2")])
    built = _table(store)
    with store.engine.begin() as conn:
        conn.execute(projection_checkpoints.delete())
        conn.execute(streams.update().values(first_position=99, wilayah="32.79"))
        stale = {**dict(zip(streams.c.keys(), built[0], strict=True)), "stream_id": "stale"}
        conn.execute(streams.insert().values(stale))

    services.projections.catch_up(store)

    assert _table(store) == built


def test_the_months_and_spans_of_more_children_than_a_statement_holds_parameters(
    services: Services,
) -> None:
    # More ids than SQLite (32,766) or PostgreSQL (65,535) takes in one statement.
    ids = [str(uuid.UUID(int=n)) for n in range(70_000)]
    with snapshot(services.engine) as conn:
        months = figures.month_rows(conn, "32.79", ["2025-05"], ids=ids)
        spans = figures.span_rows(conn, "32.79", date(2025, 5, 1), date(2025, 5, 31), ids)

    assert (months, spans) == ([], [])
