"""``tumbuh erase`` and ``tumbuh keys rotate-master``: erasure from the command line, and the
backup procedure (a backup from before an erasure is unreadable once the old key is gone)."""

from __future__ import annotations

import base64
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from api.cli import app as cli
from api.services import Services, build_services
from api.settings import Settings
from events import timefmt
from events.crypto import KeyRing, PersonalDataError, generate_key
from events.envelope import NO_STREAM, NewEvent
from events.schema import subject_keys
from tests.api.test_children import kader, register
from tests.api.tokens import cli_env

__all__ = ["kader"]  # a fixture, used by name


def _backup(services: Services) -> dict[str, bytes]:
    """What a backup of the database holds of the key table: every wrapped data key."""
    with services.engine.connect() as conn:
        rows = conn.execute(select(subject_keys.c.key_id, subject_keys.c.wrapped_key))
        return {key_id: bytes(wrapped) for key_id, wrapped in rows if wrapped is not None}


def _names(services: Services, child_id: str) -> list[object]:
    stored = services.store.read_stream(f"child-{child_id}")
    return [p and p.get("name") for p in services.store.open_personal(stored).values()]


def test_tumbuh_erase_child_erases_it_and_records_the_reason(
    client: TestClient, services: Services, kader: dict[str, str]
) -> None:
    child = register(client, kader)["id"]

    result = CliRunner().invoke(
        cli, ["erase", "child", child, "--reason", "letter 17/2026"], env=cli_env(services)
    )

    assert result.exit_code == 0, result.output
    assert f"erased the child of child-{child}" in result.output
    assert _names(services, child) == [None]
    erased = services.store.read_all(event_types=["access.personal_erased"])
    assert [(e.payload["reason"], e.meta["actor"]) for e in erased] == [
        ("letter 17/2026", "operator")
    ]


def test_a_backup_from_before_an_erasure_is_unreadable_once_the_master_key_is_rotated(
    client: TestClient, services: Services, kader: dict[str, str]
) -> None:
    child = register(client, kader)["id"]
    backup = _backup(services)
    env = cli_env(services)
    CliRunner().invoke(cli, ["erase", "child", child, "--reason", "letter 17/2026"], env=env)
    kept = register(client, kader, personal={"name": "Anak Lain"})["id"]
    new_key = base64.b64encode(generate_key()).decode()

    rotated = CliRunner().invoke(
        cli, ["keys", "rotate-master", "--new-key-stdin"], input=new_key + "\n", env=env
    )

    assert rotated.exit_code == 0, rotated.output
    assert "rotated:" in rotated.output
    restarted = build_services(services.settings.model_copy(update={"master_key": new_key}))
    assert _names(restarted, kept) == ["Anak Lain"]  # live keys, wrapped anew
    old_key = base64.b64decode(services.settings.master_key or "")
    erased = backup.keys() - _backup(services).keys()
    assert erased  # the child's key, kept by the backup only
    for key_id in erased:  # the backup's copy opens with the old master key, not the new one
        assert KeyRing(old_key).unwrap(key_id, backup[key_id]) is not None
        with pytest.raises(PersonalDataError):
            KeyRing(base64.b64decode(new_key)).unwrap(key_id, backup[key_id])
    restarted.close()


def _note(services: Services, stream: str, name: str) -> None:
    new = NewEvent(str(uuid.uuid4()), "test.named", timefmt.utc_now(), {}, personal={"name": name})
    services.store.append(stream, "test", NO_STREAM, [new])


def test_rotating_the_key_folders_master_key_overwrites_the_old_one_and_servers_follow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'tumbuh.db'}", migrate_on_start=True)
    running = build_services(settings)  # a server that keeps running through the rotation
    running.start()
    _note(running, "before", "Nama Sebelum")
    old = (tmp_path / "tumbuh-keys" / "master.key").read_text()
    for name in ("TUMBUH_MASTER_KEY", "TUMBUH_KEY_DIR"):
        monkeypatch.delenv(name, raising=False)
    env = {"TUMBUH_DATABASE_URL": settings.database_url, "TUMBUH_MIGRATE_ON_START": "false"}

    rotated = CliRunner().invoke(cli, ["keys", "rotate-master"], env=env)

    assert rotated.exit_code == 0, rotated.output
    assert (tmp_path / "tumbuh-keys" / "master.key").read_text() != old
    assert not (tmp_path / "tumbuh-keys" / "master.key.next").exists()
    _note(running, "after", "Nama Sesudah")  # its new key wrapped under the new master key
    restarted = build_services(settings)
    read = {
        s: restarted.store.open_personal(restarted.store.read_stream(s))
        for s in ("before", "after")
    }
    assert [list(p.values()) for p in read.values()] == [
        [{"name": "Nama Sebelum"}],
        [{"name": "Nama Sesudah"}],
    ]
    restarted.close()
    running.close()
