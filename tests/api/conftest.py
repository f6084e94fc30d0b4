"""HTTP fixtures: the app on the fresh store, driven through httpx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    """A client of the app wired to the test's store."""
    app = create_app(services.settings, services=services)
    with TestClient(app) as test_client:
        yield test_client
