"""A refused field names where it was sent: the path, the query string or the body."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.access import Role
from tests.api.tokens import Minter, bearer

HEGARSARI = {
    "code": "32.79.02.1001",
    "name": "Hegarsari",
    "kecamatan": "Pataruman",
    "kota": "Kota Banjar",
}


@pytest.fixture
def tpps(client: TestClient, mint: Minter) -> dict[str, str]:
    """Headers of a TPPS officer of Kota Banjar, with Hegarsari registered."""
    headers = bearer(mint(Role.TPPS, "32.79"))
    assert client.post("/v1/areas", json=HEGARSARI, headers=headers).status_code == 201
    return headers


def _errors(answer: Any) -> list[dict[str, Any]]:
    assert answer.status_code == 422, answer.text
    errors: list[dict[str, Any]] = answer.json()["errors"]
    return errors


def test_a_bad_period_in_the_query_is_located_in_the_query(
    client: TestClient, tpps: dict[str, str]
) -> None:
    answer = client.get("/v1/areas/32.79/stats", params={"period": "2025-13"}, headers=tpps)

    assert [e["location"] for e in _errors(answer)] == [["query", "period"]]


def test_a_malformed_code_in_the_path_is_located_in_the_path(
    client: TestClient, tpps: dict[str, str]
) -> None:
    answer = client.get("/v1/areas/32.7x/stats", params={"period": "2025-05"}, headers=tpps)

    assert [e["location"] for e in _errors(answer)] == [["path", "code"]]


def test_a_field_of_the_body_is_still_located_in_the_body(
    client: TestClient, tpps: dict[str, str]
) -> None:
    answer = client.post("/v1/areas", json={**HEGARSARI, "code": "32.7x"}, headers=tpps)

    assert [e["location"] for e in _errors(answer)] == [["body", "code"]]


def test_an_unencoded_plus_in_known_at_is_refused_with_a_hint_to_send_it_as_2b(
    client: TestClient, tpps: dict[str, str]
) -> None:
    url = "/v1/areas/32.79/stats?period=2025-05&known_at=2025-06-01T00:00:00+07:00"

    errors = _errors(client.get(url, headers=tpps))

    assert errors[0]["location"] == ["query", "known_at"]
    assert "send the offset's + as %2B" in errors[0]["message"]


def test_an_encoded_plus_in_known_at_is_understood(
    client: TestClient, tpps: dict[str, str]
) -> None:
    url = "/v1/areas/32.79/stats?period=2025-05&known_at=2025-06-01T00:00:00%2B07:00"

    answer = client.get(url, headers=tpps)

    assert answer.status_code == 200, answer.text
    assert answer.json()["known_at"] == "2025-06-01T00:00:00+07:00"
