"""The growth chart as a browser draws it: headless Chromium renders the SVG, Pillow reads it.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it). Without it these tests
skip outside CI and fail under CI (``CI=true``), like the PostgreSQL tests (tests/conftest.py).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.children.routers.chart import render
from domain.growth import Sex
from tests.api.test_children import kader, measure, register
from tests.support.chromium import assert_check_catches, find_chromium, screenshot_of

__all__ = ["kader"]  # the fixture, used by name
SVG = "{http://www.w3.org/2000/svg}"
RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]  # left, top, right, bottom
# Three visits of a child born 2024-03-05, near the WHO medians for boys and for girls.
VISITS = [
    {"measured_on": "2024-09-05", "weight_kg": 7.6, "length_cm": 66.5},
    {"measured_on": "2025-03-05", "weight_kg": 9.2, "length_cm": 74.8},
    {"measured_on": "2025-05-10", "weight_kg": 9.8, "length_cm": 77.9},
]
TOLERANCE = 24  # per channel: anti-aliased edges blend with white, a line's core does not


@dataclass(frozen=True)
class Drawing:
    """What the SVG asks the browser to draw, in pixels of the screenshot."""

    size: tuple[int, int]
    plot: Box  # the frame inside which the curves lie
    curves: frozenset[RGB]
    point: RGB
    dots: tuple[tuple[int, int], ...]


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The Chromium executable; its absence skips outside CI and fails under CI."""
    return find_chromium("the chart")


def screenshot(chromium: Path, svg: str, folder: Path, size: tuple[int, int]) -> Image.Image:
    """Chromium's screenshot of ``svg`` opened as a file, at one CSS pixel per pixel."""
    page = folder / "chart.svg"
    page.write_text(svg, encoding="utf-8")
    return screenshot_of(chromium, page, size)


def drawing(svg: str) -> Drawing:
    """The size, frame, curve colours and dot centres the chart's SVG declares."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg", f"the root element is {root.tag}, not SVG's svg"
    frame = next(r for r in root.iter(f"{SVG}rect") if r.get("fill") == "none")
    left, top = float(frame.get("x", 0)), float(frame.get("y", 0))
    right, bottom = left + float(frame.get("width", 0)), top + float(frame.get("height", 0))
    circles = list(root.iter(f"{SVG}circle"))
    return Drawing(
        size=(int(root.get("width", 0)), int(root.get("height", 0))),
        plot=(round(left), round(top), round(right), round(bottom)),
        curves=frozenset(_rgb(p.get("stroke", "")) for p in root.iter(f"{SVG}polyline")),
        point=_rgb(circles[0].get("fill", "")) if circles else (0, 0, 0),
        dots=tuple((round(float(c.get("cx", 0))), round(float(c.get("cy", 0)))) for c in circles),
    )


def _rgb(colour: str) -> RGB:
    value = int(colour.removeprefix("#"), 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def count(image: Image.Image, box: Box, colour: RGB) -> int:
    """How many pixels in ``box`` are ``colour``, give or take ``TOLERANCE``."""
    colours = image.crop(box).getcolors(image.width * image.height) or []
    return sum(n for n, pixel in colours if _near(pixel, colour))


def _near(pixel: tuple[int, ...] | float, colour: RGB) -> bool:
    if not isinstance(pixel, tuple):
        return False
    return max(abs(a - b) for a, b in zip(pixel, colour, strict=True)) <= TOLERANCE


def assert_drawn(image: Image.Image, want: Drawing) -> None:
    """The screenshot shows the chart where the SVG puts it: not blank, curves, dots, labels."""
    width, height = want.size
    left, top, right, bottom = want.plot
    inside = (left + 2, top + 2, right - 1, bottom - 1)
    assert image.size == want.size
    inked = width * height - count(image, (0, 0, width, height), (255, 255, 255))
    assert inked > 0.02 * width * height, f"the screenshot is (nearly) blank: {inked} pixels"
    for colour in want.curves:
        assert count(image, inside, colour) >= (right - left) // 2, f"no curve in {colour}"
    for x, y in want.dots:
        assert count(image, (x - 1, y - 1, x + 2, y + 2), want.point) >= 5, f"no dot at {x},{y}"
    assert count(image, inside, want.point) >= 20 * len(want.dots)
    labels: tuple[Box, ...] = (
        (0, 0, width, top - 2),
        (0, top, left - 2, bottom),
        (0, bottom + 2, width, height),
    )
    for strip in labels:
        assert count(image, strip, (0, 0, 0)) >= 100, f"no title or axis labels in {strip}"


@pytest.mark.parametrize("sex", ["M", "F"])
@pytest.mark.parametrize("indicator", ["hfa", "wfa", "wfh", "bfa"])
def test_a_browser_draws_the_growth_chart_with_its_curves_and_the_childs_points(
    client: TestClient,
    kader: dict[str, str],
    chromium: Path,
    tmp_path: Path,
    indicator: str,
    sex: str,
) -> None:
    child = register(client, kader, sex=sex)["id"]
    for visit in VISITS:
        assert measure(client, kader, child, **visit).status_code == 201

    answer = client.get(
        f"/v1/children/{child}/growth-chart.svg?indicator={indicator}", headers=kader
    )

    assert answer.status_code == 200, answer.text
    want = drawing(answer.text)
    assert len(want.curves) == 4
    assert len(want.dots) == len(VISITS)
    assert_drawn(screenshot(chromium, answer.text, tmp_path, want.size), want)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param('xmlns="http://www.w3.org/2000/svg"', 'xmlns="urn:x"', id="wrong-namespace"),
        pytest.param('fill="#ffffff"/>', 'fill="#ffffff">', id="unclosed-tag"),
        pytest.param("</svg>", "", id="missing-end-tag"),
    ],
)
def test_the_browser_checks_catch_a_broken_svg(
    chromium: Path, tmp_path: Path, old: str, new: str
) -> None:
    svg = render("hfa", Sex.MALE, [(6.0, 67.0), (12.0, 75.0), (14.2, 78.0)])
    want = drawing(svg)

    assert_check_catches(
        svg,
        old,
        new,
        partial(screenshot, chromium, folder=tmp_path, size=want.size),
        partial(assert_drawn, want=want),
    )
