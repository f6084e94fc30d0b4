"""Fulfilment of a commitment: what was due by a day, what was delivered and verified.

- *Active days*: the days from the start to the day asked (or the end, if earlier),
  inclusive, less the days the commitment was paused (from the pause up to the resume).
- *Due periods*: ``daily`` one per active day; ``weekly`` one per started 7 active days;
  ``monthly`` one per started 30 active days; ``once`` one as soon as a day is active.
  ``due_rupiah`` = due periods x the amount.
- *Delivered*: the deliveries verified by a TPK or bidan, in Rupiah and in number; a
  delivery waiting for verification or rejected does not count.
- *Overdue*: active (not paused, ended or cancelled), and nothing verified for more than
  one period (7 days weekly, 30 monthly, 1 daily, 30 for a one-off) since the later of its
  start, its last resume and its last verified delivery.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from domain.sponsor.decider import CommitmentState
from domain.sponsor.events import CommitmentStatus, Frequency

PERIOD_DAYS: Final = {
    Frequency.DAILY: 1,
    Frequency.WEEKLY: 7,
    Frequency.MONTHLY: 30,
    Frequency.ONCE: 30,
}


@dataclass(frozen=True)
class Fulfilment:
    """A commitment's account on a day."""

    active_days: int
    due_periods: int
    due_rupiah: int
    delivered_rupiah: int
    delivered: int
    pending: int
    fulfilment: float | None
    overdue: bool
    last_verified: date | None


def due_periods(state: CommitmentState, today: date) -> int:
    """The periods of ``state`` started by ``today`` (its active days, less paused ones)."""
    return _periods(state, active_days(state, today))


def _periods(state: CommitmentState, active: int) -> int:
    if state.frequency is Frequency.ONCE:
        return 1 if active > 0 else 0
    return math.ceil(active / PERIOD_DAYS[state.frequency])


def fulfilment(state: CommitmentState, today: date) -> Fulfilment:
    """The account of ``state`` on ``today``."""
    active = active_days(state, today)
    every = PERIOD_DAYS[state.frequency]
    periods = _periods(state, active)
    due = periods * state.amount_rupiah
    verified = [d for d in state.deliveries if d.verified]
    delivered = sum(d.amount_rupiah for d in verified)
    last = max((d.on for d in verified), default=None)
    since = max(
        [state.start, *(p.until for p in state.pauses if p.until), *([last] if last else [])]
    )
    overdue = (
        state.status is CommitmentStatus.ACTIVE
        and state.start <= today
        and (today - since).days > every
    )
    return Fulfilment(
        active_days=active,
        due_periods=periods,
        due_rupiah=due,
        delivered_rupiah=delivered,
        delivered=len(verified),
        pending=sum(1 for d in state.deliveries if d.verified is None),
        fulfilment=None if due == 0 else round(delivered / due, 4),
        overdue=overdue,
        last_verified=last,
    )


def active_days(state: CommitmentState, today: date) -> int:
    """Days from the start to ``today`` (or the end), inclusive, less the paused days."""
    last = today if state.end is None else min(today, state.end)
    if last < state.start:
        return 0
    days = (last - state.start).days + 1
    for pause in state.pauses:
        until = pause.until or last + timedelta(days=1)
        paused_to = min(until, last + timedelta(days=1))
        days -= max(0, (paused_to - max(pause.start, state.start)).days)
    return max(days, 0)


def active_on(state: CommitmentState, on: date) -> bool:
    """Whether the commitment runs on ``on``: started, not ended, not paused that day."""
    if state.start > on or (state.end is not None and on > state.end):
        return False
    return not any(p.start <= on and (p.until is None or on < p.until) for p in state.pauses)


def runs_between(state: CommitmentState, first: date, last: date) -> bool:
    """Whether the commitment runs on at least one day from ``first`` to ``last``: started,
    not ended, and not paused all that while."""
    day = max(state.start, first)
    end = last if state.end is None else min(state.end, last)
    for pause in sorted(state.pauses, key=lambda p: p.start):
        if day > end or pause.start > day:
            break
        if pause.until is None or pause.until > day:
            day = date.max if pause.until is None else pause.until
    return day <= end
