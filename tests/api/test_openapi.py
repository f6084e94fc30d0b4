"""The committed OpenAPI document is exactly what the app generates."""

from __future__ import annotations

from typing import Any

from api.app import create_app
from api.openapi import DOCUMENT, render
from api.web.errors import PROBLEM


def test_the_committed_openapi_document_matches_the_app() -> None:
    committed = DOCUMENT.read_text(encoding="utf-8")

    assert committed == render(), "openapi/openapi.json is stale: run `make openapi`"


def test_the_document_is_openapi_3_1() -> None:
    assert '"openapi": "3.1' in render()


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    document = create_app().openapi()
    return [(m.upper(), p, op) for p, ops in document["paths"].items() for m, op in ops.items()]


def test_every_operation_that_takes_a_token_documents_401_and_every_problem_is_problem_json() -> (
    None
):
    operations = _operations()

    for method, path, operation in operations:
        answers = operation["responses"]
        if operation.get("security"):
            assert "401" in answers, f"{method} {path}"
        if "requestBody" in operation:
            assert {"400", "413", "422"} <= answers.keys(), f"{method} {path}"
        for status, answer in answers.items():
            oauth = path == "/v1/auth/token" and status in {"401", "429", "503"}  # RFC 6749
            if int(status) >= 400 and not oauth:
                schema = answer["content"][PROBLEM]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}, f"{method} {path}"


def test_the_token_endpoint_documents_its_oauth_errors_and_its_problems_apart() -> None:
    token = next(op for m, p, op in _operations() if p == "/v1/auth/token")

    answers = token["responses"]

    assert set(answers["400"]["content"]) == {"application/json", PROBLEM}
    assert set(answers["401"]["content"]) == {"application/json"}
    assert set(answers["422"]["content"]) == {PROBLEM}


def test_csv_and_ndjson_answers_are_documented_with_their_media_types() -> None:
    found = {(m, p): op["responses"]["200"]["content"] for m, p, op in _operations() if m == "GET"}

    assert "application/x-ndjson" in found[("GET", "/v1/events")]
    for path in (
        "/v1/areas/{code}/stats",
        "/v1/areas/{code}/evaluation",
        "/v1/exchange/indicators",
    ):
        assert "text/csv" in found[("GET", path)], path
