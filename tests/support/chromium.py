"""Headless Chromium for the browser tests: Debian's ``chromium`` package (``.ci/run``
installs it). Without it those tests skip outside CI and fail under CI (``CI=true``)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import unavailable


def find_chromium(renders: str) -> Path:
    """The Chromium executable, which ``renders`` what the test looks at."""
    found = shutil.which("chromium") or ""
    if not found:
        unavailable(f"Chromium is not installed (apt-get install chromium); it renders {renders}")
    return Path(found)


def run_headless(chromium: Path, file: Path, *options: str) -> str:
    """Open ``file`` in headless Chromium with ``options`` (its profile beside the file):
    the browser's standard output."""
    command = [
        str(chromium),
        "--headless",
        "--disable-gpu",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--no-first-run",
        f"--user-data-dir={file.parent / 'profile'}",
        *options,
        file.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def screenshot_of(chromium: Path, file: Path, size: tuple[int, int]) -> Image.Image:
    """Chromium's screenshot of ``file`` in a window of ``size``, one CSS pixel per pixel."""
    png = file.with_suffix(".png")
    run_headless(
        chromium,
        file,
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--window-size={size[0]},{size[1]}",
        f"--screenshot={png}",
    )
    assert png.is_file(), "Chromium wrote no screenshot"
    return Image.open(png).convert("RGB")


def assert_check_catches(
    page: str,
    old: str,
    new: str,
    shoot: Callable[[str], Image.Image],
    check: Callable[[Image.Image], object],
) -> None:
    """``page`` with ``old`` replaced once by ``new`` is another page, and ``check`` fails on
    its screenshot by ``shoot``: the browser check can fail."""
    broken = page.replace(old, new, 1)

    image = shoot(broken)

    assert broken != page
    with pytest.raises(AssertionError):
        check(image)
