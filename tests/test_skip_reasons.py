"""A test that cannot run says exactly what is missing: a server, a database, the WHO files."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL, postgres_problem, unavailable
from tests.unit.growth.conftest import who_reference_dir


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _refusal(url: str) -> psycopg.OperationalError:
    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect(_dsn(url), connect_timeout=5).close()
    return caught.value


def test_a_server_that_does_not_answer_is_called_unreachable() -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/postgres"

    reason = postgres_problem(url, _refusal(url))

    assert reason.startswith("PostgreSQL at 127.0.0.1:1 is unreachable: ")
    assert "refused" in reason.lower()


def test_a_missing_database_is_named_rather_than_called_unreachable() -> None:
    try:
        psycopg.connect(_dsn(POSTGRES_URL), connect_timeout=5).close()
    except psycopg.OperationalError as error:
        unavailable(postgres_problem(POSTGRES_URL, error))
    missing = make_url(POSTGRES_URL).set(database="tumbuh_no_such_database")
    url = missing.render_as_string(hide_password=False)

    reason = postgres_problem(url, _refusal(url))

    assert reason.startswith("PostgreSQL at ")
    assert 'has no database "tumbuh_no_such_database": create it, or point ' in reason


def test_the_who_files_are_looked_for_where_the_setting_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUMBUH_TEST_WHO_DIR", str(tmp_path))

    found = who_reference_dir()

    assert found == tmp_path


def test_without_the_setting_the_who_files_are_looked_for_beside_the_checkout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TUMBUH_TEST_WHO_DIR", raising=False)

    found = who_reference_dir()

    assert found == Path(__file__).resolve().parents[1].parent / "shared" / "who"
