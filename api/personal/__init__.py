"""Personal data (UU 27/2022): a person's own data on request, erasure, and the master key that
wraps the per-person keys.
"""
