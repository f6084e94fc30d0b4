"""The independent verifier (``tools/verify_export.py``) loaded as a module for tests.

It is a standalone script, deliberately not part of the installed packages.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "verify_export.py"


@functools.cache
def verifier() -> ModuleType:
    """The verifier script as a module."""
    spec = importlib.util.spec_from_file_location("verify_export", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["verify_export"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module
