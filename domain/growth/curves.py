"""The WHO reference curves (-3 ... +3 SD) of one indicator, for growth charts."""

from __future__ import annotations

from dataclasses import dataclass

from domain.growth.inputs import Sex
from domain.growth.lms import FloatArray, value_at_array
from domain.growth.tables import Indicator, table

SD_LINES = (-3, -2, -1, 0, 1, 2, 3)


@dataclass(frozen=True, slots=True)
class StandardCurves:
    """x (age in days, or length/height in cm) and the measurement at each SD line."""

    indicator: Indicator
    sex: Sex
    x_unit: str
    x: FloatArray
    sd: dict[int, FloatArray]


def standard_curves(indicator: Indicator, sex: Sex) -> StandardCurves:
    """The -3 ... +3 SD curves of ``indicator`` for ``sex``, one point per table row."""
    lms = table(indicator, sex)
    l, m, s = lms.lms[:, 0], lms.lms[:, 1], lms.lms[:, 2]  # noqa: E741 - WHO's names L, M, S
    sd = {k: value_at_array(float(k), l, m, s) for k in SD_LINES}
    unit = "cm" if indicator in (Indicator.WFL, Indicator.WFH) else "day"
    return StandardCurves(indicator, sex, unit, lms.x, sd)
