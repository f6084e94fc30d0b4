"""Rujukan: a child sent on to the puskesmas, followed until the referral ends.

The states and the moves between them (value types and pure functions; the integration
turns each move into an event on the child's stream)::

    refer ──> REFERRED ──visit──> VISITED ──close──> CLOSED
                  │                 │  ↺ visit
                  └──lost──> LOST <─┘

* A referral names where to (a puskesmas), why, the day and who referred (a principal).
* A **visit** (arrived and seen) records the day, the findings and the action taken (PMT,
  treatment, counselling, a further referral, other); an open referral may have several.
* **Closing** needs at least one visit and states the outcome; **lost to follow-up** ends a
  referral with or without visits. An ended referral takes no further move.
* Days are never before the referral, and closing or losing never before the last visit.
* **Overdue**: still without a visit more than ``OVERDUE_AFTER_DAYS`` (14) days after the
  day referred, as a function of today (day 14 is not overdue, day 15 is).

A move that does not fit the state is a ``ReferralConflict`` (409); a bad day or an empty
text is a ``DomainError`` (422) naming its field. ``findings`` and ``outcome`` are free
text a health worker writes: the integration keeps them out of plain event payloads if
they may name a person.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Final

from domain.fact import DomainError, StateConflict

OVERDUE_AFTER_DAYS: Final = 14


class ReferralConflict(StateConflict):
    """A move that does not fit the referral's state (visiting a closed one, closing twice)."""

    code = "referral-state"


class ReferralStatus(StrEnum):
    """Where a referral stands."""

    REFERRED = "referred"
    VISITED = "visited"
    CLOSED = "closed"
    LOST = "lost_to_follow_up"


class VisitAction(StrEnum):
    """What the puskesmas did at a visit."""

    PMT = "pmt"  # pemberian makanan tambahan: supplementary feeding
    TREATMENT = "treatment"
    COUNSELLING = "counselling"
    FURTHER_REFERRAL = "further_referral"  # rujuk lanjut, e.g. to a hospital
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Visit:
    """The child arrived and was seen."""

    seen_on: date
    findings: str
    action: VisitAction


@dataclass(frozen=True, slots=True)
class Referral:
    """A referral and what happened to it so far."""

    to: str
    reason: str
    referred_on: date
    by: str
    visits: tuple[Visit, ...] = ()
    outcome: str | None = None
    ended_on: date | None = None
    lost: bool = False

    @property
    def status(self) -> ReferralStatus:
        """The referral's state."""
        if self.lost:
            return ReferralStatus.LOST
        if self.ended_on is not None:
            return ReferralStatus.CLOSED
        return ReferralStatus.VISITED if self.visits else ReferralStatus.REFERRED

    @property
    def open(self) -> bool:
        """Whether the referral has not ended (closed or lost)."""
        return self.ended_on is None

    @property
    def last_day(self) -> date:
        """The latest day recorded on it: the last visit's, or the day referred."""
        return max([self.referred_on, *(v.seen_on for v in self.visits)])


def refer(to: str, reason: str, referred_on: date, by: str) -> Referral:
    """A new referral, open and waiting for its first visit."""
    for name, text in (("to", to), ("reason", reason), ("by", by)):
        _required(name, text)
    return Referral(to.strip(), reason.strip(), referred_on, by.strip())


def record_visit(referral: Referral, visit: Visit) -> Referral:
    """The referral with ``visit`` added (visits kept in day order)."""
    _still_open(referral, "visited")
    _not_before(visit.seen_on, referral.referred_on, "seen_on", "the day referred")
    _required("findings", visit.findings)
    visits = sorted((*referral.visits, visit), key=lambda v: v.seen_on)
    return replace(referral, visits=tuple(visits))


def close(referral: Referral, outcome: str, closed_on: date) -> Referral:
    """The referral closed with ``outcome``; it needs a visit first."""
    _still_open(referral, "closed")
    if not referral.visits:
        raise ReferralConflict("a referral is closed after a visit; record the visit first")
    _required("outcome", outcome)
    _not_before(closed_on, referral.last_day, "closed_on", "the last visit")
    return replace(referral, outcome=outcome.strip(), ended_on=closed_on)


def mark_lost(referral: Referral, lost_on: date) -> Referral:
    """The referral ended as lost to follow-up."""
    _still_open(referral, "marked lost")
    _not_before(lost_on, referral.last_day, "lost_on", "the last day recorded on it")
    return replace(referral, ended_on=lost_on, lost=True)


def days_open(referral: Referral, today: date) -> int:
    """Days since the referral (0 on the day, never negative), until it ended."""
    until = referral.ended_on if referral.ended_on is not None else today
    return max(0, (until - referral.referred_on).days)


def is_overdue(referral: Referral, today: date, after_days: int = OVERDUE_AFTER_DAYS) -> bool:
    """Whether the referral is still waiting for its first visit after ``after_days`` days."""
    return referral.status is ReferralStatus.REFERRED and days_open(referral, today) > after_days


def _still_open(referral: Referral, move: str) -> None:
    if not referral.open:
        raise ReferralConflict(f"this referral is {referral.status.value} and cannot be {move}")


def _not_before(day: date, earliest: date, field: str, what: str) -> None:
    if day < earliest:
        raise DomainError(f"{field} cannot be before {what} ({earliest.isoformat()})", field=field)


def _required(field: str, text: str) -> None:
    if not text.strip():
        raise DomainError(f"{field} must not be empty", field=field)
