"""The operator's commands act on the store TUMBUH_DATABASE_URL names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from api.settings import Settings
from events.chain import link_hash
from events.envelope import NO_STREAM
from events.store import SqlEventStore
from tests.conftest import TEST_MASTER_KEY
from tests.integration.conftest import new_event
from tests.support.tamper import drop_guard, raw

Cli = Callable[..., Result]


@pytest.fixture
def cli(settings: Settings) -> Cli:
    """Runs ``tumbuh`` with the words given, on the test's store."""
    env = {"TUMBUH_DATABASE_URL": settings.database_url, "TUMBUH_MASTER_KEY": TEST_MASTER_KEY}
    return lambda *words: CliRunner().invoke(app, list(words), env=env)


def _tally(store: SqlEventStore, count: int) -> None:
    """A stream of ``count`` events, a1 onwards."""
    store.append("a", "tally", NO_STREAM, [new_event(f"a{i}") for i in range(1, count + 1)])


def test_verify_reports_an_intact_chain_and_exits_zero(store: SqlEventStore, cli: Cli) -> None:
    _tally(store, 2)

    result = cli("verify")

    assert result.exit_code == 0
    assert "ok: 2 events verified" in result.output


def test_verify_names_the_first_bad_position_and_exits_one(store: SqlEventStore, cli: Cli) -> None:
    _tally(store, 4)
    drop_guard(store.engine)
    raw(store.engine, "DELETE FROM events WHERE position = 3")

    result = cli("verify")

    assert result.exit_code == 1
    assert "BROKEN at position 3" in result.output


def test_migrate_brings_a_new_sqlite_file_to_the_newest_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"

    env = {"TUMBUH_DATABASE_URL": url, "TUMBUH_MASTER_KEY": TEST_MASTER_KEY}

    result = CliRunner().invoke(app, ["migrate"], env=env)

    assert result.exit_code == 0, result.output
    assert "newest revision" in result.output


def test_rebuild_replays_the_named_projection_and_refuses_an_unknown_one(
    store: SqlEventStore, cli: Cli
) -> None:
    _tally(store, 2)

    done = cli("rebuild", "--projection", "streams")
    unknown = cli("rebuild", "--projection", "nope")

    assert done.exit_code == 0, done.output
    assert "rebuilt streams: 2 events" in done.output
    assert unknown.exit_code == 2
    assert "unknown projection nope" in unknown.output


def test_verify_reports_a_body_that_is_no_event_without_a_traceback(
    store: SqlEventStore, cli: Cli
) -> None:
    _tally(store, 3)
    second = store.read_all()[1]
    drop_guard(store.engine)
    forged = {"b": b"[]", "h": link_hash(second.prev_hash, b"[]")}
    raw(store.engine, "UPDATE events SET body = :b, hash = :h WHERE position = 2", **forged)

    result = cli("verify")

    assert (result.exit_code, result.exception.__class__) == (1, SystemExit), result.output
    assert "BROKEN at position 2: changed content" in result.output


def test_serve_prepares_once_then_runs_one_worker_per_core_on_postgresql_and_one_on_sqlite(
    settings: Settings, cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ran: list[dict[str, object]] = []
    keys = tmp_path / "keys"
    monkeypatch.setenv("TUMBUH_KEY_DIR", str(keys))
    monkeypatch.setattr("uvicorn.run", lambda *_, **options: ran.append(options))
    monkeypatch.setattr("api.services.usable_cores", lambda: 3)

    assert cli("serve").exit_code == 0
    assert cli("serve", "--workers", "2").exit_code == 0

    postgres = settings.database_url.startswith("postgresql")
    assert [r["workers"] for r in ran] == [3 if postgres else 1, 2]
    assert any((keys / "jwt").iterdir())  # the signing key, made before any worker starts
