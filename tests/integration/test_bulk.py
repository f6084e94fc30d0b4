"""Many rows of an INSERT or upsert as one statement of arrays (events/bulk.py) store what
the rows one by one would, on both databases."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime

import psycopg
import pytest
from sql_tally import Tally
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import ClauseElement

from api.services import Services
from events import bulk, sql
from events.projections.upsert import insert_for
from events.timefmt import as_utc

metadata = MetaData()
tally_rows = Table(
    "test_bulk_rows",
    metadata,
    Column("key", String(20), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("day", Date, nullable=True),
    Column("at", DateTime(timezone=True), nullable=True),
    Column("flag", Boolean, nullable=True),
    Column("blob", LargeBinary, nullable=True),
)
AT = datetime(2026, 12, 8, 1, 2, 3, 456789, tzinfo=UTC)
ROWS = [
    {"key": "a", "count": 1, "day": date(2026, 1, 31), "at": AT, "flag": True, "blob": b"\x00\x01"},
    {"key": "b", "count": 2, "day": None, "at": None, "flag": None, "blob": None},
    {"key": "c", "count": 3, "day": date(2024, 2, 29), "at": AT, "flag": False, "blob": b""},
]


@pytest.fixture
def table(services: Services) -> Iterator[Table]:
    metadata.create_all(services.engine)
    yield tally_rows
    metadata.drop_all(services.engine)


def adding(dialect: str) -> ClauseElement:
    """An upsert that adds the new count to the stored one."""
    statement = insert_for(dialect, tally_rows)
    return statement.on_conflict_do_update(
        index_elements=["key"], set_={"count": tally_rows.c.count + statement.excluded.count}
    )


def stored(services: Services) -> list[tuple[object, ...]]:
    with services.engine.connect() as conn:
        rows = conn.execute(select(tally_rows).order_by(tally_rows.c.key))
        return [(r.key, r.count, r.day, r.at and as_utc(r.at), r.flag, r.blob) for r in rows]


def test_an_upsert_of_many_rows_stores_what_one_row_at_a_time_stores(
    services: Services, table: Table
) -> None:
    upsert = adding(services.engine.dialect.name)
    with services.engine.begin() as conn:
        sql.execute_many(conn, upsert, ROWS)
        sql.execute_many(conn, upsert, [{**ROWS[0], "count": 10}, {**ROWS[2], "count": 30}])

    assert stored(services) == [
        ("a", 11, date(2026, 1, 31), AT, True, b"\x00\x01"),
        ("b", 2, None, None, None, None),
        ("c", 33, date(2024, 2, 29), AT, False, b""),
    ]


def test_rows_that_would_update_one_row_twice_go_one_by_one(
    services: Services, table: Table
) -> None:
    upsert = adding(services.engine.dialect.name)
    with services.engine.begin() as conn:
        sql.execute_many(conn, upsert, [ROWS[1], {**ROWS[1], "count": 5}, ROWS[2]])

    assert [(key, count) for key, count, *_ in stored(services)] == [("b", 7), ("c", 3)]


def test_many_rows_are_one_statement_on_postgresql_and_one_a_row_on_sqlite(
    services: Services, table: Table
) -> None:
    tally = Tally()
    tally.watch(services.engine)
    dialect = services.engine.dialect.name
    with services.engine.begin() as conn:
        sql.execute_many(conn, adding(dialect), ROWS)

    assert tally.kinds["UPSERT test_bulk_rows"] == (1 if dialect == "postgresql" else len(ROWS))
    assert [key for key, *_ in stored(services)] == ["a", "b", "c"]


def test_columns_of_other_types_keep_one_statement_a_row(services: Services) -> None:
    documents = Table("test_bulk_documents", MetaData(), Column("doc", JSON))
    text = "INSERT INTO test_bulk_documents (doc) VALUES (%(doc)s)"

    assert bulk.unnested(text, documents, services.engine.dialect) is None


def test_a_text_too_long_for_its_column_fares_alike_in_one_row_and_in_many(
    services: Services, table: Table
) -> None:
    too_long = {**ROWS[0], "key": "k" * 21}
    postgres = services.engine.dialect.name == "postgresql"
    for rows in ([too_long], [too_long, ROWS[1]]):
        with contextlib.suppress(psycopg.DataError), services.engine.begin() as conn:
            sql.execute_many(conn, adding(services.engine.dialect.name), rows)
            assert not postgres, "PostgreSQL refuses a text longer than its column"
        held = {key for key, *_ in stored(services)}
        assert held == (set() if postgres else {"k" * 21, *(["b"] if len(rows) > 1 else [])})


def test_a_column_of_mixed_python_types_goes_one_row_at_a_time() -> None:
    dialect = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]
    text = str(adding("postgresql").compile(dialect=dialect))
    mixed = [ROWS[0], {**ROWS[2], "count": True}]  # an int, and a bool, for one column

    assert bulk.one_statement(text, tally_rows, dialect, [ROWS[0], ROWS[2]]) is not None
    assert bulk.one_statement(text, tally_rows, dialect, mixed) is None
