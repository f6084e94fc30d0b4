"""Naik / tidak naik: each weighing against the weighing of the previous calendar month.

The KMS / Buku KIA practice, alongside (not instead of) the WHO z-scores:

* ``B`` (*baru*): a weighing in the first calendar month the child was ever weighed;
* ``O``: the child was weighed before, but not in the previous calendar month;
* ``N`` (*naik*): the gain since the previous calendar month's weighing is at least the KBM
  for the child's age (``kbm``);
* ``T`` (*tidak naik*): less than the KBM: a smaller gain, no gain, or a loss.

The rules (documented for users by the integration, tested by hand-worked cases):

* The caller passes the child's **valid** weighings only: voided ones left out, corrected
  ones with their corrected values. A void or a correction changes the answer by a call
  with the new list, so nothing here remembers.
* **Calendar months**: the previous month of a weighing on 1 February is January, whatever
  the day (31 January -> 1 February is one month; 1 January -> 28 February is two: ``O``).
* **Several weighings in a month**: each is compared with the previous month's *counted*
  weighing, and the month's counted weighing is its **last** one (by date, then ``order``,
  the order they were recorded in). The month's class is the counted weighing's class; it
  is what the SKDN counts and what the next month is compared with.
* **Age** for the KBM: completed months at the weighing being judged, age in days over
  WHO's average month (30.4375 days), as the area figures' age bands count.
* **Grams**: weights are compared in whole grams (kg x 1000, rounded), so 5.3 - 4.5 kg is
  exactly 800 g and meets a KBM of 800 g.
* **2T**: a ``T`` weighing in a month whose previous calendar month's class was ``T``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from itertools import groupby

from domain.fact import DomainError
from domain.growth.rules import DAYS_PER_MONTH
from domain.monitoring.kbm import kbm_grams


class GainClass(StrEnum):
    """The letter a weighing gets on the KMS: naik, tidak naik, not weighed last month, new."""

    N = "N"
    T = "T"
    O = "O"  # noqa: E741 - the letter the KMS and the SKDN report use
    B = "B"


@dataclass(frozen=True, slots=True)
class Weighing:
    """One valid weighing of a child; ``order`` breaks ties within a day (recording order)."""

    measured_on: date
    weight_kg: float
    order: int = 0


@dataclass(frozen=True, slots=True)
class WeightGain:
    """A weighing's class, whether it is 2T, and what it was compared with."""

    weighing: Weighing
    gain_class: GainClass
    two_t: bool
    counted: bool  # the last weighing of its month: the one the month's report counts
    age_months: int
    gain_grams: int | None = None  # N and T only: against the previous month's weighing
    kbm_grams: int | None = None  # N and T only

    @property
    def month(self) -> str:
        """The calendar month ``YYYY-MM`` of the weighing."""
        day = self.weighing.measured_on
        return f"{day.year:04d}-{day.month:02d}"


def weight_gains(birth_date: date, weighings: Iterable[Weighing]) -> list[WeightGain]:
    """Each valid weighing's class and 2T, oldest first."""
    ordered = sorted(weighings, key=lambda w: (w.measured_on, w.order))
    for weighing in ordered:
        _check(birth_date, weighing)
    result: list[WeightGain] = []
    counted: dict[int, WeightGain] = {}  # month index -> the month's last weighing's result
    for index, items in groupby(ordered, key=lambda w: _month_index(w.measured_on)):
        month = list(items)
        previous = counted.get(index - 1)
        first = not counted
        judged = [_judge(birth_date, w, previous, first=first) for w in month]
        judged[-1] = replace(judged[-1], counted=True)
        counted[index] = judged[-1]
        result += judged
    return result


def counted_by_month(gains: Iterable[WeightGain]) -> dict[str, WeightGain]:
    """The counted weighing of each month (``YYYY-MM``), from ``weight_gains``' answer."""
    return {gain.month: gain for gain in gains if gain.counted}


def _judge(
    birth_date: date, weighing: Weighing, previous: WeightGain | None, *, first: bool
) -> WeightGain:
    age = int((weighing.measured_on - birth_date).days / DAYS_PER_MONTH)
    if first:
        return WeightGain(weighing, GainClass.B, two_t=False, counted=False, age_months=age)
    if previous is None:
        return WeightGain(weighing, GainClass.O, two_t=False, counted=False, age_months=age)
    gain = _grams(weighing.weight_kg) - _grams(previous.weighing.weight_kg)
    kbm = kbm_grams(age)
    gain_class = GainClass.N if gain >= kbm else GainClass.T
    two_t = gain_class is GainClass.T and previous.gain_class is GainClass.T
    return WeightGain(weighing, gain_class, two_t, False, age, gain, kbm)


def _check(birth_date: date, weighing: Weighing) -> None:
    if weighing.measured_on < birth_date:
        raise DomainError("a weighing cannot be before the date of birth", field="measured_on")
    if not weighing.weight_kg > 0:
        raise DomainError("a weight must be more than 0 kg", field="weight_kg")


def _grams(weight_kg: float) -> int:
    return round(weight_kg * 1000)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1
