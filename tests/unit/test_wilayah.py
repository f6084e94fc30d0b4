"""Area codes: the dotted form is canonical, the undotted one is accepted, prefixes nest."""

from __future__ import annotations

import pytest

from domain import wilayah
from domain.wilayah import InvalidWilayah, Level


def test_an_undotted_desa_code_becomes_dotted() -> None:
    code = wilayah.parse("3279021001")

    assert code == "32.79.02.1001"


@pytest.mark.parametrize(
    ("given", "expected"),
    [("32", "32"), ("3279", "32.79"), ("327902", "32.79.02"), ("32.79.02", "32.79.02")],
)
def test_prefixes_at_every_level_are_accepted(given: str, expected: str) -> None:
    code = wilayah.parse(given)

    assert code == expected


@pytest.mark.parametrize("given", ["", "3", "32.7", "32-79", "327", "32.79.02.100", "ab.cd"])
def test_anything_else_is_refused_naming_the_field(given: str) -> None:
    with pytest.raises(InvalidWilayah) as refusal:
        wilayah.parse(given, field="desa")

    assert refusal.value.field == "desa"


def test_a_desa_code_needs_all_four_groups() -> None:
    with pytest.raises(InvalidWilayah):
        wilayah.parse_desa("32.79.02")


def test_the_level_follows_the_number_of_groups() -> None:
    levels = [wilayah.level(c) for c in ("32", "32.79", "32.79.02", "32.79.02.1001")]

    assert levels == [Level.PROVINSI, Level.KABKOTA, Level.KECAMATAN, Level.DESA]


def test_a_kota_prefix_covers_its_desa_but_not_a_neighbour_with_the_same_digits() -> None:
    assert wilayah.covers("32.79", "32.79.02.1001")
    assert wilayah.covers("32.79.02.1001", "32.79.02.1001")
    assert not wilayah.covers("32.7", "32.79.02.1001")
    assert not wilayah.covers("32.79.02", "32.79.03.2001")


def test_everywhere_covers_every_code() -> None:
    assert wilayah.covers(wilayah.EVERYWHERE, "63.72.02.1001")


def test_a_reach_drops_prefixes_another_one_covers() -> None:
    reach = wilayah.normalise_reach(["3279021001", "32.79.02", "63.72"])

    assert reach == ("32.79.02", "63.72")


def test_a_reach_with_everywhere_is_only_everywhere() -> None:
    reach = wilayah.normalise_reach(["32.79", "*"])

    assert reach == ("*",)
