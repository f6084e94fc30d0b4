"""The Makefile's promises: `make run` installs only what the service needs, `make test`
the rest, and `make reset-demo` removes the demo store and its keys only when told yes."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ("tumbuh.db", "tumbuh.db-wal", "tumbuh.db.seeding", "tumbuh-keys/master.key")


def _make(folder: Path, *args: str, answer: str = "") -> str:
    done = subprocess.run(
        ["make", "-s", "-f", str(ROOT / "Makefile"), "-C", str(folder), *args],
        input=answer,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _demo(folder: Path) -> None:
    for name in DEMO:
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text("demo")
    (folder / "keep.txt").write_text("not the demo's")


def test_reset_demo_keeps_everything_unless_told_yes(tmp_path: Path) -> None:
    _demo(tmp_path)

    told = _make(tmp_path, "reset-demo", answer="n\n")

    assert "remove them? [y/N] kept" in told
    assert all((tmp_path / name).exists() for name in DEMO)


def test_reset_demo_removes_the_store_and_its_keys_when_told_yes(tmp_path: Path) -> None:
    _demo(tmp_path)

    told = _make(tmp_path, "reset-demo", answer="y\n")

    assert "removed; the next make run seeds a new demo" in told
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_run_installs_the_service_alone_and_test_everything(tmp_path: Path) -> None:
    run = _make(tmp_path, "-n", "run", "UV=uv")
    test = _make(tmp_path, "-n", "test", "UV=uv")

    assert "uv sync --frozen --no-default-groups --inexact" in run
    assert "uv sync --frozen\n" in test
