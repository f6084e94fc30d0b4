"""Every fact its model accepts can be stored, read back, folded, exported and verified.

For each event type of the registry, hypothesis draws payloads from the fact model's own
JSON Schema and keeps those the model accepts; each is appended through the real store
(with its inline projections), read back as the same fact, folded by its aggregate,
exported as NDJSON and checked by the independent verifier, on SQLite and PostgreSQL. A
fact the model accepts but the log cannot hold (a year before 1000 written unpadded, NaN,
an integer beyond 2^53 or beyond a column, a NUL on PostgreSQL) fails here.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, reject, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from api.identity.accounts import operator_meta
from api.services import Services
from domain.area import events as a
from domain.catalog import DECIDERS, FACTS
from domain.child import events as c
from domain.fact import Fact
from domain.meeting import events as m
from domain.principal import events as p
from domain.sponsor import events as s
from domain.webhook import events as w
from events import feed
from events.envelope import NO_STREAM
from tests.support.deciders import folded
from tests.support.schema_values import from_schema
from tests.support.verifier import verifier

EVERYONE = feed.Selection(reach=("*",))


def _draw(draw: st.DrawFn, fact_class: type[Fact]) -> Fact:
    document = draw(from_schema(fact_class.model_json_schema()))
    try:
        return fact_class.model_validate(document)
    except ValidationError:
        reject()


def _stream_type(fact_class: type[Fact]) -> str:
    return fact_class.event_type.split(".", 1)[0]


# What a stream holds before a fact of these types: its first fact, and for a change of one
# measurement or delivery that measurement or delivery (the id is then shared).
_FIRST: dict[str, type[Fact]] = {
    "area": a.AreaRegistered,
    "child": c.ChildRegistered,
    "meeting": m.MeetingPlanned,
    "resolution": m.ResolutionAdopted,
    "family": s.FamilyRegistered,
    "commitment": s.CommitmentMade,
    "principal": p.PrincipalCreated,
    "subscription": w.SubscriptionCreated,
}
_SHARED: dict[type[Fact], tuple[type[Fact], str, str]] = {
    c.MeasurementCorrected: (c.MeasurementRecorded, "measurement_id", "measurement_id"),
    c.MeasurementVoided: (c.MeasurementRecorded, "measurement_id", "measurement_id"),
    s.DeliveryVerified: (s.DeliveryRecorded, "delivery", "delivery"),
}


def _key(first: Fact) -> str:
    """What the stream's id names: an area by its code, anything else by a new UUID."""
    return first.code if isinstance(first, a.AreaRegistered) else str(uuid.uuid4())


@st.composite
def _stream(draw: st.DrawFn, fact_class: type[Fact]) -> list[Fact]:
    """A stream that ends with a drawn fact of ``fact_class``, every fact drawn."""
    fact = _draw(draw, fact_class)
    first = _FIRST.get(_stream_type(fact_class))
    before: list[Fact] = []
    if first is not None and first is not fact_class:
        before.append(_draw(draw, first).model_copy(update={"wilayah": fact.wilayah}))
    if fact_class in _SHARED:
        earlier, mine, theirs = _SHARED[fact_class]
        shared = {theirs: getattr(fact, mine), "wilayah": fact.wilayah}
        before.append(_draw(draw, earlier).model_copy(update=shared))
    return [*before, fact]


@pytest.mark.parametrize("fact_class", FACTS, ids=lambda c: c.event_type)
@settings(
    max_examples=8,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking replays the store
    # A stream is several draws, each kept only if its model accepts it: some are refused.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(data=st.data())
def test_every_fact_its_model_accepts_round_trips(
    services: Services, fact_class: type[Fact], data: st.DataObject
) -> None:
    facts = data.draw(_stream(fact_class))
    store, registry, kind = services.store, services.registry, _stream_type(fact_class)
    stream = f"{kind}-{_key(facts[0])}"
    if store.read_stream(stream):  # an area code drawn again in another example
        reject()
    new = [registry.to_new(f, str(uuid.uuid4()), operator_meta()) for f in facts]

    stored = store.append(stream, kind, NO_STREAM, new)
    read = store.read_stream(stream)
    personal = store.open_personal(read)
    back = [registry.to_fact(e, personal.get(e.event_id)) for e in read]
    first, last = stored[0].position, stored[-1].position
    lines = b"".join(feed.export(services.engine, EVERYONE, first - 1, last))
    verdict = verifier().walk(lines.decode().split("\n")[:-1], partial=True)

    assert back == facts
    assert [e.body for e in read] == [e.body for e in stored]
    assert _folded(kind, back)
    assert store.verify(first, last).ok
    assert (verdict.ok, verdict.checked) == (True, len(facts)), verdict.reason


_DECIDERS: dict[str, Any] = {d.stream_type: d for d in DECIDERS}


def _folded(kind: str, facts: list[Fact]) -> bool:
    """The stream's aggregate folds its facts (the state is not inspected)."""
    decider = _DECIDERS.get(kind)
    if decider is not None:
        folded(decider, *facts)
    return True
