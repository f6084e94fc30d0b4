"""Growth monitoring at the posyandu, month to month: the KMS / Buku KIA practice.

Pure rules, beside (not instead of) the WHO z-scores of ``domain.growth``: the KBM table
(``kbm``), each weighing's N/T/O/B and 2T (``gain``), the early-warning flag (``warning``)
and the monthly SKDN report (``skdn``).
"""

from domain.monitoring.gain import GainClass, Weighing, WeightGain, counted_by_month, weight_gains
from domain.monitoring.kbm import KBM_SOURCE, KBM_VERSION, kbm_grams, kbm_table
from domain.monitoring.skdn import ChildMonthFact, Skdn, SkdnCounts, skdn_of
from domain.monitoring.warning import (
    DEFAULT_RULES,
    EarlyWarning,
    FlagReason,
    WarningRules,
    ZScores,
    early_warning,
)

__all__ = [
    "DEFAULT_RULES",
    "KBM_SOURCE",
    "KBM_VERSION",
    "ChildMonthFact",
    "EarlyWarning",
    "FlagReason",
    "GainClass",
    "Skdn",
    "SkdnCounts",
    "WarningRules",
    "Weighing",
    "WeightGain",
    "ZScores",
    "counted_by_month",
    "early_warning",
    "kbm_grams",
    "kbm_table",
    "skdn_of",
    "weight_gains",
]
