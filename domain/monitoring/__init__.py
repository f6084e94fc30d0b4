"""Growth monitoring at the posyandu, month to month: the KMS / Buku KIA practice.

Pure rules, beside (not instead of) the WHO z-scores of ``domain.growth``: the KBM table
(``kbm``) and each weighing's N/T/O/B and 2T (``gain``).
"""

from domain.monitoring.gain import GainClass, Weighing, WeightGain, counted_by_month, weight_gains
from domain.monitoring.kbm import KBM_SOURCE, KBM_VERSION, kbm_grams, kbm_table

__all__ = [
    "KBM_SOURCE",
    "KBM_VERSION",
    "GainClass",
    "Weighing",
    "WeightGain",
    "counted_by_month",
    "kbm_grams",
    "kbm_table",
    "weight_gains",
]
