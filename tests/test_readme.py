"""The README's commands and settings exist, so it cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from api.cli import app
from api.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> set[str]:
    group = typer.main.get_command(app)
    names: set[str] = set()
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        names.add(name)
        names.update(f"{name} {sub}" for sub in getattr(command, "commands", {}))
    return names


def test_the_first_section_gives_exactly_two_commands_that_the_makefile_has() -> None:
    first = README.split("## Two commands", 1)[1].split("##", 1)[0]
    targets = re.findall(r"^make (\w+)", first, flags=re.MULTILINE)
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")

    assert targets == ["run", "test"]
    assert all(re.search(rf"^{t}:", makefile, flags=re.MULTILINE) for t in targets)


def test_every_tumbuh_command_in_the_readme_exists() -> None:
    mentioned = set(re.findall(r"tumbuh ([a-z-]+(?: [a-z][a-z-]+)?)", README))
    known = _commands()

    missing = {m for m in mentioned if m not in known and m.split()[0] not in known}
    assert not missing


def test_every_setting_in_the_readme_exists() -> None:
    named = set(re.findall(r"TUMBUH_([A-Z_]+)", README))
    mentioned = {m for m in named if not m.startswith("TEST_")}  # the test suite's own knobs

    assert {m.lower() for m in mentioned} <= set(Settings.model_fields)


def test_ci_runs_the_readmes_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
