"""A 0-100 data-quality score per kader or posyandu, every part returned beside it.

Each part is a fraction from 0 (worst) to 1 (best), or None when there was nothing to
judge; the score is the weighted mean of the parts that are not None, x 100, rounded to
one decimal (``SCORE_WEIGHTS``, which sum to 100):

==============  ======  =====================================================
part            weight  value
==============  ======  =====================================================
completeness    20      mean of the length, position and plausible-age shares
plausibility    20      1 - share of measurements with a WHO flag
consistency     15      1 - share with an implausible change from the last one
weight_digits   10      1 - index of dissimilarity of weight digits / 0.9
length_digits   10      1 - index of dissimilarity of length digits / 0.9
position        15      1 - share measured in the wrong position
timeliness      10      1 - share recorded late
==============  ======  =====================================================

The weights are Tumbuh's choice (``domain.quality.rules``); the SD, skewness and kurtosis
are shown but not scored, as routine data is not a survey sample.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.quality.digits import DigitPreference
from domain.quality.measures import Completeness, PositionCheck, Timeliness
from domain.quality.rules import MAX_DISSIMILARITY, SCORE_WEIGHTS


@dataclass(frozen=True, slots=True)
class ScorePart:
    """One part of the score: its value (1 best, 0 worst, None: nothing to judge), weight."""

    name: str
    value: float | None
    weight: int


@dataclass(frozen=True, slots=True)
class QualityScore:
    """The score (None when no part could be judged) and all its parts."""

    score: float | None
    parts: tuple[ScorePart, ...]


@dataclass(frozen=True, slots=True)
class ScoreInputs:
    """The measures a score is made of, for one kader or posyandu and period."""

    completeness: Completeness
    flagged_share: float | None
    change_share: float | None
    weight_digits: DigitPreference
    length_digits: DigitPreference
    position: PositionCheck
    timeliness: Timeliness


def quality_score(inputs: ScoreInputs) -> QualityScore:
    """The weighted score of ``inputs`` with each part's value and weight."""
    values = {
        "completeness": _mean(
            inputs.completeness.with_length_share,
            inputs.completeness.with_position_share,
            inputs.completeness.plausible_age_share,
        ),
        "plausibility": _good(inputs.flagged_share),
        "consistency": _good(inputs.change_share),
        "weight_digits": _digits(inputs.weight_digits),
        "length_digits": _digits(inputs.length_digits),
        "position": _good(inputs.position.wrong_position_share),
        "timeliness": _good(inputs.timeliness.late_share),
    }
    parts = tuple(ScorePart(name, values[name], weight) for name, weight in SCORE_WEIGHTS.items())
    judged = [p for p in parts if p.value is not None]
    if not judged:
        return QualityScore(None, parts)
    total = sum(p.weight * p.value for p in judged if p.value is not None)
    return QualityScore(round(100 * total / sum(p.weight for p in judged), 1), parts)


def _good(bad_share: float | None) -> float | None:
    return None if bad_share is None else 1 - bad_share


def _digits(preference: DigitPreference) -> float | None:
    index = preference.dissimilarity
    return None if index is None else 1 - index / MAX_DISSIMILARITY


def _mean(*shares: float | None) -> float | None:
    known = [s for s in shares if s is not None]
    return sum(known) / len(known) if known else None
