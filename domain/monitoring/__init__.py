"""Growth monitoring at the posyandu, month to month: the KMS / Buku KIA practice.

Pure rules, beside (not instead of) the WHO z-scores of ``domain.growth``: the KBM table
(``kbm``), each weighing's N/T/O/B and 2T (``gain``), the early-warning flag (``warning``),
the monthly SKDN report (``skdn``) and the referral's states (``referral``).
"""

from domain.monitoring.gain import GainClass, Weighing, WeightGain, counted_by_month, weight_gains
from domain.monitoring.kbm import KBM_SOURCE, KBM_VERSION, kbm_grams, kbm_table
from domain.monitoring.referral import (
    OVERDUE_AFTER_DAYS,
    Referral,
    ReferralConflict,
    ReferralStatus,
    Visit,
    VisitAction,
    close,
    days_open,
    is_overdue,
    mark_lost,
    record_visit,
    refer,
)
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
    "OVERDUE_AFTER_DAYS",
    "ChildMonthFact",
    "EarlyWarning",
    "FlagReason",
    "GainClass",
    "Referral",
    "ReferralConflict",
    "ReferralStatus",
    "Skdn",
    "SkdnCounts",
    "Visit",
    "VisitAction",
    "WarningRules",
    "Weighing",
    "WeightGain",
    "ZScores",
    "close",
    "counted_by_month",
    "days_open",
    "early_warning",
    "is_overdue",
    "kbm_grams",
    "kbm_table",
    "mark_lost",
    "record_visit",
    "refer",
    "skdn_of",
    "weight_gains",
]
