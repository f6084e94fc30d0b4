"""Areas and figures: the areas registry, an area's stats, series, zero new stunting, work queues
and the TPPS evaluation.
"""
