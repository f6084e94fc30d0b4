"""Fixtures shared by every test: a fresh migrated store on SQLite and on PostgreSQL.

Each database is migrated once per session into a template; each test gets a copy (a file
copy for SQLite, ``CREATE DATABASE … TEMPLATE`` for PostgreSQL), so tests are isolated and
fast. The tests create their own PostgreSQL databases through the server's ``postgres``
database (or the one ``TUMBUH_TEST_POSTGRES_URL`` names), so a stock server will do. They
skip with a reason that says what is missing on a developer machine without PostgreSQL and
fail under CI (``CI=true``), where a missing database is a broken build.
"""

from __future__ import annotations

import base64
import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from api.services import Services, build_services
from api.settings import Settings
from events.database import make_engine
from migrations import runner as migrate

POSTGRES_URL = os.environ.get(
    "TUMBUH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DATABASES = os.environ.get("TUMBUH_TEST_DATABASES", "sqlite,postgres").split(",")
TEST_MASTER_KEY = base64.b64encode(bytes(range(32))).decode()
UNDER_CI = os.environ.get("CI", "").lower() == "true"
_counter = itertools.count()


def unavailable(reason: str) -> None:
    """Skip outside CI, fail under CI: CI must never pass by skipping."""
    if UNDER_CI:
        pytest.fail(f"{reason} (under CI this is a failure, not a skip)")
    pytest.skip(reason)


def postgres_problem(url: str, error: psycopg.OperationalError) -> str:
    """What is missing, in words, when connecting to ``url`` failed with ``error``."""
    parsed = make_url(url)
    server = f"PostgreSQL at {parsed.host}:{parsed.port or 5432}"
    told = str(error).strip()
    fatal = told.split("FATAL:", 1)[-1].strip().splitlines()[0] if "FATAL:" in told else ""
    if fatal.startswith("database") and fatal.endswith("does not exist"):
        return (
            f'{server} has no database "{parsed.database}": create it, or point '
            "TUMBUH_TEST_POSTGRES_URL at a database the tests may connect to"
        )
    if fatal:
        return f'{server} refused the connection as "{parsed.username}": {fatal}'
    reason = told.splitlines()[0].removeprefix("connection failed: ")
    return f"{server} is unreachable: {reason}"


def _admin_dsn() -> str:
    url = make_url(POSTGRES_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _postgres_url(database: str) -> str:
    return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


def _settings(url: str) -> Settings:
    return Settings(
        database_url=url, master_key=TEST_MASTER_KEY, migrate_on_start=False, webhook_worker=False
    )


def _prepare(url: str) -> None:
    services = build_services(_settings(url))
    try:
        migrate.upgrade(services.engine)
        services.start()
    finally:
        services.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file to copy for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    _prepare(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated PostgreSQL database to clone for each test (its name)."""
    if "postgres" not in DATABASES:
        pytest.skip("PostgreSQL is not among TUMBUH_TEST_DATABASES")
    try:
        admin = psycopg.connect(_admin_dsn(), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        unavailable(postgres_problem(POSTGRES_URL, error))
        raise
    name = f"tumbuh_tmpl_{os.getpid()}"
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        try:
            admin.execute(f'CREATE DATABASE "{name}"')
        except psycopg.errors.InsufficientPrivilege:
            user = make_url(POSTGRES_URL).username
            unavailable(f'PostgreSQL user "{user}" may not create databases: each test has one')
            raise
    _prepare(_postgres_url(name))
    make_engine(_postgres_url(name)).dispose()
    yield name
    with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated, empty store (one per database kind)."""
    with migrated_copy(
        request,
        request.param,
        tmp_path / "tumbuh.db",
        lambda _: f"tumbuh_t_{os.getpid()}_{next(_counter)}",
    ) as url:
        yield url


@contextmanager
def migrated_copy(
    request: pytest.FixtureRequest, kind: str, path: Path, named: Callable[[str], str]
) -> Iterator[str]:
    """A copy of the migrated template of ``kind``: the SQLite file ``path``, or the
    PostgreSQL database ``named(template)``, dropped afterwards. Yields its URL."""
    if kind == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name = named(template)
    with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield _postgres_url(name)
    with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings for the fresh store."""
    return _settings(database_url)


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """The wired installation on the fresh store."""
    wired = build_services(settings)
    wired.start()
    yield wired
    wired.close()
