"""Before any route: a body limit enforced while the body streams in, and NUL refused only
where it would reach a field."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Message

from api.exchange.routers.exchange import MAX_BYTES
from api.services import Services
from domain.access import Role
from tests.api.test_children import CHILD, kader
from tests.api.tokens import Minter, bearer

__all__ = ["kader"]  # the fixture, used by name
LIMIT = 1024 * 1024  # TUMBUH_MAX_BODY_BYTES by default
CHUNK = 64 * 1024


class Chunks:
    """A request body of ``total`` bytes sent in chunks, counting the chunks pulled."""

    def __init__(self, total: int) -> None:
        self.total, self.pulled = total, 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(0, self.total, CHUNK):
            self.pulled += 1
            yield b" " * CHUNK


@dataclass
class Answer:
    """What the app sent back."""

    status_code: int
    headers: dict[str, str]
    body: bytes = b""

    def json(self) -> Any:
        return orjson.loads(self.body)


def stream(app: ASGIApp, path: str, body: Chunks, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``app`` as a server would pass it on: one chunk per ``receive``.

    (The test client reads a request body whole before the app sees any of it.)
    """
    chunks = iter(body)
    answer = Answer(0, {})

    async def receive() -> Message:
        chunk = next(chunks, None)
        return {"type": "http.request", "body": chunk or b"", "more_body": chunk is not None}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer.status_code = message["status"]
            answer.headers = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    anyio.run(app, scope, receive, send)
    return answer


def _is_too_large(answer: Answer | httpx.Response, limit: int) -> None:
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"].endswith("/body-too-large")
    assert str(limit) in problem["detail"]


def test_an_unauthenticated_body_streamed_past_the_limit_is_refused_as_it_arrives(
    client: TestClient, services: Services
) -> None:
    body = Chunks(20 * LIMIT)
    before = services.store.head().position

    answer = stream(client.app, "/v1/children", body, {"Content-Type": "application/json"})

    _is_too_large(answer, LIMIT)
    assert body.pulled == LIMIT // CHUNK + 1  # the limit and one chunk, not the 20 MiB
    assert services.store.head().position == before


def test_a_declared_length_past_the_limit_is_refused_before_a_byte_is_read(
    client: TestClient,
) -> None:
    body = Chunks(20 * LIMIT)
    declared = {"Content-Type": "application/json", "Content-Length": str(20 * LIMIT)}

    answer = stream(client.app, "/v1/posyandu-sessions", body, declared)

    _is_too_large(answer, LIMIT)
    assert body.pulled == 0


def test_the_krs_import_takes_more_than_the_default_limit_but_not_more_than_its_own(
    client: TestClient, mint: Minter
) -> None:
    bkkbn = {**bearer(mint(Role.BKKBN, "32.79")), "Content-Type": "text/csv"}
    beyond = Chunks(MAX_BYTES + CHUNK)
    declared = {"Content-Type": "text/csv", "Content-Length": str(MAX_BYTES + 1)}

    larger = client.post("/v1/exchange/krs", content=b"x" * (2 * LIMIT), headers=bkkbn)
    streamed = stream(client.app, "/v1/exchange/krs", beyond, bkkbn)
    unauthenticated = stream(client.app, "/v1/exchange/krs", Chunks(MAX_BYTES), declared)

    assert larger.status_code == 422, larger.text  # read whole: not a KRS header
    _is_too_large(streamed, MAX_BYTES)
    assert beyond.pulled == MAX_BYTES // CHUNK + 1
    _is_too_large(unauthenticated, MAX_BYTES)


@pytest.mark.parametrize("text", ["Melati %00", "Melati \\\\u0000"])
def test_the_text_of_an_escape_inside_a_json_string_is_an_ordinary_value(
    client: TestClient, kader: dict[str, str], text: str
) -> None:
    body = orjson.dumps({**CHILD, "posyandu": "POSYANDU"}).replace(b"POSYANDU", text.encode())

    answer = client.post(
        "/v1/children", content=body, headers={**kader, "Content-Type": "application/json"}
    )

    assert answer.status_code == 201, answer.text
    assert answer.json()["posyandu"] == orjson.loads(b'"' + text.encode() + b'"')


@pytest.mark.parametrize(
    ("method", "url", "location"),
    [
        ("GET", "/v1/children?desa=32.79%00", ["query", "desa"]),
        ("GET", "/v1/areas/32.79.02.1001%00", ["path", "code"]),
        ("POST", "/v1/auth/token", ["body", "username"]),
        ("POST", "/v1/children", ["body", "personal", "name"]),
    ],
)
def test_a_decoded_nul_that_would_reach_a_field_is_refused_naming_it(
    client: TestClient,
    kader: dict[str, str],
    services: Services,
    method: str,
    url: str,
    location: list[str],
) -> None:
    before = services.store.head().position
    form = {"grant_type": "password", "username": "kader\x00", "password": "x"}
    child = {**CHILD, "personal": {**CHILD["personal"], "name": "Anak\x00"}}
    if url == "/v1/auth/token":
        answer = client.post(url, data=form)
    elif method == "POST":
        answer = client.post(
            url, content=orjson.dumps(child), headers={**kader, "Content-Type": "application/json"}
        )
    else:
        answer = client.get(url, headers=kader)

    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"].endswith("/nul-character")
    assert problem["errors"][0]["location"] == location
    assert "Anak" not in answer.text
    assert services.store.head().position == before


def test_a_krs_file_holding_a_nul_is_refused_whole(client: TestClient, mint: Minter) -> None:
    bkkbn = bearer(mint(Role.BKKBN, "32.79"))
    rows = [{"family_id": "PK-1\x00", "desa": "32.79.02.2003"}]

    csv = client.post(
        "/v1/exchange/krs",
        content=b"family_id\x00,desa\n",
        headers={**bkkbn, "Content-Type": "text/csv"},
    )
    json = client.post(
        "/v1/exchange/krs",
        content=orjson.dumps(rows),
        headers={**bkkbn, "Content-Type": "application/json"},
    )

    assert (csv.status_code, json.status_code) == (422, 422)
    assert "NUL" in csv.json()["detail"]
    assert "NUL" in json.json()["detail"]
