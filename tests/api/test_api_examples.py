"""docs/api.md has an example request for every write, and each one works: the examples are
sent in the page's order to an empty store, as the page says, and each answers 2xx. The
OpenAPI document carries an example for every request body, valid for its model."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.app import create_app
from api.exchange import webhook_targets
from api.services import Services
from events import timefmt

ROOT = Path(__file__).resolve().parents[2]
PAGE = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
TODAY = datetime(2025, 8, 1, 3, tzinfo=UTC)  # 10:00 WIB, the day the page's story is told


@dataclass(frozen=True)
class Example:
    """One request of the page: method, path (with its query), headers and body."""

    method: str
    path: str
    headers: dict[str, str]
    body: str

    @property
    def route(self) -> str:
        """The path without its query string."""
        return self.path.split("?", 1)[0]


def examples() -> list[Example]:
    """The page's ``http`` blocks, in order."""
    found = []
    for block in re.findall(r"```http\n(.*?)```", PAGE, flags=re.DOTALL):
        head, _, body = block.partition("\n\n")
        first, *header_lines = head.strip().splitlines()
        method, path = first.split(" ", 1)
        headers = dict(line.split(": ", 1) for line in header_lines)
        found.append(Example(method, path, headers, body.strip()))
    return found


def _template(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")


def _routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """Every API route, also those of the included routers (their paths are whole)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes)


def _methods(route: APIRoute) -> set[str]:
    return set(route.methods or ()) & WRITES


def _writes(app_routes: list[Any]) -> list[APIRoute]:
    return [r for r in _routes(app_routes) if _methods(r)]


@pytest.fixture
def app_client(services: Services, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """The app on an empty store with the demo principals, its clock on the story's day, and
    the subscription's host resolving to a public address (this machine has no DNS)."""
    services.principals.seed_demo(services.settings.demo_password)
    monkeypatch.setattr(webhook_targets, "lookup", lambda host, port: ["93.184.215.14"])
    monkeypatch.setattr(timefmt, "utc_now", lambda: TODAY)
    services.clock = lambda: TODAY
    app = create_app(services.settings, services=services)
    client = TestClient(app)
    client.__enter__()
    services.access_log.stop()
    return client


def test_every_write_of_the_api_has_an_example_request_on_the_page(services: Services) -> None:
    app = create_app(services.settings, services=services)
    shown = [(e.method, e.route) for e in examples()]

    missing = [
        f"{method} {route.path}"
        for route in _writes(app.routes)
        for method in sorted(_methods(route))
        if not any(m == method and _template(route.path).match(p) for m, p in shown)
    ]

    assert len(_writes(app.routes)) >= 30
    assert missing == []


def test_every_example_on_the_page_answers_2xx_in_order(app_client: TestClient) -> None:
    token = ""
    answered = []

    for example in examples():
        headers = dict(example.headers)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        answer = app_client.request(
            example.method, example.path, content=example.body.encode(), headers=headers
        )
        answered.append((example.method, example.path, answer.status_code))
        assert 200 <= answer.status_code < 300, f"{example.method} {example.path}: {answer.text}"
        assert _refused(answer) == 0, f"{example.method} {example.path}: {answer.text}"
        if example.route == "/v1/auth/token":
            token = answer.json()["access_token"]

    app_client.__exit__(None, None, None)
    assert len(answered) == len(examples())


def _refused(answer: Any) -> int:
    """What a batch answer (a posyandu day, a KRS list) says it refused: none, for the page."""
    if not answer.content or "json" not in answer.headers.get("content-type", ""):
        return 0
    refused = answer.json().get("refused", 0) if isinstance(answer.json(), dict) else 0
    return len(refused) if isinstance(refused, list) else int(refused)


def _body_models(services: Services) -> dict[str, type[BaseModel]]:
    app = create_app(services.settings, services=services)
    models: dict[str, type[BaseModel]] = {}
    for route in _writes(app.routes):
        field = route.body_field
        kind = field.field_info.annotation if field is not None else None
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            models[f"{sorted(_methods(route))[0]} {route.path}"] = kind
    return models


def test_every_request_body_model_carries_an_openapi_example_it_accepts(
    services: Services,
) -> None:
    models = _body_models(services)

    without = [name for name, model in models.items() if not _examples(model)]
    refused = [
        name
        for name, model in models.items()
        for example in _examples(model)
        if not _accepts(model, example)
    ]

    assert models
    assert without == []
    assert refused == []


def _examples(model: type[BaseModel]) -> list[Any]:
    examples: list[Any] = model.model_json_schema().get("examples", [])
    return examples


def _accepts(model: type[BaseModel], example: Any) -> bool:
    try:
        model.model_validate_json(orjson.dumps(example))
    except ValueError:
        return False
    return True
