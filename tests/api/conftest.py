"""HTTP fixtures: the app on the fresh store, driven through httpx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from api.settings import Settings
from tests.api.tokens import Minter
from tests.support.receiver import Receiver


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The store's settings, with the token signing keys in the test's own folder."""
    return settings.model_copy(update={"key_dir": tmp_path / "keys"})


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    """A client of the app wired to the test's store.

    The read-access log's background flush is stopped once the app has started: reads stay
    queued until a test calls ``services.access_log.flush()``, so no append moves the log
    under a test's feet (``test_audit.py`` tests the background flush on its own).
    """
    app = create_app(services.settings, services=services)
    with TestClient(app) as test_client:
        services.access_log.stop()
        yield test_client


@pytest.fixture
def mint(services: Services) -> Minter:
    """Mints a bearer token for a new principal: ``mint(Role.KADER, "32.79.02.1001")``."""
    return Minter(services)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver listening on loopback for the test's length."""
    found = Receiver()
    found.start()
    yield found
    found.stop()
