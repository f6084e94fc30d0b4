"""Fixtures for the growth tests: the WHO reference files beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def who_dir() -> Path:
    """``../shared/who`` beside the checkout; CI must have it, elsewhere its absence skips."""
    path = REPO_ROOT.parent / "shared" / "who"
    if not (path / "README.md").is_file():
        reason = f"WHO reference files not found at {path} (expected beside the checkout)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(f"{reason}; they prove the tables and the method against WHO's own figures")
    return path
