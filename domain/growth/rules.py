"""The WHO method's boundaries, shared by the scalar and the vectorised paths.

Every number here comes from the WHO Child Growth Standards (2006) as WHO's own software
applies them, or from the input ranges Tumbuh refuses outright (see ``inputs``).
"""

from __future__ import annotations

import math

RULE_VERSION = "who-2006+permenkes-2-2020/1"
"""Changes whenever a rule below or a category cut-off changes, so stored results can be rebuilt."""

DAYS_PER_MONTH = 30.4375
"""WHO's average month (365.25 / 12): age in months is age in days over this."""

MAX_AGE_MONTHS = 60.0
"""z-scores only while age_days / DAYS_PER_MONTH < 60: day 1826 is scored, day 1827 is not."""

HEIGHT_FROM_DAY = 731
"""From 731 days a child is measured standing and weight-for-height applies."""

STANDING_TRUSTED_FROM_DAY = 9 * DAYS_PER_MONTH
"""Under 9 months nobody measures a child standing, so "standing" there means unknown."""

LENGTH_ADJUSTMENT_CM = 0.7
"""Recumbent length runs 0.7 cm longer than standing height on average (WHO MGRS)."""

ADJUSTED_LENGTH_SCALE = 1e6
"""The adjusted length is rounded to 1e-6 cm so binary noise from ±0.7 cannot cross a range edge."""

WFL_RANGE_CM = (45.0, 110.0)
WFH_RANGE_CM = (65.0, 120.0)
TABLE_STEPS_PER_CM = 10.0
"""Weight-for-length/height rows are 0.1 cm apart."""

# Input ranges refused as absurd rather than flagged: values no child under five can have.
# The WHO standards (term births) put -6 SD at birth near 1.2 kg, 38 cm of length and 27 cm
# of head circumference, and +6 SD at 60 months near 44 kg, 138 cm and 60 cm; children born
# extremely premature fall far below those (the lightest known survivors weighed a little
# over 200 g and measured about 24 cm), hydrocephalus takes a head far above them. Every
# value inside these ranges is scored, and the WHO flags mark the implausible ones.
WEIGHT_RANGE_KG = (0.2, 58.0)
LENGTH_RANGE_CM = (20.0, 150.0)
HEAD_RANGE_CM = (15.0, 100.0)
MUAC_RANGE_CM = (3.0, 40.0)


def _smallest_rounding_above(limit: float) -> float:
    """The smallest float whose value rounded to 2 decimals is above ``limit``."""
    x = limit + 0.005
    while round(x, 2) <= limit:
        x = math.nextafter(x, math.inf)
    while round(math.nextafter(x, -math.inf), 2) > limit:
        x = math.nextafter(x, -math.inf)
    return x


def _largest_rounding_below(limit: float) -> float:
    """The largest float whose value rounded to 2 decimals is below ``limit``."""
    return -_smallest_rounding_above(-limit)


# WHO flags on the z rounded to 2 decimals: |HAZ| > 6, WAZ < -6 or > 5, |WHZ|, |BAZ|, |ACZ| > 5.
# Comparing with these exact thresholds gives the same answer as round(z, 2) without rounding,
# in Python and in numpy alike.
FLAG_LIMITS: dict[str, tuple[float, float]] = {
    "haz": (_largest_rounding_below(-6.0), _smallest_rounding_above(6.0)),
    "waz": (_largest_rounding_below(-6.0), _smallest_rounding_above(5.0)),
    "whz": (_largest_rounding_below(-5.0), _smallest_rounding_above(5.0)),
    "baz": (_largest_rounding_below(-5.0), _smallest_rounding_above(5.0)),
    "acz": (_largest_rounding_below(-5.0), _smallest_rounding_above(5.0)),
}
"""Indicator -> (flag if z <= low, flag if z >= high)."""
