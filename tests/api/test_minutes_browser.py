"""The printable minutes as a browser shows and prints them: headless Chromium, read by Pillow.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it). Without it these tests
skip outside CI and fail under CI (``CI=true``), like the growth chart's browser tests.
"""

from __future__ import annotations

import itertools
import re
from functools import partial
from pathlib import Path

import pytest
from PIL import Image

from api.meetings.minutes import html
from tests.api.test_minutes_render import view
from tests.support.chromium import (
    assert_check_catches,
    find_chromium,
    run_headless,
    screenshot_of,
)

SIZE = (900, 2800)  # wide enough for an A4 sheet, tall enough for all of it
A4_PX = 794  # 210 mm at 96 CSS pixels per inch
WHITE = (255, 255, 255)
BORDER = (0x44, 0x44, 0x44)  # the tables' rules
DARK = 100  # a pixel whose channels all lie below this is ink (text, rules)
Box = tuple[int, int, int, int]  # left, top, right, bottom


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The Chromium executable; its absence skips outside CI and fails under CI."""
    return find_chromium("the minutes")


def browse(chromium: Path, page: str, folder: Path, *options: str) -> str:
    """Open ``page`` from a file in headless Chromium with ``options``; its standard output."""
    file = folder / "minutes.html"
    file.write_text(page, encoding="utf-8")
    return run_headless(chromium, file, *options)


def screenshot(chromium: Path, page: str, folder: Path) -> Image.Image:
    """Chromium's screenshot of ``page`` at ``SIZE``, one CSS pixel per pixel."""
    file = folder / "minutes.html"
    file.write_text(page, encoding="utf-8")
    return screenshot_of(chromium, file, SIZE)


def ink(image: Image.Image, box: Box) -> int:
    """How many pixels in ``box`` are dark enough to be text or rules."""
    colours = image.crop(box).getcolors(image.width * image.height) or []
    return sum(n for n, pixel in colours if isinstance(pixel, tuple) and max(pixel) < DARK)


def sheet(image: Image.Image) -> Box:
    """The white sheet on the grey page: its left, top and right edges, and the page's end."""
    row = [image.getpixel((x, 40)) for x in range(image.width)]
    white = [x for x, pixel in enumerate(row) if pixel == WHITE]
    assert white, "no white sheet at the top of the page"
    column = [image.getpixel((white[0] + 5, y)) for y in range(image.height)]
    top = next(y for y, pixel in enumerate(column) if pixel == WHITE)
    return white[0], top, white[-1] + 1, image.height


def rules(image: Image.Image, box: Box) -> list[int]:
    """The rows in ``box`` crossed by a table rule over more than half its width."""
    left, top, right, bottom = box
    found = []
    for y in range(top, bottom):
        line = image.crop((left, y, right, y + 1)).getcolors(right - left) or []
        drawn = sum(n for n, pixel in line if pixel == BORDER)
        if drawn > (right - left) // 2:
            found.append(y)
    return found


def assert_printed_page(image: Image.Image) -> None:
    """An A4-wide sheet with a title, bordered tables holding text, and two signers at the end."""
    left, top, right, bottom = sheet(image)
    assert abs((right - left) - A4_PX) <= 4, f"the sheet is {right - left} px wide, not A4"
    inked = ink(image, (left, top, right, bottom))
    assert inked > 20_000, f"the sheet is (nearly) blank: {inked} dark pixels"
    assert ink(image, (left, top, right, top + 160)) > 1_500, "no title at the top"
    found = rules(image, (left, top, right, bottom))
    assert len(found) >= 15, f"too few table rules: {found}"
    for upper, lower in itertools.pairwise(found[:4]):
        assert ink(image, (left, upper + 2, right, lower - 1)) > 150, f"no text in {upper}-{lower}"
    below = found[-1] + 2
    middle = (left + right) // 2
    assert ink(image, (left, below, middle, bottom)) > 300, "no signer on the left after the tables"
    assert ink(image, (middle, below, right, bottom)) > 300, "no signer on the right"


def test_a_browser_shows_the_minutes_as_a_sheet_with_tables_and_signatures(
    chromium: Path, tmp_path: Path
) -> None:
    page = html(view())

    image = screenshot(chromium, page, tmp_path)

    assert_printed_page(image)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("<body>", '<body style="visibility: hidden">', id="hidden"),
        pytest.param("border: 1px solid #444", "border: 0", id="no-borders"),
        pytest.param("width: 210mm;", "width: 120mm;", id="narrow"),
        pytest.param('<section class="signatures">', "<section hidden>", id="no-signatures"),
    ],
)
def test_the_browser_checks_catch_a_broken_page(
    chromium: Path, tmp_path: Path, old: str, new: str
) -> None:
    page = html(view())

    assert_check_catches(
        page, old, new, partial(screenshot, chromium, folder=tmp_path), assert_printed_page
    )


def test_the_browser_reads_the_minutes_as_written_without_scripts(
    chromium: Path, tmp_path: Path
) -> None:
    page = html(view())

    dom = browse(chromium, page, tmp_path, "--dump-dom")

    assert dom.startswith("<!DOCTYPE html>")
    assert '<html lang="id">' in dom
    for tag in ("<section", "<table", "<tr", "<h2", "<h3", "<li"):
        assert dom.count(tag) == page.count(tag), f"the browser rebuilt the {tag} elements"
    assert "<script" not in dom
    assert "Rakor TPPS Pataruman &lt;script&gt;alert(1)&lt;/script&gt;" in dom


def test_the_minutes_print_on_a4_pages(chromium: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "minutes.pdf"

    browse(chromium, html(view()), tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")

    content = pdf.read_bytes()
    assert content.startswith(b"%PDF-")
    assert len(content) > 10_000
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", content)
    assert boxes, "no page in the PDF"
    for width, height in boxes:
        assert abs(float(width) - 595.3) < 2, f"{width!r} pt wide, not A4"
        assert abs(float(height) - 841.9) < 2, f"{height!r} pt high, not A4"
