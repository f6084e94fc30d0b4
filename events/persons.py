"""Which data keys hold which person's data (``person_keys``), so one erasure finds them all.

A part sealed per person is listed when it is sealed: its person is its key. A whole part
(an event from before keys were per person, sealed under its stream's key with every
person's fields in it) is listed later, by ``index_whole_parts``: it is opened, split the
way its fact splits its personal part now, and each person found in it is listed as held
by the stream's key too. Erasing one of them then erases that key, and with it the other
persons' fields in those old events (their later parts, per person, are not touched).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import orjson
from sqlalchemy import Connection, select

from domain.fact import PersonalPart
from events.envelope import WHOLE, JsonObject, SealedPersonal
from events.personal import opened_part
from events.projections.upsert import insert_for
from events.registry import UnknownEventType
from events.rows import row_to_event
from events.schema import events, person_keys, projection_checkpoints

if TYPE_CHECKING:
    from events.store import SqlEventStore

CHECKPOINT: Final = "person-keys (whole parts)"
_CHUNK: Final = 2000


@dataclass(frozen=True)
class Held:
    """A person ``person`` is ``subject`` of ``stream_id``, her fields under ``key_id``."""

    stream_id: str
    subject: str
    person: str
    key_id: str


def record(conn: Connection, held: Iterable[Held]) -> None:
    """List persons' keys (again: nothing changes)."""
    rows = [h.__dict__ for h in held]
    if rows:
        statement = insert_for(conn.dialect.name, person_keys).on_conflict_do_nothing()
        conn.execute(statement, rows)


def persons_of(conn: Connection, stream_id: str, subject: str) -> list[str]:
    """The persons who are ``subject`` of ``stream_id`` (several: her NIK came later)."""
    table = person_keys
    query = select(table.c.person).where(table.c.stream_id == stream_id, table.c.subject == subject)
    return sorted(set(conn.execute(query).scalars()))


def holdings(conn: Connection, persons: Sequence[str]) -> list[Held]:
    """Every listing of these persons: where they are named, under which keys."""
    table = person_keys
    query = select(table).where(table.c.person.in_(list(persons)))
    return [Held(*row) for row in conn.execute(query)]


def index_whole_parts(store: SqlEventStore) -> int:
    """List the persons of whole parts appended since the last call; returns the events
    read. Run before an erasure or an export, so that old events are found too."""
    with store.engine.connect() as conn:
        found = conn.execute(
            select(projection_checkpoints.c.position).where(
                projection_checkpoints.c.name == CHECKPOINT
            )
        ).scalar_one_or_none()
    after, read = int(found or 0), 0
    while True:
        with store.writer(lock=False) as conn:
            rows = conn.execute(
                select(events.c.position, events.c.body)
                .where(events.c.position > after)
                .order_by(events.c.position)
                .limit(_CHUNK)
            ).all()
            if not rows:
                return read
            record(conn, _whole_holdings(store, conn, [(int(p), bytes(b)) for p, b in rows]))
            after, read = int(rows[-1][0]), read + len(rows)
            _checkpoint(conn, after, first=found is None)
            found = after


def _whole_holdings(
    store: SqlEventStore, conn: Connection, rows: list[tuple[int, bytes]]
) -> list[Held]:
    docs = [doc for _, body in rows if _is_whole((doc := orjson.loads(body)).get("personal"))]
    keys = store.keyring.load(conn, {d["personal"]["key_id"] for d in docs})
    held: list[Held] = []
    for doc in docs:
        stream_id, key_id = doc["stream_id"], doc["personal"]["key_id"]
        sealed = SealedPersonal.from_json(doc["personal"])
        opened = opened_part(keys, doc["event_id"], sealed)
        parts = _split(store, doc, opened.plain) if opened.readable else ()
        held.append(Held(stream_id, WHOLE, key_id, key_id))  # the stream's own key
        for part in parts:
            person = store.keyring.key_id_for(conn, stream_id, part, store.clock())
            held.append(Held(stream_id, part.subject, person, key_id))
    return held


def _split(store: SqlEventStore, doc: JsonObject, plain: JsonObject) -> tuple[PersonalPart, ...]:
    """The persons of an old event's personal part, as its fact splits it now."""
    event = row_to_event(0, "", "", orjson.dumps(doc))
    try:
        fact = store.registry.to_fact(event, plain)
    except (UnknownEventType, ValueError):
        return ()  # a type this version does not know: the stream's key stands for all
    return fact.personal_parts()


def _is_whole(personal: object) -> bool:
    return isinstance(personal, dict) and "key_id" in personal


def _checkpoint(conn: Connection, position: int, *, first: bool) -> None:
    table = projection_checkpoints
    if first:
        conn.execute(table.insert().values(name=CHECKPOINT, position=position))
    else:
        conn.execute(table.update().where(table.c.name == CHECKPOINT).values(position=position))
