"""``tumbuh seed-demo`` shows its progress and survives an interruption (Ctrl-C)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from api.cli import app
from api.cli.demo import Bars
from api.demo import data as demo_data
from api.services import Services, build_services
from api.settings import Settings
from events.projections.children import children
from migrations import runner as migrate

SMALL = ["seed-demo", "--children", "20", "--months", "2"]


def _seed(env: dict[str, str]) -> Result:
    return CliRunner().invoke(app, SMALL, env=env)


def _interrupting(monkeypatch: pytest.MonkeyPatch, after: int) -> None:
    """Make the seed's ``after``-th write of a month raise KeyboardInterrupt (as Ctrl-C)."""
    flush: Callable[..., None] = demo_data._Seeder._flush
    calls = {"n": 0}

    def interrupted(self: Any, until: datetime) -> None:
        calls["n"] += 1
        if calls["n"] > after:
            raise KeyboardInterrupt
        flush(self, until)

    monkeypatch.setattr(demo_data._Seeder, "_flush", interrupted)


def _children(settings: Settings) -> tuple[int, list[str]]:
    """The children in the store and the names its keys open."""
    services = build_services(settings)
    try:
        with services.engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(children)).scalar_one()
        registered = services.store.read_all(limit=10, event_types=["child.registered"])
        opened = services.store.open_personal(registered)
    finally:
        services.close()
    return int(count), [str((p or {}).get("name")) for p in opened.values()]


@pytest.fixture
def fresh(tmp_path: Path) -> dict[str, str]:
    """A newcomer's setting: no store yet, keys generated beside it on first use."""
    return {"TUMBUH_DATABASE_URL": f"sqlite:///{tmp_path / 'tumbuh.db'}"}


def test_an_interrupted_seed_keeps_nothing_and_the_next_run_seeds_the_store(
    tmp_path: Path, fresh: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _interrupting(monkeypatch, after=1)
    interrupted = _seed(fresh)
    monkeypatch.undo()

    again = _seed(fresh)

    assert interrupted.exit_code == 130, interrupted.output
    assert "interrupted: nothing was kept" in interrupted.output
    assert again.exit_code == 0, again.output
    assert "seeded 20 children" in again.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tumbuh-keys", "tumbuh.db"]
    keys = tmp_path / "tumbuh-keys"
    count, names = _children(Settings(database_url=fresh["TUMBUH_DATABASE_URL"], key_dir=keys))
    assert count == 20
    assert names[0].startswith("Demo Anak")


def test_what_a_killed_seed_left_is_removed_and_the_seed_starts_again(
    tmp_path: Path, fresh: dict[str, str]
) -> None:
    (tmp_path / "tumbuh.db.seeding").write_bytes(b"half a database")
    (tmp_path / "tumbuh.db.seeding-wal").write_bytes(b"and its journal")

    result = _seed(fresh)

    assert result.exit_code == 0, result.output
    assert "an earlier seed was interrupted: removing tumbuh.db.seeding" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tumbuh-keys", "tumbuh.db"]


def test_a_store_left_half_seeded_in_place_is_seeded_anew_or_refused_saying_what_to_do(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = services.settings.database_url
    env = {"TUMBUH_DATABASE_URL": url, "TUMBUH_MASTER_KEY": services.settings.master_key or ""}
    _interrupting(monkeypatch, after=1)
    interrupted = _seed(env)
    monkeypatch.undo()
    left = demo_data.interrupted_seed(services)

    again = _seed(env)

    assert interrupted.exit_code == 130, interrupted.output
    assert left is not None
    assert left > 20
    if services.settings.is_sqlite:  # a demo file is removed and seeded again
        assert "holds an interrupted seed" in again.output
        assert "removing it, starting again" in again.output
        assert again.exit_code == 0, again.output
        assert _children(services.settings)[0] == 20
    else:  # a PostgreSQL log is append-only: the operator drops the database
        assert again.exit_code == 1
        assert "drop and create the database" in again.output


def test_a_store_in_use_is_not_taken_for_an_interrupted_seed(services: Services) -> None:
    services.principals.seed_demo("a-demo-password")

    assert demo_data.interrupted_seed(services) is None


def test_a_migrated_empty_store_is_seeded_in_place(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tumbuh.db'}"
    wired = build_services(Settings(database_url=url))
    migrate.upgrade(wired.engine)
    wired.close()

    result = _seed({"TUMBUH_DATABASE_URL": url})

    assert result.exit_code == 0, result.output
    assert "tumbuh.db.seeding" not in result.output
    assert _children(Settings(database_url=url, key_dir=tmp_path / "tumbuh-keys"))[0] == 20


def test_an_empty_file_in_place_of_the_store_is_migrated_and_seeded(tmp_path: Path) -> None:
    (tmp_path / "tumbuh.db").touch()
    url = f"sqlite:///{tmp_path / 'tumbuh.db'}"

    result = _seed({"TUMBUH_DATABASE_URL": url})

    assert result.exit_code == 0, result.output
    assert _children(Settings(database_url=url, key_dir=tmp_path / "tumbuh-keys"))[0] == 20


def test_the_seed_names_its_steps_when_not_on_a_terminal(fresh: dict[str, str]) -> None:
    result = _seed(fresh)

    assert result.exit_code == 0, result.output
    steps = [line for line in result.output.splitlines() if not line.startswith("generated")]
    assert steps[:4] == [
        "seeding the demo into tumbuh.db.seeding; it becomes tumbuh.db once complete",
        "1/3 writing the months",
        "2/3 building the figures",
        "3/3 adding the camats' rakor reports",
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bars_count_the_months_and_then_the_events() -> None:
    terminal = _Terminal()
    bars = Bars(terminal)

    for month, events in enumerate((0, 6_119, 8_975, 11_837)):
        bars.month_written(month, 24, events)
    bars.rebuilding(20_000, 184_844)
    bars.close()

    shown = terminal.getvalue()
    assert "1/3 writing the months" in shown
    assert "3/24" in shown
    assert "11,837 events" in shown
    assert "2/3 building the figures" in shown
    assert "20000/184844" in shown
