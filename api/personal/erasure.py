"""Erasing a person's personal data at her request (UU PDP 27/2022, art. 8 and 43).

The person is named by a record that holds her data and her place in it: a child, a
child's mother, a family's head or one of its mothers, a sponsor, an official named at a
meeting. Every data key that holds her data is destroyed, in every stream that names her
(her NIK, or an official's name, makes her one person across records), in the same
transaction as the ``access.personal_erased`` event that records who erased whom and why.
The log itself does not change, so the chain still verifies; afterwards the key table's
files are cleared of the destroyed keys' old copies (``events.shredding``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from api.identity.access import Principal, ensure_writable
from api.services import Services
from domain.audit.events import STREAM_TYPE, PersonalDataErased, access_stream
from domain.child.decider import stream_id as child_stream
from domain.fact import NotFound, StateConflict, name_identifier
from domain.meeting import events as meeting_events
from domain.meeting.decider import meeting_stream
from domain.sponsor.decider import FAMILY_PREFIX, SPONSOR_PREFIX
from events import persons
from events.crypto import PERSON_PREFIX
from events.envelope import ANY, JsonObject, StreamAppend
from events.handling import new_event_id
from events.projections import children as child_index
from events.projections import meetings as meeting_index
from events.projections import sponsors as sponsor_index
from events.schema import subject_keys
from events.shredding import Compaction


@dataclass(frozen=True)
class Target:
    """Whose data: the ``subject`` of ``stream_id`` (or exactly ``persons`` of it)."""

    stream_id: str
    subject: str
    wilayah: str | None
    persons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Erased:
    """What an erasure did."""

    target: Target
    keys: tuple[str, ...]  # the data keys destroyed now
    streams: tuple[str, ...]  # every stream that named the person
    position: int  # of the event that records it
    compaction: Compaction


def erase(services: Services, target: Target, reason: str, meta: JsonObject) -> Erased:
    """Destroy every data key of the target's person and record it (404: no personal data
    of hers is kept; 409: it was erased already)."""
    store = services.store
    persons.index_whole_parts(store)  # events from before keys were per person, too
    with services.engine.connect() as conn:
        found = target.persons or tuple(persons.persons_of(conn, target.stream_id, target.subject))
        held = persons.holdings(conn, found) if found else []
        keys = sorted({h.key_id for h in held})
        live = set(
            conn.execute(
                select(subject_keys.c.key_id).where(
                    subject_keys.c.key_id.in_(keys), subject_keys.c.erased_at.is_(None)
                )
            ).scalars()
        )
    if not held:
        raise NotFound(f"no personal data of this {_what(target.subject)} is kept")
    if not live:
        raise StateConflict(f"the personal data of this {_what(target.subject)} was erased")
    streams = tuple(sorted({h.stream_id for h in held}))
    fact = PersonalDataErased(
        occurred_at=services.clock(),
        wilayah=target.wilayah,
        subject=target.stream_id,
        person=target.subject,
        keys=tuple(sorted(live)),
        streams=streams,
        reason=reason,
    )
    new = store.registry.to_new(fact, new_event_id(), meta)
    record = StreamAppend(access_stream(str(meta["actor"])), STREAM_TYPE, ANY, (new,))
    recorded, erased, compaction = store.erase_recorded(sorted(live), record)
    return Erased(target, tuple(erased), streams, recorded[0].position, compaction)


def child(services: Services, caller: Principal, child_id: object, subject: str) -> Target:
    """The child (``child``) or its mother (``mother``) as the child's record names them."""
    with services.engine.connect() as conn:
        row = child_index.find_child(conn, str(child_id))
    if row is None:
        raise NotFound("there is no such child")
    ensure_writable(caller, [str(row["desa"])], "child")
    return Target(child_stream(str(child_id)), subject, str(row["desa"]))


def family(services: Services, caller: Principal, family_id: object, subject: str) -> Target:
    """The family's head (``head``) or one of its mothers (``mother-<id>``)."""
    with services.engine.connect() as conn:
        found = sponsor_index.find_family(conn, str(family_id))
    if found is None:
        raise NotFound("there is no such family")
    ensure_writable(caller, [found[0].desa], "family")
    return Target(FAMILY_PREFIX + str(family_id), subject, found[0].desa)


def sponsor(services: Services, caller: Principal, sponsor_id: object) -> Target:
    """The sponsor (a person's name, a contact), if every one of its areas is in reach."""
    with services.engine.connect() as conn:
        found = sponsor_index.find_sponsor(conn, str(sponsor_id))
    if found is None:
        raise NotFound("there is no such sponsor")
    ensure_writable(caller, found[0].areas, "sponsor")
    return Target(SPONSOR_PREFIX + str(sponsor_id), "sponsor", None)


def official(services: Services, caller: Principal, meeting_id: object, number: int) -> Target:
    """The ``number``-th official (from 1) named at the meeting, as its answer lists them."""
    with services.engine.connect() as conn:
        found = meeting_index.find_meeting(conn, str(meeting_id))
    if found is None:
        raise NotFound("there is no such meeting")
    ensure_writable(caller, [found.state.area], "meeting")
    stream = meeting_stream(str(meeting_id))
    return Target(stream, "official", found.state.area, _official(services, stream, number))


def _official(services: Services, stream: str, number: int) -> tuple[str, ...]:
    latest = [
        e
        for e in services.store.read_stream(stream)
        if e.event_type == meeting_events.MeetingHeld.event_type and e.personal is not None
    ]
    opened = services.store.open_personal(latest[-1:]) if latest else {}
    named = [
        meeting_events.MeetingPersonal.model_validate(plain).officials
        for plain in opened.values()
        if plain is not None
    ]
    officials = named[0] if named else ()
    if not 1 <= number <= len(officials):
        raise NotFound("no official with this number is named (or his name was erased)")
    identifier = name_identifier(officials[number - 1].name)
    with services.store.writer(lock=False) as conn:
        pseudonym = services.store.keyring.pseudonym(conn, identifier, services.clock())
    return (PERSON_PREFIX + pseudonym,)


def _what(subject: str) -> str:
    return "mother" if subject.startswith("mother") else subject
