"""All data-quality measures of one group (a kader's or a posyandu's period), with its score.

The caller passes the group's counted measurements and the implausible-change findings of
the children concerned (``implausible_changes`` over each child's whole history); the
report counts a finding where its later measurement belongs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.quality.changes import ChildChanges, change_share
from domain.quality.digits import (
    BirthDayHeaping,
    DigitPreference,
    birth_day_heaping,
    digit_preference,
)
from domain.quality.distribution import ZDistribution, z_distribution
from domain.quality.measures import (
    Completeness,
    Measured,
    PositionCheck,
    Timeliness,
    completeness,
    flagged_shares,
    position_check,
    timeliness,
)
from domain.quality.rules import DISTRIBUTION_INDICATORS
from domain.quality.score import QualityScore, ScoreInputs, quality_score


@dataclass(frozen=True, slots=True)
class QualityReport:
    """Every measure of a group and the score made of them."""

    measured: int
    completeness: Completeness
    flagged: dict[str, float | None]  # per indicator and "any"
    change_share: float | None
    weight_digits: DigitPreference
    length_digits: DigitPreference
    birth_days: BirthDayHeaping
    distributions: dict[str, ZDistribution]
    position: PositionCheck
    timeliness: Timeliness
    score: QualityScore


def quality_report(items: Sequence[Measured], changes: Iterable[ChildChanges]) -> QualityReport:
    """The data-quality report of the measurements ``items``."""
    ids = frozenset(m.measurement_id for m in items)
    birth_dates = {m.child_id: m.birth_date for m in items if m.birth_date is not None}
    inputs = ScoreInputs(
        completeness=completeness(items),
        flagged_share=flagged_shares(items)["any"],
        change_share=change_share(ids, changes),
        weight_digits=digit_preference(m.weight_kg for m in items if m.weight_kg is not None),
        length_digits=digit_preference(m.length_cm for m in items if m.length_cm is not None),
        position=position_check(items),
        timeliness=timeliness(items),
    )
    return QualityReport(
        measured=len(items),
        completeness=inputs.completeness,
        flagged=flagged_shares(items),
        change_share=inputs.change_share,
        weight_digits=inputs.weight_digits,
        length_digits=inputs.length_digits,
        birth_days=birth_day_heaping(birth_dates.values()),
        distributions={
            indicator: z_distribution(v for m in items if (v := m.valid(indicator)) is not None)
            for indicator in DISTRIBUTION_INDICATORS
        },
        position=inputs.position,
        timeliness=inputs.timeliness,
        score=quality_score(inputs),
    )
