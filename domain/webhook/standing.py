"""Whether a subscription's owner may read what the subscription sends; pure.

A subscription sends events of the kinds its types name (every kind when none is named)
about areas under its prefix. Its owner must hold ``webhooks:manage`` and the read scope of
each kind (``STREAM_READ_SCOPES``: ``children:read`` for ``child.``, ``sponsors:read`` for
``family.`` and ``commitment.``, …), reach the prefix, be enabled, and not be a role that
reads only its own records. Checked when the subscription is made (else 403) and before
every batch sent (else the subscription is paused with the reason).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from domain.access import OWN_RECORDS_ONLY, STREAM_READ_SCOPES, Reach, Role
from domain.webhook.decider import kind

MANAGE: Final = "webhooks:manage"


@dataclass(frozen=True)
class Owner:
    """The owner of a subscription as it stands now."""

    role: Role | None
    scopes: frozenset[str]
    reach: Reach
    disabled: bool = False


def needed_scopes(event_types: Sequence[str]) -> frozenset[str]:
    """The scopes that read every event a subscription to ``event_types`` may send."""
    kinds = {kind(t) for t in event_types} or set(STREAM_READ_SCOPES)
    return frozenset({MANAGE, *(STREAM_READ_SCOPES[k] for k in kinds if k in STREAM_READ_SCOPES)})


def refusal(owner: Owner | None, event_types: Sequence[str], area_prefix: str) -> str | None:
    """Why the owner may not receive what the subscription sends, or None if it may."""
    if owner is None:
        return "the owner is not a principal of this installation"
    if owner.disabled:
        return "the owner is disabled"
    if owner.role in OWN_RECORDS_ONLY:
        return f"the {owner.role} role reads only its own records and cannot subscribe"
    missing = sorted(needed_scopes(event_types) - owner.scopes)
    if missing:
        return f"the owner does not hold the scope {missing[0]}"
    if not owner.reach.covers(area_prefix):
        return f"the area prefix {area_prefix} is outside the owner's reach"
    return None
