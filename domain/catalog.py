"""Every fact class the log may hold, for the registry of stored names; every stream's decider."""

from __future__ import annotations

from typing import Any

from domain.area.decider import AreaDecider
from domain.area.events import AREA_FACTS
from domain.audit.events import ACCESS_FACTS
from domain.child.decider import ChildDecider
from domain.child.events import CHILD_FACTS
from domain.fact import Decider, Fact
from domain.meeting.decider import MeetingDecider, ResolutionDecider
from domain.meeting.events import MEETING_FACTS, RESOLUTION_FACTS
from domain.principal.decider import PrincipalDecider
from domain.principal.events import PRINCIPAL_FACTS
from domain.sponsor.decider import CommitmentDecider, FamilyDecider, SponsorDecider
from domain.sponsor.events import COMMITMENT_FACTS, FAMILY_FACTS, SPONSOR_FACTS
from domain.webhook.decider import SubscriptionDecider
from domain.webhook.events import SUBSCRIPTION_FACTS

FACTS: tuple[type[Fact], ...] = (
    *PRINCIPAL_FACTS,
    *AREA_FACTS,
    *CHILD_FACTS,
    *ACCESS_FACTS,
    *MEETING_FACTS,
    *RESOLUTION_FACTS,
    *FAMILY_FACTS,
    *SPONSOR_FACTS,
    *COMMITMENT_FACTS,
    *SUBSCRIPTION_FACTS,
)

DECIDERS: tuple[Decider[Any, Any], ...] = (
    PrincipalDecider(),
    AreaDecider(),
    ChildDecider(),
    MeetingDecider(),
    ResolutionDecider(),
    FamilyDecider(),
    SponsorDecider(),
    CommitmentDecider(),
    SubscriptionDecider(),
)
