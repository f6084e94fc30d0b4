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


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The store's settings, with the token signing keys in the test's own folder."""
    return settings.model_copy(update={"key_dir": tmp_path / "keys"})


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    """A client of the app wired to the test's store."""
    app = create_app(services.settings, services=services)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def mint(services: Services) -> Minter:
    """Mints a bearer token for a new principal: ``mint(Role.KADER, "32.79.02.1001")``."""
    return Minter(services)
