"""Area figures: each child's contribution per month, and their sums for desa, kecamatan, kota.

Pure: the projection, the "as known at" recomputation and the tests all call the same rules.
"""

from domain.figures.child import (
    ChildMonth,
    ChildProfile,
    NewCase,
    Scored,
    Span,
    age_band,
    child_months,
    resident_at_end,
)
from domain.figures.periods import Period, parse_period
from domain.figures.tally import BANDS, Figures, Split, figures_of

__all__ = [
    "BANDS",
    "ChildMonth",
    "ChildProfile",
    "Figures",
    "NewCase",
    "Period",
    "Scored",
    "Span",
    "Split",
    "age_band",
    "child_months",
    "figures_of",
    "parse_period",
    "resident_at_end",
]
