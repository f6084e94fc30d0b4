"""Data quality per kader and posyandu: pure measures of groups of measurements.

Completeness, WHO-flag shares, implausible changes (``changes``), digit preference and
birth-date heaping (``digits``), the z-score distribution (``distribution``), position and
timeliness (``measures``), and a documented 0-100 score (``score``), gathered per group by
``report``. Every threshold and weight is in ``rules``.
"""

from domain.quality.changes import (
    ChangeFinding,
    ChangeKind,
    ChildChanges,
    change_share,
    implausible_changes,
)
from domain.quality.digits import (
    BirthDayHeaping,
    DigitPreference,
    birth_day_heaping,
    digit_preference,
    terminal_digit,
)
from domain.quality.distribution import ZDistribution, z_distribution
from domain.quality.measures import (
    Completeness,
    Measured,
    PositionCheck,
    Timeliness,
    completeness,
    flagged_shares,
    on_schedule_share,
    position_check,
    timeliness,
)
from domain.quality.report import QualityReport, quality_report
from domain.quality.rules import QUALITY_RULE_VERSION
from domain.quality.score import QualityScore, ScoreInputs, ScorePart, quality_score

__all__ = [
    "QUALITY_RULE_VERSION",
    "BirthDayHeaping",
    "ChangeFinding",
    "ChangeKind",
    "ChildChanges",
    "Completeness",
    "DigitPreference",
    "Measured",
    "PositionCheck",
    "QualityReport",
    "QualityScore",
    "ScoreInputs",
    "ScorePart",
    "Timeliness",
    "ZDistribution",
    "birth_day_heaping",
    "change_share",
    "completeness",
    "digit_preference",
    "flagged_shares",
    "implausible_changes",
    "on_schedule_share",
    "position_check",
    "quality_report",
    "quality_score",
    "terminal_digit",
    "timeliness",
    "z_distribution",
]
