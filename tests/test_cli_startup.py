"""``tumbuh`` answers help and argument errors at once, in plain, readable text."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from api.cli import app
from domain.roles import Role

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("fastapi", "sqlalchemy", "uvicorn", "alembic", "numpy", "api.app", "api.services")
# What `tumbuh --help` loads: the CLI's modules and typer, not the application.
PROBE = """
import json, sys
from api.cli import main
sys.argv = ["tumbuh", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _loaded(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m in HEAVY or m.split(".")[0] in HEAVY}


def _commands() -> list[list[str]]:
    group = typer.main.get_command(app)
    found: list[list[str]] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        found.append([name])
        found.extend([name, sub] for sub in getattr(command, "commands", {}))
    return found


def test_tumbuh_help_loads_neither_the_application_nor_pydantic() -> None:
    loaded = _loaded("--help")

    assert _heavy(loaded) == set()
    assert "pydantic" not in loaded


@pytest.mark.parametrize(
    "args",
    [
        ["stats", "32.79", "--period", "last-month"],
        ["verify", "--form", "2"],
        ["seed-demo", "--children", "many"],
        ["principals", "add-user", "--help"],
    ],
)
def test_an_argument_error_or_a_commands_help_does_not_load_the_application(
    args: list[str],
) -> None:
    loaded = _loaded(*args)

    assert _heavy(loaded) == set()


def test_tumbuh_help_takes_well_under_half_a_second_of_processor_time() -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)

    help_run = [sys.executable, "-m", "api.cli", "--help"]
    subprocess.run(help_run, cwd=ROOT, capture_output=True, check=True)

    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    assert used < 0.5


def test_a_malformed_period_is_refused_before_any_store_is_opened(tmp_path: Path) -> None:
    env = {"TUMBUH_DATABASE_URL": f"sqlite:///{tmp_path / 'absent' / 'tumbuh.db'}"}

    result = CliRunner().invoke(app, ["stats", "32.79", "--period", "May"], env=env)

    assert result.exit_code == 2
    assert "give YYYY-MM, YYYY-Qn or YYYY" in result.output
    assert not (tmp_path / "absent").exists()


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_help_is_plain_text_without_markup_or_boolean_values(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "80"})

    assert result.exit_code == 0, result.output
    assert "``" not in result.output
    assert "<bool>" not in result.output
    assert not any(box in result.output for box in "╭│╰─")


def test_the_role_names_are_shown_whole_on_one_line() -> None:
    result = CliRunner().invoke(app, ["principals", "add-user", "--help"], env={"COLUMNS": "80"})

    line = next(x for x in result.output.splitlines() if "--role" in x)
    assert all(role.value in line.split("<")[1].rstrip(">").split("|") for role in Role)
