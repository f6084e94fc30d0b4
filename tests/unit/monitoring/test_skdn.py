"""The SKDN tally on six hand-counted children, and its refusals."""

from __future__ import annotations

import pytest

from domain.monitoring import ChildMonthFact, GainClass, SkdnCounts, skdn_of

MONTH = "2025-04"


def fact(
    child_id: str,
    sex: str,
    band: str,
    gain: GainClass | None,
    *,
    kia: bool = True,
    two_t: bool = False,
) -> ChildMonthFact:
    return ChildMonthFact(child_id, MONTH, sex, band, kia, gain, two_t)


SIX = [
    fact("c1", "M", "0-5", GainClass.N),
    fact("c2", "F", "6-11", GainClass.T, two_t=True),
    fact("c3", "F", "12-23", GainClass.O, kia=False),
    fact("c4", "M", "24-59", GainClass.B),
    fact("c5", "F", "24-59", None),
    fact("c6", "M", "12-23", GainClass.N),
]


def counts(c: SkdnCounts) -> tuple[int, ...]:
    return (c.S, c.K, c.D, c.N, c.T, c.O, c.B, c.two_t)


def test_the_letters_count_children_in_the_area_with_kms_weighed_and_by_class() -> None:
    tally = skdn_of(MONTH, SIX)

    assert counts(tally.total) == (6, 5, 5, 2, 1, 1, 1, 1)
    assert tally.total.N + tally.total.T + tally.total.O + tally.total.B == tally.total.D


def test_the_ratios_are_d_over_s_n_over_d_and_n_over_d_minus_o_and_b() -> None:
    total = skdn_of(MONTH, SIX).total

    # 5/6, 2/5 and 2/(5 - 1 - 1), rounded to 4 decimals.
    assert (total.d_s, total.n_d, total.n_d_o_b) == (0.8333, 0.4, 0.6667)


def test_the_tally_splits_by_sex_and_age_band() -> None:
    tally = skdn_of(MONTH, SIX)

    assert counts(tally.by_sex["M"]) == (3, 3, 3, 2, 0, 0, 1, 0)
    assert counts(tally.by_sex["F"]) == (3, 2, 2, 0, 1, 1, 0, 1)
    assert (tally.by_sex["M"].n_d_o_b, tally.by_sex["F"].n_d_o_b) == (1.0, 0.0)
    assert [tally.by_age_band[b].S for b in ("0-5", "6-11", "12-23", "24-59")] == [1, 1, 2, 2]


def test_a_ratio_with_nothing_under_it_is_none() -> None:
    only_new = skdn_of(MONTH, SIX).by_age_band["24-59"]
    empty = skdn_of(MONTH, [])

    assert (only_new.D, only_new.O + only_new.B, only_new.n_d_o_b) == (1, 1, None)
    assert (empty.total.d_s, empty.total.n_d, empty.total.n_d_o_b) == (None, None, None)


def test_the_answer_carries_the_counts_and_the_ratios() -> None:
    answer = skdn_of(MONTH, SIX).total.answer()

    expected = {"S": 6, "K": 5, "D": 5, "N": 2, "T": 1, "O": 1, "B": 1, "two_t": 1}
    assert answer == {**expected, "d_s": 0.8333, "n_d": 0.4, "n_d_o_b": 0.6667}


def test_two_desa_tallies_add_up_to_the_tally_of_both() -> None:
    both = skdn_of(MONTH, SIX)

    first = skdn_of(MONTH, SIX[:3])
    first.merge(skdn_of(MONTH, SIX[3:]))

    assert first == both


def test_tallies_of_different_months_do_not_merge() -> None:
    april = skdn_of(MONTH, [])

    with pytest.raises(ValueError, match="2025-05"):
        april.merge(skdn_of("2025-05", []))


@pytest.mark.parametrize(
    "bad",
    [
        [fact("c1", "M", "0-5", None), fact("c1", "M", "0-5", GainClass.N)],
        [ChildMonthFact("c1", "2025-03", "M", "0-5")],
        [fact("c1", "M", "0-5", GainClass.N, two_t=True)],
        [fact("c1", "X", "0-5", None)],
        [fact("c1", "M", "60+", None)],
    ],
    ids=["child-twice", "other-month", "2t-not-t", "unknown-sex", "unknown-band"],
)
def test_facts_that_cannot_be_tallied_are_refused(bad: list[ChildMonthFact]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        skdn_of(MONTH, bad)
