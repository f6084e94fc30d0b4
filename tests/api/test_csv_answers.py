"""CSV answers neutralise formulas (issue 26): a text cell that a spreadsheet would run as a
formula comes out as text, while numbers, negative ones included, stay numbers."""

from __future__ import annotations

import csv
import io

import pytest

from api.web.csv_answer import cell, csv_text
from tests.api.test_area_stats import BORN, World, world

__all__ = ["world"]  # the fixture, used by name
FORMULA = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("text", [FORMULA, "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_could_start_a_formula_gets_a_leading_apostrophe(text: str) -> None:
    assert cell(text) == "'" + text


@pytest.mark.parametrize("value", [-2.1, -3, 0.0, "Pataruman", "32.79.02", "2025-Q2", True])
def test_numbers_and_plain_text_are_written_as_they_are(value: object) -> None:
    assert cell(value) == value
    assert cell(None) == ""


def test_a_kecamatan_named_like_a_formula_comes_out_as_text_in_the_evaluation_csv(
    world: World,
) -> None:
    area = {"code": "32.79.03.1001", "name": "Demo", "kecamatan": FORMULA, "kota": "Kota Banjar"}
    made = world.client.post("/v1/areas", json=area, headers=world.headers)
    child = {"sex": "F", "birth_date": BORN.isoformat(), "desa": area["code"], "posyandu": "Demo"}
    registered = world.client.post("/v1/children", json=child, headers=world.headers)
    world.ids["F"] = registered.json()["id"]
    world.measure("F", "2025-06-12", -1.5)
    world.measure("A", "2025-06-10", -1.0)  # Pataruman: 2 of 3 stunted in May, 1 of 2 in June
    world.measure("B", "2025-06-11", -2.8)

    answer = world.client.get(
        "/v1/areas/32.79/evaluation",
        headers=world.headers,
        params={"period": "2025-06", "format": "csv"},
    )

    assert made.status_code == 201, made.text
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(answer.text))}
    assert rows["32.79.03"]["name"] == "'" + FORMULA
    assert float(rows["32.79.02"]["prevalence_change"]) == pytest.approx(-0.1667, abs=1e-4)
    assert not any(v.startswith(("=", "+", "@")) for r in rows.values() for v in r.values())


def test_every_csv_goes_through_the_one_writer() -> None:
    text = csv_text([["name", "z"], [FORMULA, -2.1]], line_end="\n")

    assert text == "name,z\n'=cmd|' /C calc'!A0,-2.1\n"
