"""Fixtures for the growth tests: the WHO reference files beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from domain.growth import Indicator, Sex
from tests.conftest import unavailable
from tests.unit.growth.reference import FloatArray, read_table

REPO_ROOT = Path(__file__).resolve().parents[3]
TABLES = ("lhfa", "wfa", "wfl", "wfh", "bfa")
WHO_FILES = (
    *(f"{table}_{sex}_zscore_expanded.csv" for table in TABLES for sex in ("boys", "girls")),
    "igrowup_survey_expected.csv",
)
"""WHO's expanded z-score tables (as CSV) and the igrowup example survey with its results."""


def who_reference_dir() -> Path:
    """``TUMBUH_TEST_WHO_DIR`` if set, else ``../shared/who`` beside the checkout."""
    configured = os.environ.get("TUMBUH_TEST_WHO_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "who"


@pytest.fixture(scope="session")
def who_dir() -> Path:
    """The WHO reference files; CI must have them, elsewhere their absence skips."""
    path = who_reference_dir()
    missing = [name for name in WHO_FILES if not (path / name).is_file()]
    if missing:
        unavailable(
            f"WHO reference files not found at {path} ({len(missing)} missing, e.g. "
            f"{missing[0]}; beside the checkout, or set TUMBUH_TEST_WHO_DIR): they prove "
            "the tables and the method against WHO's own figures"
        )
    return path


@pytest.fixture
def who(who_dir: Path, indicator: Indicator, sex: Sex) -> dict[str, FloatArray]:
    """WHO's expanded table of the test's ``indicator`` and ``sex``, as columns."""
    return read_table(who_dir, indicator, sex)
