"""Keys at rest: no master key made up per host, files readable by their owner only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from api.services import Services, build_services
from api.settings import Settings
from events.crypto import MissingMasterKey
from tests.api.tokens import cli_env


@pytest.fixture
def owner_only_umask() -> Iterator[None]:
    """The usual umask (022), under which files are created world-readable by default."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# On SQLite a master key is generated into the key folder, by design: these are PostgreSQL's.
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_on_postgresql_the_service_refuses_to_start_without_a_master_key(
    services: Services, tmp_path: Path
) -> None:
    settings = services.settings.model_copy(
        update={"master_key": None, "key_dir": tmp_path / "keys"}
    )
    unkeyed = build_services(settings)

    with pytest.raises(MissingMasterKey, match="TUMBUH_MASTER_KEY is not set"):
        unkeyed.start()
    unkeyed.close()

    assert not (tmp_path / "keys" / "master.key").exists()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_on_postgresql_commands_that_need_keys_refuse_without_a_master_key(
    services: Services, tmp_path: Path
) -> None:
    env = cli_env(services) | {"TUMBUH_MASTER_KEY": "", "TUMBUH_KEY_DIR": str(tmp_path / "k")}

    listing = CliRunner().invoke(cli, ["principals", "list"], env=env)
    verified = CliRunner().invoke(cli, ["verify"], env=env)

    assert listing.exit_code != 0
    assert isinstance(listing.exception, MissingMasterKey)
    assert verified.exit_code == 0  # checking the chain needs no key
    assert not (tmp_path / "k" / "master.key").exists()


def test_the_sqlite_file_and_the_key_folder_are_readable_by_their_owner_only(
    tmp_path: Path, owner_only_umask: None
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'tumbuh.db'}", migrate_on_start=True)
    wired = build_services(settings)
    wired.start()
    wired.auth.keys.refresh()  # the token signing key, generated on first start
    wired.close()

    keys = tmp_path / "tumbuh-keys"
    files = [tmp_path / "tumbuh.db", keys / "master.key", *(keys / "jwt").iterdir()]
    files += list(tmp_path.glob("tumbuh.db-*"))  # the write-ahead log, if kept
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert (_mode(keys), _mode(keys / "jwt")) == (0o700, 0o700)
