"""Area figures for a period, now (``now.py``) or as known at an earlier log position
(``as_of.py``), both summed the same way (``common.py``)."""

from events.area_figures.as_of import AsOf, AsOfSource, position_at, reading
from events.area_figures.common import (
    AreaFigures,
    Preloaded,
    Resident,
    Source,
    Sums,
    Unit,
    assemble,
    desa_itself,
    unit_of,
)
from events.area_figures.now import NowSource, NowSums, figures_now

__all__ = [
    "AreaFigures",
    "AsOf",
    "AsOfSource",
    "NowSource",
    "NowSums",
    "Preloaded",
    "Resident",
    "Source",
    "Sums",
    "Unit",
    "assemble",
    "desa_itself",
    "figures_now",
    "position_at",
    "reading",
    "unit_of",
]
