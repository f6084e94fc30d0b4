"""The data subject's right of access (UU PDP 27/2022, art. 7): everything Tumbuh holds about
a child and its mother, decrypted, and who was shown their personal data, and when.

The child's record is its stream: every event, its personal part opened. The mother may be
named in other records too (her family's, an older registration): where her NIK makes her
the same person, those events are included with her part only. The read-access log gives
who read the child's record unmasked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from api.services import Services
from domain.audit.events import STREAM_TYPE, PersonalDataRead
from domain.child import events as e
from events import persons, statements
from events.envelope import JsonObject, RecordedEvent, SealedPersonal
from events.personal import opened_part
from events.rows import row_to_event
from events.schema import events


@dataclass(frozen=True)
class Shown:
    """One event as the subject is shown it: its facts and her personal fields."""

    event: RecordedEvent
    personal: JsonObject | None
    erased: tuple[str, ...]


@dataclass(frozen=True)
class Holding:
    """What is held about a child and its mother."""

    child: list[Shown]
    mother: list[Shown]
    reads: list[RecordedEvent] = field(default_factory=list)


def holding(services: Services, stream_id: str) -> Holding:
    """The child's stream opened, the mother's parts in other streams, the reads."""
    store = services.store
    persons.index_whole_parts(store)  # an older record naming the mother is found too
    own = store.read_stream(stream_id)
    opened = store.open_parts(own)
    child = [
        Shown(x, opened[x.event_id].plain, opened[x.event_id].erased)
        if x.event_id in opened
        else Shown(x, None, ())
        for x in own
    ]
    return Holding(child, _mothers(services, stream_id), _reads(services, stream_id, own))


def _mothers(services: Services, stream_id: str) -> list[Shown]:
    """The mother's parts in the other streams that name her."""
    with services.engine.connect() as conn:
        mothers = persons.persons_of(conn, stream_id, "mother")
        held = [h for h in persons.holdings(conn, mothers) if h.stream_id != stream_id]
        keys = services.store.keyring.load(conn, {h.key_id for h in held})
    hers = {h.key_id for h in held}
    shown: list[Shown] = []
    for other in sorted({h.stream_id for h in held}):
        for event in services.store.read_stream(other):
            if event.personal is None or not hers & set(event.personal.key_ids):
                continue
            mine = SealedPersonal(tuple(p for p in event.personal.parts if p.key_id in hers))
            part = opened_part(keys, event.event_id, mine)
            shown.append(Shown(event, part.plain or None, part.erased))
    return shown


def _reads(services: Services, stream_id: str, own: Sequence[RecordedEvent]) -> list[RecordedEvent]:
    """The recorded unmasked reads of the child's record, in the desa it was in."""
    areas = sorted(_desas(own))
    query = (
        select(*statements.ROW)
        .where(
            events.c.stream_type == STREAM_TYPE,
            events.c.event_type == PersonalDataRead.event_type,
            events.c.wilayah.in_(areas),
        )
        .order_by(events.c.position)
    )
    with services.engine.connect() as conn:
        found = [row_to_event(*row) for row in conn.execute(query)]
    return [read for read in found if read.payload.get("subject") == stream_id]


def _desas(own: Sequence[RecordedEvent]) -> set[str]:
    desas: set[str] = set()
    for event in own:
        if event.event_type == e.ChildRegistered.event_type:
            desas.add(str(event.payload["desa"]))
        elif event.event_type == e.ChildMoved.event_type:
            desas |= {str(event.payload["from_desa"]), str(event.payload["to_desa"])}
    return desas
