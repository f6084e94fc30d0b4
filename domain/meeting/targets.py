"""Targets of resolutions: which area-figure indicators they may name, and when one is met.

A target such as "coverage at least 90 % in 32.79.02 by 2025-09" is
``{"indicator": "coverage", "value": 0.9}`` on a resolution for 32.79.02 due in September
2025. Ratios are fractions (0.9, not 90), as the figures API answers them; counts are
whole numbers. Coverage and the measured counts are met at or above the value, everything
else (stunting, wasting, new cases, flagged measurements) at or below it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, NamedTuple

from domain.fact import DomainError


class Direction(StrEnum):
    """Whether a target is reached at or above its value, or at or below it."""

    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class Indicator(NamedTuple):
    """How an indicator is compared and which values it takes."""

    direction: Direction
    ratio: bool


INDICATORS: Final[dict[str, Indicator]] = {
    "coverage": Indicator(Direction.AT_LEAST, ratio=True),
    "measured": Indicator(Direction.AT_LEAST, ratio=False),
    "measured_valid_haz": Indicator(Direction.AT_LEAST, ratio=False),
    "prevalence_stunting": Indicator(Direction.AT_MOST, ratio=True),
    "stunted": Indicator(Direction.AT_MOST, ratio=False),
    "severely_stunted": Indicator(Direction.AT_MOST, ratio=False),
    "wasted": Indicator(Direction.AT_MOST, ratio=False),
    "underweight": Indicator(Direction.AT_MOST, ratio=False),
    "new_stunting": Indicator(Direction.AT_MOST, ratio=False),
    "flagged": Indicator(Direction.AT_MOST, ratio=False),
}


def check_target(indicator: str, value: float) -> None:
    """Refuse an unknown indicator or a value it cannot take."""
    known = INDICATORS.get(indicator)
    if known is None:
        names = ", ".join(sorted(INDICATORS))
        raise DomainError(f"the indicator is one of {names}", field="target.indicator")
    if known.ratio and not 0 <= value <= 1:
        raise DomainError(
            f"{indicator} is a fraction from 0 to 1 (0.9 for 90 %)", field="target.value"
        )
    if not known.ratio and (value < 0 or value != int(value)):
        raise DomainError(f"{indicator} is a whole number, 0 or more", field="target.value")


def met(indicator: str, target: float, actual: float | None) -> bool | None:
    """Whether ``actual`` reaches the target (None when there is no figure to judge)."""
    if actual is None:
        return None
    if INDICATORS[indicator].direction is Direction.AT_LEAST:
        return actual >= target
    return actual <= target
