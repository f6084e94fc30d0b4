"""The HTTP pieces every room shares: the kit (``kit.py``), problem answers, documented responses,
dependencies, middleware.
"""
