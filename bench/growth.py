"""Throughput of the WHO growth assessment (docs/growth.md, "Performance").

What is measured:

- ``assess``: single calls per second on one core, each scoring all four indicators (HAZ,
  WAZ, WHZ, BAZ) plus flags and categories, cycling through a sample of children so no
  result is reused. Goal: >= 100k calls/s.
- ``assess_many``: rows per second for one call over a column of ``ROWS`` children.
  Goal: >= 2M rows/s.

The sample looks like a posyandu's register: ages 0-1826 days, length and weight drawn
around the WHO medians (HAZ about N(-1, 1.1), WHZ about N(-0.3, 1.1)) and rounded to
0.1 cm / 0.1 kg, the position usually but not always the right one for the age, 1% with
oedema. Each figure is the median of ``RUNS`` timed runs after one warm-up run, which also
loads the LMS tables, by wall clock and by the process's CPU time (numpy runs these
operations on one thread, so CPU time is one core's time and is not inflated by other load
on a shared machine).

Run standalone: ``python bench/growth.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from domain.growth import Position, Sex, assess, assess_many
from domain.growth.tables import Indicator, table

RUNS = 7
SINGLE_CALLS = 50_000
ROWS = 1_000_000
SEED = 20060427  # fixed, so every run scores the same children

FloatArray = npt.NDArray[np.float64]


def _values_at(
    indicator: Indicator, male: FloatArray, rows: FloatArray, z: FloatArray
) -> FloatArray:
    """Measurements at ``z`` on the given table rows (inverse LMS), boys or girls per child."""
    boys, girls = (table(indicator, sex).lms for sex in Sex)
    lms = np.where(male[:, None] > 0, boys[rows.astype(np.int64)], girls[rows.astype(np.int64)])
    l, m, s = lms[:, 0], lms[:, 1], lms[:, 2]  # noqa: E741 - WHO's names L, M, S
    values: FloatArray = m * (1.0 + l * s * z) ** (1.0 / l)
    return values


def sample(n: int) -> dict[str, npt.NDArray[np.generic]]:
    """``n`` plausible children, as columns named as ``assess_many`` takes them."""
    rng = np.random.default_rng(SEED)
    age = rng.integers(0, 1827, n)
    male = (rng.random(n) < 0.5).astype(np.float64)
    days = age.astype(np.float64)
    length = _values_at(Indicator.LHFA, male, days, rng.normal(-1.0, 1.1, n))
    length = np.clip(np.round(length, 1), 45.0, 120.0)
    by_length = age < 731
    wfl_row = np.round((np.clip(length, 45.0, 110.0) - 45.0) * 10.0).astype(np.float64)
    wfh_row = np.round((np.clip(length, 65.0, 120.0) - 65.0) * 10.0).astype(np.float64)
    wfl = _values_at(Indicator.WFL, male, wfl_row, rng.normal(-0.3, 1.1, n))
    wfh = _values_at(Indicator.WFH, male, wfh_row, rng.normal(-0.3, 1.1, n))
    weight = np.clip(np.round(np.where(by_length, wfl, wfh), 1), 1.0, 58.0)
    usual = np.where(by_length, Position.LYING.value, Position.STANDING.value)
    other = np.where(by_length, Position.STANDING.value, Position.LYING.value)
    position = np.where(rng.random(n) < 0.9, usual, other)
    return {
        "sex": np.where(male > 0, Sex.MALE.value, Sex.FEMALE.value),
        "age_days": age,
        "weight_kg": weight,
        "length_cm": length,
        "position": position,
        "oedema": rng.random(n) < 0.01,
    }


def _median_rates(count: int, run: Callable[[], object]) -> tuple[float, float]:
    """Median rate by wall clock and by this process's CPU time, which other load cannot inflate."""
    run()  # warm-up: loads the tables, fills caches
    wall, cpu = [], []
    for _ in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return count / statistics.median(wall), count / statistics.median(cpu)


def single_calls_per_second() -> tuple[float, float]:
    """Median ``assess`` calls per second over ``SINGLE_CALLS`` different children."""
    columns = sample(SINGLE_CALLS)
    children: list[dict[str, Any]] = [
        {
            "sex": Sex(str(columns["sex"][i])),
            "age_days": int(columns["age_days"][i]),
            "weight_kg": float(columns["weight_kg"][i]),
            "length_cm": float(columns["length_cm"][i]),
            "position": Position(str(columns["position"][i])),
            "oedema": bool(columns["oedema"][i]),
        }
        for i in range(SINGLE_CALLS)
    ]

    def run() -> None:
        for child in children:
            assess(**child)

    return _median_rates(SINGLE_CALLS, run)


def many_rows_per_second() -> tuple[float, float]:
    """Median ``assess_many`` rows per second over one column of ``ROWS`` children."""
    columns = sample(ROWS)

    def run() -> None:
        assess_many(**columns)

    return _median_rates(ROWS, run)


def main() -> None:
    """Print both figures beside their goals."""
    rows = [
        ("assess, calls/s", single_calls_per_second(), 100_000),
        (f"assess_many, rows/s ({ROWS:,} rows)", many_rows_per_second(), 2_000_000),
    ]
    print(
        f"median of {RUNS} runs, one core{'':14} {'wall clock':>12} {'CPU time':>12} {'goal':>12}"
    )
    for label, (wall, cpu), goal in rows:
        print(f"{label:<40} {wall:>12,.0f} {cpu:>12,.0f} {goal:>12,}")


if __name__ == "__main__":
    main()
