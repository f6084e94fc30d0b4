"""Every threshold and weight of the data-quality measures, in one place, with its source.

``QUALITY_RULE_VERSION`` changes whenever a value here changes, so a projection built
with the old values can be rebuilt (as the growth rule's ``RULE_VERSION``).
"""

from __future__ import annotations

from typing import Final

from domain.growth.rules import DAYS_PER_MONTH, HEIGHT_FROM_DAY, LENGTH_ADJUSTMENT_CM

QUALITY_RULE_VERSION: Final = "tumbuh-quality/1"

INDICATORS: Final = ("haz", "waz", "whz", "baz")
"""The z-scores whose WHO flags are counted (``domain.growth.rules.FLAG_LIMITS``)."""

DISTRIBUTION_INDICATORS: Final = ("haz", "waz", "whz")
"""The z-scores whose SD, skewness and kurtosis are reported (issue 31)."""

LENGTH_SHRINK_TOLERANCE_CM: Final = 0.7
"""A child's length may fall between two measurements by this much and no more.

The WHO Multicentre Growth Reference Study repeated a length or height when two trained
measurers differed by more than 7 mm, its "maximum allowable difference" (de Onis M et
al., Measurement and standardization protocols for anthropometry used in the construction
of a new international growth reference, Food Nutr Bull 2004;25(1 Suppl):S27-36). A fall
of more than that, on lengths made comparable by position (a standing height + 0.7 cm,
``LENGTH_ADJUSTMENT_CM``), is more than a measurement error.
"""

STANDING_TO_LYING_CM: Final = LENGTH_ADJUSTMENT_CM

HAZ_CHANGE_PER_MONTH: Final = 1.5
"""HAZ moving by more than this per month (an interval under a month counts as a month).

Tumbuh's threshold, set by issue 31: WHO publishes no limit for consecutive routine
measurements of one child; at 1.5 SD a month a kader's error is far likelier than growth.
"""

LYING_UNDER_DAYS: Final = HEIGHT_FROM_DAY
"""Under 731 days (24 months of 30.4375 days) a child is measured lying, from it standing.

WHO Child Growth Standards; the WHO Anthro Survey Analyser counts a *mismatch* when a
child under 24 months was measured standing or one of 24 months or more lying.
"""

WHO_AGE_LIMIT_MONTHS: Final = 60.0
MONTH_DAYS: Final = DAYS_PER_MONTH

EXPECTED_DIGIT_SHARE: Final = 0.1
"""With no digit preference each terminal digit 0-9 (of 0.1 kg or 0.1 cm) ends a tenth."""

EXPECTED_0_5_SHARE: Final = 2 * EXPECTED_DIGIT_SHARE
"""The share ending in .0 or .5 with no preference: 20 %."""

MAX_DISSIMILARITY: Final = 1 - EXPECTED_DIGIT_SHARE
"""The index of dissimilarity when every value ends in the same digit (0.9)."""

EXPECTED_BIRTH_DAY_SHARE: Final = 12 / 365.25
"""A given day 1-28 of the month is the birthday of 12 in 365.25 children (no heaping)."""

RECORDED_LATE_AFTER_DAYS: Final = 7
"""A measurement recorded more than this many days after the day measured is late.

Tumbuh's choice: a posyandu day's register should reach the system within the week.
"""

SCORE_WEIGHTS: Final[dict[str, int]] = {
    "completeness": 20,
    "plausibility": 20,
    "consistency": 15,
    "weight_digits": 10,
    "length_digits": 10,
    "position": 15,
    "timeliness": 10,
}
"""How much each part weighs in the 0-100 score (summing to 100).

Tumbuh's choice, documented beside the score: no WHO or UNICEF composite exists for
routine data (the SMART plausibility check scores surveys with its own penalty points).
"""
