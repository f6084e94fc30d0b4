"""Permenkes 2/2020 categories: cut-offs, Indonesian labels, English names."""

from __future__ import annotations

import math

import pytest

from domain.growth import SCALES, Category
from domain.growth.categories import categorise


@pytest.mark.parametrize(
    ("indicator", "z", "label"),
    [
        ("haz", -3.0001, "Sangat pendek"),
        ("haz", -3.0, "Pendek"),
        ("haz", -2.0001, "Pendek"),
        ("haz", -2.0, "Normal"),
        ("haz", 3.0, "Normal"),
        ("haz", math.nextafter(3.0, 4.0), "Tinggi"),
        ("waz", -3.5, "Berat badan sangat kurang"),
        ("waz", -2.5, "Berat badan kurang"),
        ("waz", 1.0, "Berat badan normal"),
        ("waz", 1.0001, "Risiko berat badan lebih"),
        ("whz", -3.0001, "Gizi buruk"),
        ("whz", -3.0, "Gizi kurang"),
        ("whz", -2.0, "Gizi baik"),
        ("whz", 1.0, "Gizi baik"),
        ("whz", 1.0001, "Berisiko gizi lebih"),
        ("whz", 2.0, "Berisiko gizi lebih"),
        ("whz", 2.0001, "Gizi lebih"),
        ("whz", 3.0, "Gizi lebih"),
        ("whz", 3.0001, "Obesitas"),
        ("baz", -3.0001, "Gizi buruk"),
        ("baz", 3.0001, "Obesitas"),
    ],
)
def test_each_cut_off_falls_on_the_side_permenkes_2_2020_puts_it(
    indicator: str, z: float, label: str
) -> None:
    scale = SCALES[indicator]

    category = scale.classify(z)

    assert category.label == label


def test_every_category_has_a_stable_code_an_indonesian_label_and_an_english_name() -> None:
    categories = {c for scale in SCALES.values() for c in scale.categories}

    codes = sorted(c.code for c in categories)

    assert len(codes) == len(set(codes)) == 14
    assert all(c.code.isidentifier() and c.label and c.name for c in categories)
    assert {c.name for c in SCALES["haz"].categories} == {
        "Severely stunted",
        "Stunted",
        "Normal",
        "Tall",
    }


def test_categorise_names_only_the_indicators_with_a_z() -> None:
    categories = categorise(-2.5, None, 0.0, None, oedema=False)

    assert {k: v.code for k, v in categories.items()} == {"haz": "stunted", "whz": "normal"}
    assert all(isinstance(v, Category) for v in categories.values())
