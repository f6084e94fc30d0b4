"""Readers for WHO's expanded tables and the igrowup example survey (test data only)."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from domain.growth import Assessment, Indicator, Sex

FloatArray = npt.NDArray[np.float64]

SD_COLUMNS = {
    -4: "SD4neg",
    -3: "SD3neg",
    -2: "SD2neg",
    -1: "SD1neg",
    0: "SD0",
    1: "SD1",
    2: "SD2",
    3: "SD3",
    4: "SD4",
}
_FILE_SEX = {Sex.MALE: "boys", Sex.FEMALE: "girls"}
LAST_DAY = 1826


def read_table(who_dir: Path, indicator: Indicator, sex: Sex) -> dict[str, FloatArray]:
    """The WHO expanded z-score table as columns; age tables cut at day 1826."""
    path = who_dir / f"{indicator.value}_{_FILE_SEX[sex]}_zscore_expanded.csv"
    with path.open(newline="") as file:
        rows = list(csv.DictReader(file))
    columns = {name: np.array([float(row[name]) for row in rows]) for name in rows[0]}
    if "Day" in columns:
        keep = columns["Day"] <= LAST_DAY
        columns = {name: values[keep] for name, values in columns.items()}
    x_name = next(name for name in ("Day", "Length", "Height") if name in columns)
    columns["x"] = columns[x_name]
    return columns


def read_survey(who_dir: Path) -> list[dict[str, str]]:
    """The igrowup example survey with igrowup's results, one dict per child."""
    with (who_dir / "igrowup_survey_expected.csv").open(newline="") as file:
        return list(csv.DictReader(file))


def optional(text: str) -> float | None:
    """A survey cell as a number, or None when empty."""
    return None if text == "" else float(text)


CLOSE = 1e-9
"""How far apart (relative, or absolute near 0) the array and scalar forms may compute a z:
on CPUs with AVX-512 numpy's ``power`` is SVML's, accurate to 4 units in the last place
rather than the C library's correctly rounded ``pow``; ``((y/M)**L - 1) / (L*S)`` with L
near 0, and the restricted z beyond +-3, magnify that up to about 1e-12. z-scores are
reported to 2 decimals, so 1e-9 is far below meaning; categories and flags must agree
exactly."""


def same_assessments(many: Sequence[Assessment], singles: Sequence[Assessment]) -> bool:
    """Whether two lists of assessments agree: exactly, but floats within ``CLOSE``."""
    return len(many) == len(singles) and all(
        _close(a, b) for x, y in zip(many, singles, strict=True) for a, b in zip(x, y, strict=True)
    )


def _close(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=CLOSE, abs_tol=CLOSE)
    return a == b
