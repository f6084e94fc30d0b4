"""The demo's size by default, apart from its generator so that ``tumbuh --help`` can show
it without loading the application."""

from __future__ import annotations

from typing import Final

DEFAULT_CHILDREN: Final = 12_000
DEFAULT_MONTHS: Final = 24
DEFAULT_SEED: Final = 3279
