"""``assess``: one measurement of one child under five, scored exactly as WHO's software does."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

from domain.growth.categories import Category, categorise
from domain.growth.inputs import (
    Position,
    Sex,
    check_measurements,
    resolve_age_days,
    to_position,
    to_sex,
)
from domain.growth.lms import z_lms, z_restricted
from domain.growth.rules import (
    ADJUSTED_LENGTH_SCALE,
    DAYS_PER_MONTH,
    FLAG_LIMITS,
    HEIGHT_FROM_DAY,
    LENGTH_ADJUSTMENT_CM,
    MAX_AGE_MONTHS,
    STANDING_TRUSTED_FROM_DAY,
    TABLE_STEPS_PER_CM,
    WFH_RANGE_CM,
    WFL_RANGE_CM,
)
from domain.growth.tables import LmsTable, SexTables, growth_tables

WFL_LOW, WFL_HIGH = WFL_RANGE_CM
WFH_LOW, WFH_HIGH = WFH_RANGE_CM


class Assessment(NamedTuple):
    """WHO z-scores (unrounded; None when not computed), flags and Permenkes categories.

    ``flags`` names the indicators whose z is biologically implausible; such a z is kept
    but tells nothing, so the matching booleans (``stunted`` ...) are None. A NamedTuple
    rather than a frozen dataclass: building one of those costs more than all the z-scores.
    """

    sex: Sex
    age_days: int
    oedema: bool
    adjusted_length_cm: float | None
    bmi: float | None
    haz: float | None
    waz: float | None
    whz: float | None
    baz: float | None
    acz: float | None
    flags: frozenset[str]
    categories: Mapping[str, Category]

    @property
    def within_standards(self) -> bool:
        """Whether the age is under 60.0 months, where the WHO standards (and z-scores) apply."""
        return self.age_days / DAYS_PER_MONTH < MAX_AGE_MONTHS

    @property
    def age_months(self) -> int:
        """Age in completed months, as Indonesian reports show it."""
        return int(self.age_days / DAYS_PER_MONTH)

    @property
    def stunted(self) -> bool | None:
        """HAZ < -2 (pendek or sangat pendek); None if HAZ is missing or flagged."""
        return self._below("haz", self.haz, -2.0)

    @property
    def severely_stunted(self) -> bool | None:
        """HAZ < -3 (sangat pendek); None if HAZ is missing or flagged."""
        return self._below("haz", self.haz, -3.0)

    @property
    def wasted(self) -> bool | None:
        """WHZ < -2, or oedema under 60 months; None if WHZ is missing or flagged."""
        return self._below("whz", self.whz, -2.0)

    @property
    def severely_wasted(self) -> bool | None:
        """WHZ < -3, or oedema under 60 months; None if WHZ is missing or flagged."""
        return self._below("whz", self.whz, -3.0)

    @property
    def underweight(self) -> bool | None:
        """WAZ < -2; None if WAZ is missing (oedema included) or flagged."""
        return self._below("waz", self.waz, -2.0)

    def _below(self, indicator: str, z: float | None, cut_off: float) -> bool | None:
        if indicator == "whz" and self.oedema and self.within_standards:
            return True  # oedema is severe wasting whatever the weight says
        if z is None or indicator in self.flags:
            return None
        return z < cut_off


# Enum members bound once: looking them up on the class costs more than the z-score maths.
_LYING = Position.LYING
_STANDING = Position.STANDING
_MALE = Sex.MALE
_NO_FLAGS: frozenset[str] = frozenset()
_HAZ_LOW, _HAZ_HIGH = FLAG_LIMITS["haz"]
_WAZ_LOW, _WAZ_HIGH = FLAG_LIMITS["waz"]
_WHZ_LOW, _WHZ_HIGH = FLAG_LIMITS["whz"]
_BAZ_LOW, _BAZ_HIGH = FLAG_LIMITS["baz"]
_ACZ_LOW, _ACZ_HIGH = FLAG_LIMITS["acz"]


def assess(
    *,
    sex: Sex | str,
    age_days: int | None = None,
    weight_kg: float | None = None,
    length_cm: float | None = None,
    position: Position | str | None = None,
    oedema: bool = False,
    muac_cm: float | None = None,
    birth_date: date | None = None,
    measured_on: date | None = None,
    today: date | None = None,
) -> Assessment:
    """Score one measurement; raise GrowthInputError for absurd input (see ``inputs``).

    Give ``age_days`` or ``birth_date`` with ``measured_on``; ``today`` (optional, to keep
    the domain free of clocks) refuses dates in the future. ``muac_cm`` is the mid-upper arm
    circumference (LiLA) for arm-circumference-for-age, defined from 91 days. There is no
    head-circumference-for-age: the table source ships no such table.
    """
    sex = to_sex(sex)
    position = to_position(position)
    if birth_date is not None or measured_on is not None or today is not None:
        age_days = resolve_age_days(age_days, birth_date, measured_on, today)
    elif age_days.__class__ is not int or age_days < 0:
        age_days = resolve_age_days(age_days, None, None, None)
    assert age_days is not None  # resolve_age_days has refused every other case
    check_measurements(weight_kg, length_cm, muac_cm)
    length = length_cm
    if length is not None and position is not None:
        length = adjusted_length(length, age_days, position)
    bmi = None if weight_kg is None or length is None else weight_kg / (length * length) * 1e4
    if age_days / DAYS_PER_MONTH >= MAX_AGE_MONTHS:
        return Assessment(
            sex, age_days, oedema, length, bmi, None, None, None, None, None, _NO_FLAGS, {}
        )
    male, female = growth_tables()
    tables = male if sex is _MALE else female
    haz = None
    if length is not None:  # plain LMS: length is close to normally distributed
        l, m, s = tables.lhfa.rows[age_days]  # noqa: E741 - WHO's names L, M, S
        haz = z_lms(length, l, m, s)
    waz = whz = baz = None
    if not oedema:  # oedema adds water weight: no weight-based z
        waz = None if weight_kg is None else _by_age(tables.wfa, age_days, weight_kg)
        whz = _weight_for_length(tables, age_days, weight_kg, length)
        baz = None if bmi is None else _by_age(tables.bfa, age_days, bmi)
    acz = None if muac_cm is None else _by_age(tables.acfa, age_days, muac_cm)
    flags = _flags(haz, waz, whz, baz, acz)
    categories = categorise(haz, waz, whz, baz, oedema)
    return Assessment(
        sex, age_days, oedema, length, bmi, haz, waz, whz, baz, acz, flags, categories
    )


def adjusted_length(length_cm: float, age_days: int, position: Position | None) -> float:
    """Length/height after the 0.7 cm rule: lying from 731 days -0.7, standing before +0.7."""
    if age_days >= HEIGHT_FROM_DAY:
        if position is _LYING:
            return _tidy(length_cm - LENGTH_ADJUSTMENT_CM)
    elif position is _STANDING and age_days >= STANDING_TRUSTED_FROM_DAY:
        return _tidy(length_cm + LENGTH_ADJUSTMENT_CM)
    return length_cm


def _tidy(length_cm: float) -> float:
    # Rounding half-even on the scaled value, which numpy's rint reproduces bit for bit.
    return round(length_cm * ADJUSTED_LENGTH_SCALE) / ADJUSTED_LENGTH_SCALE


def _by_age(table: LmsTable, age_days: int, y: float) -> float | None:
    """Restricted z of ``y`` on an age table (the weight-based ones and arm circumference)."""
    index = age_days - table.first_day
    if index < 0:  # arm circumference starts at 91 days
        return None
    l, m, s = table.rows[index]  # noqa: E741 - WHO's names L, M, S
    return z_restricted(y, l, m, s)


def _weight_for_length(
    tables: SexTables, age_days: int, weight_kg: float | None, length_cm: float | None
) -> float | None:
    """WHZ: weight-for-length under 731 days, weight-for-height from 731, by 0.1 cm rows."""
    if weight_kg is None or length_cm is None:
        return None
    if age_days < HEIGHT_FROM_DAY:
        table, low, high = tables.wfl, WFL_LOW, WFL_HIGH
    else:
        table, low, high = tables.wfh, WFH_LOW, WFH_HIGH
    if not low <= length_cm <= high:
        return None
    offset = (length_cm - low) * TABLE_STEPS_PER_CM
    index = int(offset)
    l, m, s = table.rows[index]  # noqa: E741
    fraction = offset - index
    if fraction > 0.0:  # between two 0.1 cm rows: L, M and S linearly interpolated
        l1, m1, s1 = table.rows[index + 1]
        l, m, s = l + fraction * (l1 - l), m + fraction * (m1 - m), s + fraction * (s1 - s)  # noqa: E741
    return z_restricted(weight_kg, l, m, s)


def _flags(
    haz: float | None, waz: float | None, whz: float | None, baz: float | None, acz: float | None
) -> frozenset[str]:
    # Spelled out rather than looped: this runs on every assessment.
    flagged = []
    if haz is not None and (haz <= _HAZ_LOW or haz >= _HAZ_HIGH):
        flagged.append("haz")
    if waz is not None and (waz <= _WAZ_LOW or waz >= _WAZ_HIGH):
        flagged.append("waz")
    if whz is not None and (whz <= _WHZ_LOW or whz >= _WHZ_HIGH):
        flagged.append("whz")
    if baz is not None and (baz <= _BAZ_LOW or baz >= _BAZ_HIGH):
        flagged.append("baz")
    if acz is not None and (acz <= _ACZ_LOW or acz >= _ACZ_HIGH):
        flagged.append("acz")
    return frozenset(flagged) if flagged else _NO_FLAGS
