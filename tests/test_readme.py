"""The README and the docs name commands, targets, settings and files that exist, say one
way to have ``tumbuh`` at hand, and cite nothing a reader of the repository does not have."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from api.cli import app
from api.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))}
EVERY = {"README.md": README, **{f"docs/{name}": text for name, text in DOCS.items()}}
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
# `tumbuh` as a command: at the start of a line or after a backtick, a pipe or `$(`, or as
# the command a container runs (`docker exec -it NAME tumbuh …`, `docker run … IMAGE tumbuh`).
BEFORE = r"(?:^|[`|(]|\$\(|\| |tumbuh )"
COMMAND = re.compile(BEFORE + r"tumbuh ((?!tumbuh\b)[a-z][a-z-]*(?: [a-z][a-z-]+)?)")
# A machine's own absolute paths (a checkout's, a home's, a scratch folder's) mean nothing
# to a reader of the repository.
MACHINE_PATH = r"(?<![\w.~-])/(?:work|home|root|tmp)/"
ELSEWHERE = re.compile(
    r"DOMAIN\.md|ARCHITECTURE\.md|STYLE\.md|\b[Ii]ssue \d|v/bin/python|" + MACHINE_PATH
)


def _commands() -> set[str]:
    group = typer.main.get_command(app)
    names: set[str] = set()
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        names.add(name)
        names.update(f"{name} {sub}" for sub in getattr(command, "commands", {}))
    return names


def _mentioned(text: str) -> set[str]:
    found = set()
    for line in text.splitlines():
        found.update(COMMAND.findall(line.strip()))
    return found


def test_the_first_section_gives_exactly_two_commands_that_the_makefile_has() -> None:
    first = README.split("## Two commands", 1)[1].split("##", 1)[0]
    targets = re.findall(r"^make (\w+)", first, flags=re.MULTILINE)

    assert targets == ["run", "test"]
    assert all(re.search(rf"^{t}:", MAKEFILE, flags=re.MULTILINE) for t in targets)


@pytest.mark.parametrize("name", sorted(EVERY))
def test_every_tumbuh_command_named_exists(name: str) -> None:
    known = _commands()

    missing = {m for m in _mentioned(EVERY[name]) if m not in known and m.split()[0] not in known}

    assert not missing


@pytest.mark.parametrize("name", sorted(EVERY))
def test_every_make_target_named_exists(name: str) -> None:
    targets = set(re.findall(r"`make ([a-z-]+)", EVERY[name]))
    targets |= set(re.findall(r"^make ([a-z-]+)", EVERY[name], flags=re.MULTILINE))

    missing = {t for t in targets if not re.search(rf"^{t}:", MAKEFILE, flags=re.MULTILINE)}

    assert not missing


@pytest.mark.parametrize("name", sorted(EVERY))
def test_every_setting_named_exists(name: str) -> None:
    mentioned = set(re.findall(r"TUMBUH_([A-Z_]+)", EVERY[name]))
    tools = {m for m in mentioned if m.startswith(("TEST_", "BENCH_"))}  # read by tests, bench
    sources = [*ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/**/*.py")]
    code = "".join(source.read_text(encoding="utf-8") for source in sources)

    assert {m.lower() for m in mentioned - tools} <= set(Settings.model_fields)
    assert {m for m in tools if f'"TUMBUH_{m}"' not in code} == set()


def test_the_readme_says_how_to_have_tumbuh_at_hand_and_the_makefile_makes_it() -> None:
    at_hand = README.split("### `tumbuh` at hand", 1)[1].split("\n## ", 1)[0]

    assert "source .venv/bin/activate" in at_hand
    assert re.search(r"^install:.*\n\t\$\(UV\) sync", MAKEFILE, flags=re.MULTILINE)
    assert 'tumbuh = "api.cli:main"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(EVERY))
def test_the_docs_call_tumbuh_one_way(name: str) -> None:
    text = EVERY[name]
    if name == "README.md":  # the one place that also names the path
        text = text.replace("(or call it as `.venv/bin/tumbuh …`)", "")

    other = re.findall(r"uv run tumbuh|\.venv/bin/tumbuh|python -m api\.cli|\bv/bin/\w+", text)

    assert other == []


@pytest.mark.parametrize("name", sorted(EVERY))
def test_the_docs_cite_nothing_outside_the_repository(name: str) -> None:
    assert ELSEWHERE.findall(EVERY[name]) == []


@pytest.mark.parametrize("name", sorted(EVERY))
def test_every_relative_link_leads_to_a_file_of_the_repository(name: str) -> None:
    base = ROOT if name == "README.md" else ROOT / "docs"
    links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", EVERY[name])

    assert [link for link in links if not (base / link).exists()] == []


def test_ci_runs_the_readmes_test_command() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
