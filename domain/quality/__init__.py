"""Data quality per kader and posyandu: pure measures of groups of measurements.

Digit preference and birth-date heaping (``digits``) and the z-score distribution
(``distribution``). Every threshold is in ``rules``.
"""

from domain.quality.digits import (
    BirthDayHeaping,
    DigitPreference,
    birth_day_heaping,
    digit_preference,
    terminal_digit,
)
from domain.quality.distribution import ZDistribution, z_distribution
from domain.quality.rules import QUALITY_RULE_VERSION

__all__ = [
    "QUALITY_RULE_VERSION",
    "BirthDayHeaping",
    "DigitPreference",
    "ZDistribution",
    "birth_day_heaping",
    "digit_preference",
    "terminal_digit",
    "z_distribution",
]
