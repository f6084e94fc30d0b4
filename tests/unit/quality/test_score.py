"""The 0-100 score by hand, and a scorecard that ranks kaders of different quality."""

from __future__ import annotations

import pytest

from domain.growth import Position
from domain.quality import (
    Completeness,
    DigitPreference,
    Measured,
    PositionCheck,
    ScoreInputs,
    Timeliness,
    implausible_changes,
    quality_report,
    quality_score,
)
from tests.unit.quality.support import aged, measured


def digits(dissimilarity: float | None) -> DigitPreference:
    return DigitPreference((0,) * 10, None, dissimilarity)


def inputs() -> ScoreInputs:
    return ScoreInputs(
        completeness=Completeness(8, 1.0, 0.5, None),
        flagged_share=0.1,
        change_share=None,
        weight_digits=digits(0.0),
        length_digits=digits(0.9),
        position=PositionCheck(4, None, None, 0.25),
        timeliness=Timeliness(8, 2, 9, 0.5),
    )


def test_the_score_is_the_weighted_mean_of_the_parts_that_could_be_judged() -> None:
    found = quality_score(inputs())

    values = {p.name: p.value for p in found.parts}
    assert values == {
        "completeness": 0.75,  # mean of 1.0 and 0.5; no age share
        "plausibility": 0.9,
        "consistency": None,  # nothing to compare: left out, weights renormalised
        "weight_digits": 1.0,
        "length_digits": 0.0,
        "position": 0.75,
        "timeliness": 0.5,
    }
    # (20 x 0.75 + 20 x 0.9 + 10 x 1 + 10 x 0 + 15 x 0.75 + 10 x 0.5) / 85 = 59.25 / 85
    assert found.score == 69.7


def test_every_part_is_returned_with_its_weight_beside_the_score() -> None:
    found = quality_score(inputs())

    assert [(p.name, p.weight) for p in found.parts] == [
        ("completeness", 20),
        ("plausibility", 20),
        ("consistency", 15),
        ("weight_digits", 10),
        ("length_digits", 10),
        ("position", 15),
        ("timeliness", 10),
    ]


def test_nothing_to_judge_gives_no_score() -> None:
    empty = ScoreInputs(
        completeness=Completeness(0, None, None, None),
        flagged_share=None,
        change_share=None,
        weight_digits=digits(None),
        length_digits=digits(None),
        position=PositionCheck(0, None, None, None),
        timeliness=Timeliness(0, None, None, None),
    )

    found = quality_score(empty)

    assert (found.score, len(found.parts)) == (None, 7)


def kader(
    name: str, *, rounds: bool = False, standing: bool = False, late: int = 0
) -> list[Measured]:
    """Ten children aged 4 to 22 months, weighed and measured once each by ``name``.

    A careful kader's weights and lengths end in each digit 0-9 once; one who rounds writes
    every length to the whole 5 cm.
    """
    items = []
    for i in range(10):
        items.append(
            measured(
                f"{name}-{i}",
                child=f"{name}-child-{i}",
                born=aged(120 + 60 * i),
                kg=6.0 + 1.1 * i,
                cm=60.0 + 5.0 * i if rounds else 62.0 + 2.1 * i,
                position=Position.STANDING if standing else Position.LYING,
                late_by=late,
                haz=-0.5,
                waz=-0.4,
                whz=-0.2,
            )
        )
    return items


def test_the_scorecard_ranks_the_careful_kader_above_each_kind_of_carelessness() -> None:
    groups = {
        "careful": kader("careful"),
        "rounds-lengths": kader("rounds", rounds=True),
        "never-lying": kader("standing", standing=True),
        "records-late": kader("late", late=20),
    }

    scores = {
        name: quality_report(items, [implausible_changes([m]) for m in items]).score.score
        for name, items in groups.items()
    }

    # Judged weights 85 (no child measured twice: no consistency part). Rounding lengths
    # loses the 10 of length digits, standing the 15 of position, lateness the 10 of
    # timeliness: 75/85, 70/85 and 75/85.
    assert scores == {
        "careful": 100.0,
        "rounds-lengths": 88.2,
        "never-lying": 82.4,
        "records-late": 88.2,
    }


def test_the_report_gathers_every_measure_of_the_group() -> None:
    items = kader("careful")
    items[0] = measured(
        "extra",
        born=aged(400),
        kg=6.0,
        cm=62.0,
        position=Position.LYING,
        haz=-6.5,
        flags=frozenset({"haz"}),
    )

    report = quality_report(items, [implausible_changes([m]) for m in items])

    assert report.measured == 10
    assert (report.flagged["haz"], report.flagged["any"]) == (0.1, 0.1)
    assert report.distributions["haz"].n == 9  # the flagged HAZ is left out
    assert report.distributions["whz"].n == 9  # "extra" has no WHZ
    assert report.weight_digits.dissimilarity == pytest.approx(0.0)
    assert report.position.lying_under_24m_share == 1.0
    assert (report.timeliness.late_share, report.birth_days.n, report.change_share) == (
        0.0,
        10,
        None,
    )
