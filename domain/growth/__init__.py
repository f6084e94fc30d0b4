"""WHO growth standards for children under five, classified by Permenkes 2/2020.

``assess`` scores one measurement exactly as WHO's software does (length/height-, weight-,
weight-for-length/height- and BMI-for-age, plus arm-circumference-for-age; the table source
has no head-circumference table, so that indicator is not offered); ``assess_many`` does the
same over numpy columns. Pure: no I/O beyond reading the LMS tables once, on first use.
"""

from domain.growth.assessment import Assessment, assess
from domain.growth.categories import SCALES, Category, Scale
from domain.growth.curves import StandardCurves, standard_curves
from domain.growth.inputs import GrowthInputError, Position, Sex
from domain.growth.rules import RULE_VERSION
from domain.growth.tables import TABLE_SOURCE, Indicator, TableSourceError
from domain.growth.vectorised import Assessments, assess_many

__all__ = [
    "RULE_VERSION",
    "SCALES",
    "TABLE_SOURCE",
    "Assessment",
    "Assessments",
    "Category",
    "GrowthInputError",
    "Indicator",
    "Position",
    "Scale",
    "Sex",
    "StandardCurves",
    "TableSourceError",
    "assess",
    "assess_many",
    "standard_curves",
]
