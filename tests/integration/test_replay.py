"""``tumbuh replay``: an auditor rebuilds the projections from an export in a separate file
and gets the published figures; a broken export is refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from api.areas.figures import stats_answer
from api.audit.replay import PLACEHOLDER, ReplayRefused, replay, replay_services
from api.cli import app
from api.demo import data as demo_data
from api.identity.access import Principal
from api.services import Services
from api.settings import Settings
from domain.access import SCOPES, Reach, Role
from events import feed
from tests.api.tokens import PASSWORD, add_principal
from tests.conftest import TEST_MASTER_KEY

TODAY = date(2025, 6, 15)
KOTA, DESA = "32.79", "32.79.02.1001"
OPERATOR = Principal(
    id="test",
    role=Role.ADMIN,
    scopes=frozenset(SCOPES),
    reach=Reach.of(["*"]),
    client=None,
    issuer="test",
)


@pytest.fixture
def seeded(services: Services) -> Services:
    """A small demo Kota Banjar (80 children, six months, late entries, corrections) and a
    principal, whose secret hash the export withholds."""
    demo_data.seed(services, children=80, months=6, seed=5, today=TODAY)
    add_principal(services, "auditor-1", Role.AUDITOR, ("*",))
    return services


def _export(services: Services, until: int | None = None) -> list[bytes]:
    head = until or feed.head_position(services.engine)
    chunks = feed.export(services.engine, feed.Selection(reach=("*",)), 0, head)
    return b"".join(chunks).split(b"\n")


def _figures(services: Services, code: str, period: str, known_at: str | None = None) -> Any:
    answer = stats_answer(services, OPERATOR, code, period, known_at).model_dump()
    for case in answer["new_cases"]:
        case.pop("initials", None)  # the replay holds no keys: no initials there
    return answer


def test_a_replay_gives_the_figures_the_store_publishes(seeded: Services, tmp_path: Path) -> None:
    database = tmp_path / "replay.db"

    done = replay(_export(seeded), database, None)

    copy = replay_services(database)
    try:
        for code, period in ((KOTA, "2025-05"), (DESA, "2025-Q1"), ("32.79.01", "2025")):
            assert _figures(copy, code, period) == _figures(seeded, code, period)
    finally:
        copy.close()
    head = seeded.store.head()
    assert (done.events, done.last_position, done.last_hash) == (
        head.position,
        head.position,
        head.hash,
    )
    assert done.withheld == 1  # the principal's creation


def test_a_replay_shows_who_could_do_what_but_nobody_can_log_in(
    seeded: Services, tmp_path: Path
) -> None:
    database = tmp_path / "replay.db"
    replay(_export(seeded), database, None)

    copy = replay_services(database)
    try:
        found = copy.principals.find("auditor-1")
        assert found is not None
        assert (found.state.role, found.state.reach) == (Role.AUDITOR, ("*",))
        assert found.state.secret_hash == PLACEHOLDER
        assert copy.passwords.verify(PASSWORD, found.state.secret_hash) is False
    finally:
        copy.close()


def test_a_replay_to_a_position_gives_the_figures_as_known_then(
    seeded: Services, tmp_path: Path
) -> None:
    position = seeded.store.head().position * 2 // 3
    database = tmp_path / "replay.db"

    replay(_export(seeded), database, position)

    copy = replay_services(database)
    try:
        mine = _figures(copy, KOTA, "2025-03")
    finally:
        copy.close()
    theirs = _figures(seeded, KOTA, "2025-03", known_at=str(position))
    assert mine | {"known_at": None} == theirs | {"known_at": None}
    assert mine["log_position"] == position


def test_a_changed_event_in_the_export_is_refused_and_nothing_is_left(
    seeded: Services, tmp_path: Path
) -> None:
    lines = _export(seeded)
    tenth = orjson.loads(lines[9])
    tenth["occurred_at"] = "2020-01-01T00:00:00.000000Z"
    lines[9] = orjson.dumps(tenth)
    database = tmp_path / "replay.db"

    with pytest.raises(ReplayRefused, match="position 10 does not match"):
        replay(lines, database, None)

    assert not database.exists()


def test_an_export_with_a_gap_is_refused(seeded: Services, tmp_path: Path) -> None:
    lines = _export(seeded)
    del lines[4]

    with pytest.raises(ReplayRefused, match="breaks at position 6"):
        replay(lines, tmp_path / "replay.db", None)


def test_the_commands_replay_a_file_and_print_its_figures(
    seeded: Services, settings: Settings, tmp_path: Path
) -> None:
    export = tmp_path / "export.ndjson"
    export.write_bytes(b"\n".join(_export(seeded)))
    database = tmp_path / "replay.db"
    env = {"TUMBUH_DATABASE_URL": settings.database_url, "TUMBUH_MASTER_KEY": TEST_MASTER_KEY}
    runner = CliRunner()

    replayed = runner.invoke(
        app, ["replay", "--export", str(export), "--db", str(database)], env=env
    )
    again = runner.invoke(app, ["replay", "--export", str(export), "--db", str(database)], env=env)
    shown = runner.invoke(
        app, ["stats", KOTA, "--period", "2025-05", "--db", str(database)], env=env
    )
    own = runner.invoke(app, ["stats", KOTA, "--period", "2025-05"], env=env)

    assert replayed.exit_code == 0, replayed.output
    assert f"chain verified to position {seeded.store.head().position}" in replayed.output
    assert again.exit_code == 1
    assert "exists already" in again.output
    assert shown.exit_code == 0, shown.output
    figures = orjson.loads(shown.stdout)
    assert figures["measured"] == _figures(seeded, KOTA, "2025-05")["measured"] > 0
    assert orjson.loads(own.stdout)["stunted"] == figures["stunted"]
