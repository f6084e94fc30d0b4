"""The WHO/UNICEF igrowup example survey: igrowup's own results, child by child."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from domain.growth import Assessment, Position, Sex, assess, assess_many
from tests.unit.growth.reference import optional, read_survey, same_assessments

LAST_SCORED_DAY = 1826
INDICATORS = {"zlen": "haz", "zwei": "waz", "zwfl": "whz", "zbmi": "baz"}
FLAGS = {"flen": "haz", "fwei": "waz", "fwfl": "whz", "fbmi": "baz"}
POSITIONS = {"l": Position.LYING, "h": Position.STANDING, "": None}


def _assess(child: dict[str, str]) -> Assessment:
    return assess(
        sex=Sex.MALE if child["gender"] == "1" else Sex.FEMALE,
        age_days=int(child["agedays"]),
        weight_kg=optional(child["weight"]),
        length_cm=optional(child["height"]),
        position=POSITIONS[child["measure"]],
        oedema=child["oedema"] == "y",
    )


def _under_60_months(who_dir: Path) -> list[dict[str, str]]:
    return [c for c in read_survey(who_dir) if int(c["agedays"]) <= LAST_SCORED_DAY]


def _rounded(z: float | None) -> float | None:
    return None if z is None else round(z, 2)


@pytest.mark.parametrize(("column", "indicator"), INDICATORS.items())
def test_every_child_under_1826_days_gets_igrowups_z_score_to_2_decimals(
    who_dir: Path, column: str, indicator: str
) -> None:
    children = _under_60_months(who_dir)

    got = {c["id"]: _rounded(getattr(_assess(c), indicator)) for c in children}

    expected = {c["id"]: optional(c[column]) for c in children}
    assert got == expected
    assert len(children) == 494


@pytest.mark.parametrize(("column", "indicator"), FLAGS.items())
def test_every_child_under_1826_days_gets_igrowups_flags(
    who_dir: Path, column: str, indicator: str
) -> None:
    children = _under_60_months(who_dir)

    got = {c["id"]: indicator in _assess(c).flags for c in children}

    assert got == {c["id"]: c[column] == "1" for c in children}


def test_every_child_gets_igrowups_adjusted_length_and_bmi(who_dir: Path) -> None:
    children = _under_60_months(who_dir)

    assessments = {c["id"]: _assess(c) for c in children}

    lengths = {k: _rounded(a.adjusted_length_cm) for k, a in assessments.items()}
    assert lengths == {c["id"]: optional(c["clenhei"]) for c in children}
    # igrowup prints BMI to 4 decimals but gives child 115's 16.2324487 as 16.2325, as if
    # rounded twice, so BMI is compared to within one unit of its last printed digit.
    for child in children:
        expected, bmi = optional(child["cbmi"]), assessments[child["id"]].bmi
        assert (bmi is None) == (expected is None), child["id"]
        assert bmi is None or bmi == pytest.approx(expected, abs=1e-4), child["id"]


def test_the_four_children_past_1826_days_get_no_z_score(who_dir: Path) -> None:
    older = [c for c in read_survey(who_dir) if int(c["agedays"]) > LAST_SCORED_DAY]

    assessments = [_assess(c) for c in older]

    assert [int(c["agedays"]) for c in older] == [1852, 1832, 1851, 1842]
    assert all(a.haz is a.waz is a.whz is a.baz is None for a in assessments)
    assert all(a.flags == set() and a.categories == {} for a in assessments)


def test_assess_many_gives_the_survey_the_same_assessments_as_assess(who_dir: Path) -> None:
    children = read_survey(who_dir)
    singles = [_assess(c) for c in children]

    many = assess_many(
        sex=["M" if c["gender"] == "1" else "F" for c in children],
        age_days=[int(c["agedays"]) for c in children],
        weight_kg=[optional(c["weight"]) or np.nan for c in children],
        length_cm=[optional(c["height"]) or np.nan for c in children],
        position=[POSITIONS[c["measure"]] for c in children],
        oedema=[c["oedema"] == "y" for c in children],
    )

    assert same_assessments([many.row(i) for i in range(len(many))], singles)
