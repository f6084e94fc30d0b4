"""The spread and shape of a group's z-scores: mean, SD, skewness and kurtosis.

The estimators are those of the WHO Anthro Survey Analyser's z-score summary table
(``code/zscore-dq-lib.R`` of WorldHealthOrganization/anthro-analyzer-web, which calls R's
``sd`` and the ``moments`` package), on z-scores without WHO-flagged values:

* **SD**: the sample standard deviation, ``sqrt(sum (x - mean)^2 / (n - 1))``;
* **skewness**: the moment ratio ``m3 / m2^(3/2)``, where ``mk = sum (x - mean)^k / n``
  (population moments, no small-sample correction);
* **kurtosis**: ``m4 / m2^2``, Pearson's kurtosis, which is 3 for a normal distribution
  (not the "excess" kurtosis, which subtracts 3).

Routine posyandu data is not a survey: WHO's survey ranges for these are a reference to
show beside them, not a pass mark. None where a value needs more values than there are
(SD: 2; skewness and kurtosis: 2 values that are not all equal).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ZDistribution:
    """Summary of a group's valid z-scores of one indicator."""

    n: int
    mean: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None


def z_distribution(values: Iterable[float]) -> ZDistribution:
    """Mean, sample SD, moment skewness and Pearson kurtosis of ``values``."""
    xs = list(values)
    n = len(xs)
    if n == 0:
        return ZDistribution(0, None, None, None, None)
    mean = math.fsum(xs) / n
    deviations = [x - mean for x in xs]
    m2 = _moment(deviations, 2)
    sd = math.sqrt(m2 * n / (n - 1)) if n > 1 else None
    if min(xs) == max(xs):  # no spread: SD 0 and no shape (not rounding noise)
        return ZDistribution(n, xs[0], 0.0 if n > 1 else None, None, None)
    skewness = _moment(deviations, 3) / m2**1.5
    kurtosis = _moment(deviations, 4) / m2**2
    return ZDistribution(n, mean, sd, skewness, kurtosis)


def _moment(deviations: list[float], power: int) -> float:
    return math.fsum(d**power for d in deviations) / len(deviations)
