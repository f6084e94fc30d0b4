"""Nutritional-status categories of Permenkes 2/2020 (Standar Antropometri Anak).

Permenkes 2/2020 is the Health Minister's regulation that adopts the WHO standards in
Indonesia; its Indonesian labels are the names kader and puskesmas staff use, so they are
kept verbatim beside a stable code and an English name. Cut-offs apply to the unrounded z,
as WHO's software does for prevalence.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Category:
    """A category: stable code, the Indonesian label of Permenkes 2/2020, the English name."""

    code: str
    label: str
    name: str


# Panjang/tinggi badan menurut umur (PB/U, TB/U): length/height-for-age.
SEVERELY_STUNTED = Category("severely_stunted", "Sangat pendek", "Severely stunted")
STUNTED = Category("stunted", "Pendek", "Stunted")
NORMAL_HEIGHT = Category("normal_height", "Normal", "Normal")
TALL = Category("tall", "Tinggi", "Tall")

# Berat badan menurut umur (BB/U): weight-for-age.
SEVERELY_UNDERWEIGHT = Category(
    "severely_underweight", "Berat badan sangat kurang", "Severely underweight"
)
UNDERWEIGHT = Category("underweight", "Berat badan kurang", "Underweight")
NORMAL_WEIGHT = Category("normal_weight", "Berat badan normal", "Normal weight")
RISK_OF_OVERWEIGHT_FOR_AGE = Category(
    "risk_of_overweight_for_age", "Risiko berat badan lebih", "Risk of overweight"
)

# BB/PB, BB/TB (weight-for-length/height) and IMT/U (BMI-for-age) share six categories.
SEVERELY_WASTED = Category("severely_wasted", "Gizi buruk", "Severely wasted")
WASTED = Category("wasted", "Gizi kurang", "Wasted")
NORMAL = Category("normal", "Gizi baik", "Normal")
POSSIBLE_RISK_OF_OVERWEIGHT = Category(
    "possible_risk_of_overweight", "Berisiko gizi lebih", "Possible risk of overweight"
)
OVERWEIGHT = Category("overweight", "Gizi lebih", "Overweight")
OBESE = Category("obese", "Obesitas", "Obese")


@dataclass(frozen=True, slots=True)
class Scale:
    """The categories of one indicator, each from its lower bound on z (inclusive) upwards."""

    lower_bounds: tuple[float, ...]
    categories: tuple[Category, ...]

    def classify(self, z: float) -> Category:
        """The category ``z`` falls in."""
        return self.categories[bisect_right(self.lower_bounds, z)]


def _above(z: float) -> float:
    """The lower bound of "more than z": the next float after it."""
    return math.nextafter(z, math.inf)


HEIGHT_FOR_AGE = Scale(
    # < -3 sangat pendek; -3 to < -2 pendek; -2 to +3 normal; > +3 tinggi.
    (-3.0, -2.0, _above(3.0)),
    (SEVERELY_STUNTED, STUNTED, NORMAL_HEIGHT, TALL),
)
WEIGHT_FOR_AGE = Scale(
    # < -3 BB sangat kurang; -3 to < -2 BB kurang; -2 to +1 BB normal; > +1 risiko BB lebih.
    (-3.0, -2.0, _above(1.0)),
    (SEVERELY_UNDERWEIGHT, UNDERWEIGHT, NORMAL_WEIGHT, RISK_OF_OVERWEIGHT_FOR_AGE),
)
WEIGHT_FOR_HEIGHT = Scale(
    # < -3 gizi buruk; -3 to < -2 gizi kurang; -2 to +1 gizi baik; > +1 to +2 berisiko
    # gizi lebih; > +2 to +3 gizi lebih; > +3 obesitas. IMT/U uses the same scale.
    (-3.0, -2.0, _above(1.0), _above(2.0), _above(3.0)),
    (SEVERELY_WASTED, WASTED, NORMAL, POSSIBLE_RISK_OF_OVERWEIGHT, OVERWEIGHT, OBESE),
)
SCALES = {
    "haz": HEIGHT_FOR_AGE,
    "waz": WEIGHT_FOR_AGE,
    "whz": WEIGHT_FOR_HEIGHT,
    "baz": WEIGHT_FOR_HEIGHT,
}
"""Indicator -> its Permenkes 2/2020 scale."""

# Unpacked once: categorise runs on every assessment.
_HAZ_BOUNDS, _HAZ_CATEGORIES = HEIGHT_FOR_AGE.lower_bounds, HEIGHT_FOR_AGE.categories
_WAZ_BOUNDS, _WAZ_CATEGORIES = WEIGHT_FOR_AGE.lower_bounds, WEIGHT_FOR_AGE.categories
_WHZ_BOUNDS, _WHZ_CATEGORIES = WEIGHT_FOR_HEIGHT.lower_bounds, WEIGHT_FOR_HEIGHT.categories


def categorise(
    haz: float | None,
    waz: float | None,
    whz: float | None,
    baz: float | None,
    oedema: bool,
) -> dict[str, Category]:
    """Indicator -> category for every z present; oedema alone makes BB/PB gizi buruk."""
    categories: dict[str, Category] = {}
    if haz is not None:
        categories["haz"] = _HAZ_CATEGORIES[bisect_right(_HAZ_BOUNDS, haz)]
    if waz is not None:
        categories["waz"] = _WAZ_CATEGORIES[bisect_right(_WAZ_BOUNDS, waz)]
    if oedema:
        # Bilateral pitting oedema is severe acute malnutrition whatever the weight says.
        categories["whz"] = SEVERELY_WASTED
    elif whz is not None:
        categories["whz"] = _WHZ_CATEGORIES[bisect_right(_WHZ_BOUNDS, whz)]
    if baz is not None:
        categories["baz"] = _WHZ_CATEGORIES[bisect_right(_WHZ_BOUNDS, baz)]
    return categories
