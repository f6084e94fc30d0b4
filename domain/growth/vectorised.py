"""``assess_many``: the rules of ``assess`` over numpy columns, for projections and bulk import."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from domain.growth.assessment import Assessment
from domain.growth.categories import categorise
from domain.growth.inputs import RANGE_RULES, GrowthInputError, Position, Sex, range_error
from domain.growth.lms import FloatArray, z_lms_array, z_restricted_array
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
from domain.growth.tables import Indicator, table

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
_LMS = tuple[FloatArray, FloatArray, FloatArray]


@dataclass(frozen=True, slots=True)
class Assessments:
    """The columns of many assessments; NaN wherever ``assess`` gives None."""

    male: BoolArray
    age_days: IntArray
    oedema: BoolArray
    adjusted_length_cm: FloatArray
    bmi: FloatArray
    haz: FloatArray
    waz: FloatArray
    whz: FloatArray
    baz: FloatArray
    acz: FloatArray
    flags: dict[str, BoolArray]

    def __len__(self) -> int:
        return len(self.age_days)

    def row(self, i: int) -> Assessment:
        """Row ``i`` as the Assessment ``assess`` returns for it."""
        haz, waz, whz, baz = (_optional(z[i]) for z in (self.haz, self.waz, self.whz, self.baz))
        oedema = bool(self.oedema[i])
        scored = self.age_days[i] / DAYS_PER_MONTH < MAX_AGE_MONTHS
        return Assessment(
            sex=Sex.MALE if self.male[i] else Sex.FEMALE,
            age_days=int(self.age_days[i]),
            oedema=oedema,
            adjusted_length_cm=_optional(self.adjusted_length_cm[i]),
            bmi=_optional(self.bmi[i]),
            haz=haz,
            waz=waz,
            whz=whz,
            baz=baz,
            acz=_optional(self.acz[i]),
            flags=frozenset(name for name, flagged in self.flags.items() if flagged[i]),
            categories=categorise(haz, waz, whz, baz, oedema) if scored else {},
        )


def _optional(value: np.float64) -> float | None:
    return None if math.isnan(value) else float(value)


def assess_many(
    *,
    sex: npt.ArrayLike,
    age_days: npt.ArrayLike,
    weight_kg: npt.ArrayLike | None = None,
    length_cm: npt.ArrayLike | None = None,
    position: npt.ArrayLike | Sequence[Position | str | None] | None = None,
    oedema: npt.ArrayLike | None = None,
    muac_cm: npt.ArrayLike | None = None,
) -> Assessments:
    """Score many measurements at once, row for row as ``assess`` does.

    ``sex`` holds "M"/"F"; ``position`` "lying"/"standing", with None or "" for unknown;
    a NaN measurement is a missing one. Bad input raises GrowthInputError naming the field,
    the allowed range and the first bad row.
    """
    age = _ages(age_days)
    n = len(age)
    male = _sexes(sex, n)
    weight = _measurements(weight_kg, n, "weight_kg")
    length = _measurements(length_cm, n, "length_cm")
    muac = _measurements(muac_cm, n, "muac_cm")
    lying, standing = _positions(position, n)
    swelling = np.zeros(n, dtype=np.bool_)
    if oedema is not None:
        swelling = _column(oedema, n, "oedema").astype(np.bool_)
    length = _adjusted_lengths(length, age, lying, standing)
    bmi = weight / (length * length) * 1e4
    scored = age / DAYS_PER_MONTH < MAX_AGE_MONTHS
    dry = scored & ~swelling  # oedema adds water weight: no weight-based z
    haz = _by_age(Indicator.LHFA, male, age, length, scored, restricted=False)
    waz = _by_age(Indicator.WFA, male, age, weight, dry)
    whz = _weight_for_length(male, age, weight, length, dry)
    baz = _by_age(Indicator.BFA, male, age, bmi, dry)
    acz = muac if muac_cm is None else _by_age(Indicator.ACFA, male, age, muac, scored)
    zs = {"haz": haz, "waz": waz, "whz": whz, "baz": baz, "acz": acz}
    flags = {
        name: (z <= FLAG_LIMITS[name][0]) | (z >= FLAG_LIMITS[name][1]) for name, z in zs.items()
    }
    return Assessments(male, age, swelling, length, bmi, haz, waz, whz, baz, acz, flags)


def _column(values: object, n: int, field: str) -> npt.NDArray[np.generic]:
    column = np.asarray(values)
    if column.shape != (n,):
        raise GrowthInputError(f"{field} must be a column of {n} values", field=field)
    return column


def _ages(values: npt.ArrayLike) -> IntArray:
    age = np.asarray(values)
    if age.ndim != 1 or age.dtype.kind not in "iu":
        raise GrowthInputError("age_days must be a column of whole numbers", field="age_days")
    negative = np.flatnonzero(age < 0)
    if negative.size:
        message = f"age_days must be a whole number >= 0 (row {negative[0]})"
        raise GrowthInputError(message, field="age_days")
    return age.astype(np.int64)


def _sexes(values: npt.ArrayLike, n: int) -> BoolArray:
    column = _column(values, n, "sex")
    male, female = column == Sex.MALE.value, column == Sex.FEMALE.value
    unknown = np.flatnonzero(~(male | female))
    if unknown.size:
        raise GrowthInputError(f"sex must be 'M' or 'F' (row {unknown[0]})", field="sex")
    return np.asarray(male, dtype=np.bool_)


def _measurements(values: npt.ArrayLike | None, n: int, field: str) -> FloatArray:
    if values is None:
        return np.full(n, np.nan)
    column = _column(values, n, field).astype(np.float64)
    (low, high), _ = RANGE_RULES[field]
    inside = (column >= low) & (column <= high)
    bad = np.flatnonzero(~inside & ~np.isnan(column))
    if bad.size:
        raise range_error(field, f" (row {bad[0]})")
    return column


def _positions(
    values: npt.ArrayLike | Sequence[Position | str | None] | None, n: int
) -> tuple[BoolArray, BoolArray]:
    if values is None:
        none = np.zeros(n, dtype=np.bool_)
        return none, none
    column = _column(values, n, "position")
    lying, standing = column == Position.LYING.value, column == Position.STANDING.value
    absent = column == ""
    if column.dtype.kind == "O":  # only object columns can hold None
        absent |= np.array([value is None for value in column], dtype=np.bool_)
    unknown = np.flatnonzero(~(lying | standing | absent))
    if unknown.size:
        message = f"position must be 'lying', 'standing' or absent (row {unknown[0]})"
        raise GrowthInputError(message, field="position")
    return np.asarray(lying, dtype=np.bool_), np.asarray(standing, dtype=np.bool_)


def _adjusted_lengths(
    length: FloatArray, age: IntArray, lying: BoolArray, standing: BoolArray
) -> FloatArray:
    """The 0.7 cm rule, with the same rounding as the scalar path."""
    height_age = age >= HEIGHT_FROM_DAY
    shorten = height_age & lying
    lengthen = ~height_age & standing & (age >= STANDING_TRUSTED_FROM_DAY)
    adjustment = np.where(
        shorten, -LENGTH_ADJUSTMENT_CM, np.where(lengthen, LENGTH_ADJUSTMENT_CM, 0.0)
    )
    tidy = np.rint((length + adjustment) * ADJUSTED_LENGTH_SCALE) / ADJUSTED_LENGTH_SCALE
    return np.where(shorten | lengthen, tidy, length)


@cache
def _stacked(*indicators: Indicator) -> tuple[_LMS, int]:
    """L, M and S of the indicators end to end, boys then girls, and the rows per sex."""
    parts = [table(indicator, sex).lms for sex in Sex for indicator in indicators]
    lms = np.concatenate(parts)
    rows = len(lms) // 2
    return (lms[:, 0].copy(), lms[:, 1].copy(), lms[:, 2].copy()), rows


def _gather(lms: _LMS, flat_index: IntArray) -> _LMS:
    l, m, s = lms  # noqa: E741 - WHO's names L, M, S
    return l.take(flat_index), m.take(flat_index), s.take(flat_index)


def _by_age(
    indicator: Indicator,
    male: BoolArray,
    age: IntArray,
    y: FloatArray,
    wanted: BoolArray,
    *,
    restricted: bool = True,
) -> FloatArray:
    lms, rows = _stacked(indicator)
    start = int(table(indicator, Sex.MALE).start)
    index = np.clip(age - start, 0, rows - 1) + np.where(male, 0, rows)
    l, m, s = _gather(lms, index)  # noqa: E741
    z = z_restricted_array(y, l, m, s) if restricted else z_lms_array(y, l, m, s)
    return np.where(wanted & (age >= start), z, np.nan)


def _weight_for_length(
    male: BoolArray, age: IntArray, weight: FloatArray, length: FloatArray, wanted: BoolArray
) -> FloatArray:
    """WHZ: weight-for-length rows under 731 days, weight-for-height rows from 731."""
    lms, rows = _stacked(Indicator.WFL, Indicator.WFH)
    wfl_rows = len(table(Indicator.WFL, Sex.MALE).rows)
    by_length = age < HEIGHT_FROM_DAY
    low = np.where(by_length, WFL_RANGE_CM[0], WFH_RANGE_CM[0])
    high = np.where(by_length, WFL_RANGE_CM[1], WFH_RANGE_CM[1])
    inside = (length >= low) & (length <= high)
    offset = np.where(inside, (length - low) * TABLE_STEPS_PER_CM, 0.0)
    step = np.trunc(offset)
    fraction = offset - step
    first = step.astype(np.int64) + np.where(by_length, 0, wfl_rows) + np.where(male, 0, rows)
    l0, m0, s0 = _gather(lms, first)
    l1, m1, s1 = _gather(lms, np.minimum(first + 1, 2 * rows - 1))
    l, m, s = l0 + fraction * (l1 - l0), m0 + fraction * (m1 - m0), s0 + fraction * (s1 - s0)  # noqa: E741
    return np.where(wanted & inside, z_restricted_array(weight, l, m, s), np.nan)
