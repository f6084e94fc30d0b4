"""Digit preference of weights and lengths, and heaping of birth dates.

* **Terminal digit**: the tenths digit of a value rounded to 0.1 (kg or cm), as the WHO
  Anthro Survey Analyser's "decimal digit preference" chart counts it (R ``round(x, 1)``;
  Python's ``round`` rounds the same way, half to even on the exact binary value).
* **Share ending in .0 or .5** against the 20 % expected with no preference.
* **Index of dissimilarity** of the terminal digits against the uniform distribution,
  ``ID = 1/2 * sum over d of |p_d - 0.1|``, a fraction in [0, 0.9]: the share of values
  that would have to end in another digit for every digit to end a tenth (Duncan's index
  of dissimilarity applied to the ten terminal digits). Issue 31 asks for it after the
  WHO-UNICEF *Recommendations for data collection, analysis and reporting on
  anthropometric indicators in children under 5 years old* (2019); the WHO Anthro Survey
  Analyser itself charts the per-digit shares and computes no index.
* **Birth-date heaping**: the shares of birth dates on the 1st and on the 15th of a month,
  each against 12/365.25 expected (a guessed date of birth is often the 1st or the 15th).

Shares are fractions in [0, 1]; None when there is nothing to count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.quality.rules import EXPECTED_BIRTH_DAY_SHARE, EXPECTED_DIGIT_SHARE


def terminal_digit(value: float) -> int:
    """The tenths digit of ``value`` rounded to 0.1."""
    return round(round(value, 1) * 10) % 10


@dataclass(frozen=True, slots=True)
class DigitPreference:
    """How the terminal digits of some values are spread."""

    counts: tuple[int, ...]  # values ending in 0, 1, ... 9
    share_0_5: float | None
    dissimilarity: float | None

    @property
    def n(self) -> int:
        """How many values were counted."""
        return sum(self.counts)

    @property
    def shares(self) -> tuple[float, ...] | None:
        """The share of each terminal digit 0-9."""
        n = self.n
        return None if n == 0 else tuple(c / n for c in self.counts)


def digit_preference(values: Iterable[float]) -> DigitPreference:
    """The terminal-digit distribution of ``values`` with its 0/5 share and dissimilarity."""
    counts = [0] * 10
    for value in values:
        counts[terminal_digit(value)] += 1
    n = sum(counts)
    if n == 0:
        return DigitPreference(tuple(counts), None, None)
    share_0_5 = (counts[0] + counts[5]) / n
    dissimilarity = sum(abs(c / n - EXPECTED_DIGIT_SHARE) for c in counts) / 2
    return DigitPreference(tuple(counts), share_0_5, dissimilarity)


@dataclass(frozen=True, slots=True)
class BirthDayHeaping:
    """How many children's birth dates fall on the 1st and the 15th of a month."""

    n: int
    on_1st: int
    on_15th: int
    expected_share: float = EXPECTED_BIRTH_DAY_SHARE

    @property
    def share_1st(self) -> float | None:
        """Share of birth dates on the 1st."""
        return None if self.n == 0 else self.on_1st / self.n

    @property
    def share_15th(self) -> float | None:
        """Share of birth dates on the 15th."""
        return None if self.n == 0 else self.on_15th / self.n


def birth_day_heaping(birth_dates: Iterable[date]) -> BirthDayHeaping:
    """Heaping of ``birth_dates`` (one per child) on the 1st and the 15th."""
    days = [d.day for d in birth_dates]
    return BirthDayHeaping(len(days), days.count(1), days.count(15))
