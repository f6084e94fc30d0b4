"""Biologically implausible changes between consecutive measurements of one child.

* **Length shrank**: a length/height more than ``LENGTH_SHRINK_TOLERANCE_CM`` (0.7 cm)
  below the child's previous one. Lengths are made comparable first: a standing height
  counts as lying length + 0.7 cm (``STANDING_TO_LYING_CM``, the WHO adjustment), so the
  usual switch from lying to standing at two years is not a fall; an unrecorded position
  counts as given.
* **HAZ jumped**: a valid HAZ more than ``HAZ_CHANGE_PER_MONTH`` (1.5) above or below the
  previous valid one per month between them (an interval under a month counts as a month,
  so two measurements a week apart may differ by 1.5 at most).

"Consecutive" is per check: the previous measurement *with a length* for the length, the
previous one *with a valid HAZ* for the HAZ. A finding is on the later measurement (the
one to re-measure); ``checked`` holds every measurement that had a previous one to compare
with, the denominator of the share. Changes are found over the child's whole history, so
the caller runs this per child, then counts the findings in each group (kader, posyandu).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from domain.growth import Position
from domain.quality.measures import Measured, share
from domain.quality.rules import (
    HAZ_CHANGE_PER_MONTH,
    LENGTH_SHRINK_TOLERANCE_CM,
    MONTH_DAYS,
    STANDING_TO_LYING_CM,
)


class ChangeKind(StrEnum):
    """Which implausible change a measurement shows."""

    LENGTH_SHRANK = "length_shrank"
    HAZ_JUMPED = "haz_jumped"


@dataclass(frozen=True, slots=True)
class ChangeFinding:
    """An implausible change from ``previous_id`` to ``measurement_id``."""

    measurement_id: str
    previous_id: str
    kind: ChangeKind
    amount: float  # cm shrunk, or HAZ change (signed), rounded to 2 decimals
    days: int


@dataclass(frozen=True, slots=True)
class ChildChanges:
    """One child's checked measurements and the implausible changes found."""

    checked: frozenset[str]
    findings: tuple[ChangeFinding, ...]

    @property
    def flagged(self) -> frozenset[str]:
        """The measurements with at least one implausible change."""
        return frozenset(f.measurement_id for f in self.findings)


def implausible_changes(items: Iterable[Measured]) -> ChildChanges:
    """The implausible changes between one child's consecutive measurements."""
    ordered = sorted(items, key=lambda m: (m.measured_on, m.order))
    if len({m.child_id for m in ordered}) > 1:
        raise ValueError("implausible changes are found one child at a time")
    lengths = [m for m in ordered if m.length_cm is not None]
    hazes = [m for m in ordered if m.valid("haz") is not None]
    findings = [f for a, b in _pairs(lengths) if (f := _shrank(a, b)) is not None]
    findings += [f for a, b in _pairs(hazes) if (f := _jumped(a, b)) is not None]
    checked = {b.measurement_id for _, b in _pairs(lengths) + _pairs(hazes)}
    findings.sort(key=lambda f: (f.measurement_id, f.kind))
    return ChildChanges(frozenset(checked), tuple(findings))


def change_share(group: Collection[str], children: Iterable[ChildChanges]) -> float | None:
    """Of the group's measurements that could be checked, the share with a finding."""
    checked = flagged = 0
    for child in children:
        checked += _count(child.checked, group)
        flagged += _count(child.flagged, group)
    return share(flagged, checked)


def _count(ids: frozenset[str], group: Collection[str]) -> int:
    return sum(1 for i in ids if i in group)


def _pairs(items: Sequence[Measured]) -> list[tuple[Measured, Measured]]:
    return list(pairwise(items))


def _lying_equivalent(m: Measured) -> float:
    assert m.length_cm is not None
    extra = STANDING_TO_LYING_CM if m.position is Position.STANDING else 0.0
    return m.length_cm + extra


def _shrank(before: Measured, after: Measured) -> ChangeFinding | None:
    fall = round(_lying_equivalent(before) - _lying_equivalent(after), 2)
    if fall <= LENGTH_SHRINK_TOLERANCE_CM:
        return None
    days = (after.measured_on - before.measured_on).days
    return ChangeFinding(
        after.measurement_id, before.measurement_id, ChangeKind.LENGTH_SHRANK, fall, days
    )


def _jumped(before: Measured, after: Measured) -> ChangeFinding | None:
    first, second = before.valid("haz"), after.valid("haz")
    assert first is not None
    assert second is not None
    days = (after.measured_on - before.measured_on).days
    change = round(second - first, 2)
    if abs(change) <= HAZ_CHANGE_PER_MONTH * max(1.0, days / MONTH_DAYS):
        return None
    return ChangeFinding(
        after.measurement_id, before.measurement_id, ChangeKind.HAZ_JUMPED, change, days
    )
