"""z-scores by the LMS method, plain and restricted (WHO MGRS 2006), for scalars and arrays.

A measurement y with Box-Cox power L, median M and coefficient of variation S has
z = ((y / M) ** L - 1) / (L * S), or ln(y / M) / S when L is 0. The value at z is
M * (1 + L * S * z) ** (1 / L). Weight-based indicators use the restricted form beyond
+-3: the distance from SD3 is measured in units of the distance between SD2 and SD3, because
the LMS curves stretch unrealistically in the tails (WHO MGRS 2006, restricted LMS method).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def z_lms(y: float, l: float, m: float, s: float) -> float:  # noqa: E741 - WHO's names L, M, S
    """The plain LMS z-score of ``y``."""
    if l == 0.0:
        return math.log(y / m) / s
    z: float = ((y / m) ** l - 1.0) / (l * s)
    return z


def value_at(z: float, l: float, m: float, s: float) -> float:  # noqa: E741
    """The measurement whose plain LMS z-score is ``z`` (the published SDz curve)."""
    if l == 0.0:
        return m * math.exp(s * z)
    value: float = m * (1.0 + l * s * z) ** (1.0 / l)
    return value


def z_restricted(y: float, l: float, m: float, s: float) -> float:  # noqa: E741
    """The restricted LMS z-score of ``y``: plain within +-3, linear in SD2-SD3 units beyond."""
    # z_lms inlined: this runs three times in every assessment.
    z: float = math.log(y / m) / s if l == 0.0 else ((y / m) ** l - 1.0) / (l * s)
    if z > 3.0:
        sd3 = value_at(3.0, l, m, s)
        return 3.0 + (y - sd3) / (sd3 - value_at(2.0, l, m, s))
    if z < -3.0:
        sd3 = value_at(-3.0, l, m, s)
        return -3.0 + (y - sd3) / (value_at(-2.0, l, m, s) - sd3)
    return z


def z_lms_array(y: FloatArray, l: FloatArray, m: FloatArray, s: FloatArray) -> FloatArray:  # noqa: E741
    """The plain LMS z-scores of ``y``, element by element (NaN in, NaN out)."""
    ratio = y / m
    if np.all(l == 1.0):  # length-for-age: the power is the identity, and the dearest step
        z: FloatArray = (ratio - 1.0) / s
        return z
    zero = l == 0.0
    if not zero.any():
        z = (ratio**l - 1.0) / (l * s)
        return z
    with np.errstate(divide="ignore", invalid="ignore"):  # the L = 0 rows are replaced below
        z = (ratio**l - 1.0) / (l * s)
    z[zero] = np.log(ratio[zero]) / s[zero]
    return z


def value_at_array(z: float, l: FloatArray, m: FloatArray, s: FloatArray) -> FloatArray:  # noqa: E741
    """The measurements whose plain LMS z-score is ``z``, element by element."""
    with np.errstate(divide="ignore"):
        value: FloatArray = m * (1.0 + l * s * z) ** (1.0 / l)
    zero = l == 0.0
    if zero.any():
        value[zero] = m[zero] * np.exp(s[zero] * z)
    return value


def z_restricted_array(y: FloatArray, l: FloatArray, m: FloatArray, s: FloatArray) -> FloatArray:  # noqa: E741
    """The restricted LMS z-scores of ``y``; only the rare rows beyond +-3 pay for the SD curves."""
    z = z_lms_array(y, l, m, s)
    for sign in (1.0, -1.0):
        beyond = np.flatnonzero(z * sign > 3.0)
        if beyond.size:
            yb, lb, mb, sb = y[beyond], l[beyond], m[beyond], s[beyond]
            sd3 = value_at_array(3.0 * sign, lb, mb, sb)
            sd2 = value_at_array(2.0 * sign, lb, mb, sb)
            z[beyond] = 3.0 * sign + (yb - sd3) / np.abs(sd3 - sd2)
    return z
