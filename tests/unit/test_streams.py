"""Every decider's table is whole: each fact of its stream changes its state, and no kind of
command or fact is named by two of its functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from domain.area.decider import AreaDecider
from domain.area.events import AREA_FACTS, AreaRegistered
from domain.child.decider import ChildDecider
from domain.child.events import CHILD_FACTS
from domain.fact import Command, Fact
from domain.meeting.decider.meeting import MeetingDecider
from domain.meeting.decider.resolution import ResolutionDecider
from domain.meeting.events import MEETING_FACTS, RESOLUTION_FACTS
from domain.principal.decider import PrincipalDecider
from domain.principal.events import PRINCIPAL_FACTS
from domain.sponsor.decider.commitment import CommitmentDecider
from domain.sponsor.decider.family import FamilyDecider
from domain.sponsor.decider.sponsor import SponsorDecider
from domain.sponsor.events import COMMITMENT_FACTS, FAMILY_FACTS, SPONSOR_FACTS
from domain.streams import StreamDecider
from domain.webhook.decider import SubscriptionDecider
from domain.webhook.events import SUBSCRIPTION_FACTS

STREAMS = [
    (AreaDecider, AREA_FACTS),
    (ChildDecider, CHILD_FACTS),
    (MeetingDecider, MEETING_FACTS),
    (ResolutionDecider, RESOLUTION_FACTS),
    (PrincipalDecider, PRINCIPAL_FACTS),
    (SponsorDecider, SPONSOR_FACTS),
    (FamilyDecider, FAMILY_FACTS),
    (CommitmentDecider, COMMITMENT_FACTS),
    (SubscriptionDecider, SUBSCRIPTION_FACTS),
]


@pytest.mark.parametrize(("decider", "facts"), STREAMS, ids=lambda d: getattr(d, "__name__", ""))
def test_each_fact_of_a_stream_has_its_change_and_no_other_is_named(
    decider: type[StreamDecider[Command, Any]], facts: tuple[type[Fact], ...]
) -> None:
    assert set(decider._changes) == set(facts)


@dataclass(frozen=True)
class _State:
    exists: bool = False


def _first(state: _State, fact: AreaRegistered) -> _State:
    return state


def _second(state: _State, fact: AreaRegistered) -> _State:
    return state


def test_a_decider_naming_one_kind_of_fact_twice_is_refused_when_declared() -> None:
    with pytest.raises(TypeError, match="AreaRegistered is named by two functions"):

        class Twice(StreamDecider[Command, _State]):
            stream_type = "twice"
            rules = ()
            changes = (_first, _second)
