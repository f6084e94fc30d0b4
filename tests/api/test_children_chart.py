"""The growth chart: valid SVG with the WHO curves, the child's points and bilingual axes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from tests.api.test_children import kader, measure, register

__all__ = ["kader"]  # the fixture, used by name
SVG = "{http://www.w3.org/2000/svg}"
Y_LABELS = {
    "hfa": "Panjang/tinggi badan / Length/height",
    "wfa": "Berat badan / Weight",
    "wfh": "Berat badan / Weight",
    "bfa": "IMT / BMI",
}


@pytest.mark.parametrize("indicator", ["hfa", "wfa", "wfh", "bfa"])
def test_the_growth_chart_is_svg_with_seven_curves_and_the_childs_points(
    client: TestClient, kader: dict[str, str], indicator: str
) -> None:
    child = register(client, kader)["id"]
    measure(client, kader, child, measured_on="2025-04-10")
    measure(client, kader, child, length_cm=70.0)

    answer = client.get(
        f"/v1/children/{child}/growth-chart.svg?indicator={indicator}", headers=kader
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(answer.text)
    assert root.tag == f"{SVG}svg"
    assert len(root.findall(f"{SVG}polyline")) == 7
    assert len(root.findall(f"{SVG}circle")) == 2
    labels = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert Y_LABELS[indicator] in labels
    assert ("Umur / Age" in labels) is (indicator != "wfh")


def test_an_unknown_indicator_is_refused(client: TestClient, kader: dict[str, str]) -> None:
    child = register(client, kader)["id"]

    answer = client.get(f"/v1/children/{child}/growth-chart.svg?indicator=hc", headers=kader)

    assert answer.status_code == 422


def ticks(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [t.text or "" for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]


def test_an_infants_weight_chart_uses_the_lying_weight_for_length_table(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)["id"]  # born 2024-03-05
    measure(client, kader, child, measured_on="2024-09-10", length_cm=62.0, weight_kg=6.0)

    answer = client.get(f"/v1/children/{child}/growth-chart.svg?indicator=wfh", headers=kader)

    assert "45" in ticks(answer.text)  # the 45-110 cm table; 65-120 cm would drop the point
    assert len(ET.fromstring(answer.text).findall(f"{SVG}circle")) == 1


def test_the_age_axis_is_labelled_up_to_sixty_months(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)["id"]

    answer = client.get(f"/v1/children/{child}/growth-chart.svg?indicator=hfa", headers=kader)

    assert "60" in ticks(answer.text)
