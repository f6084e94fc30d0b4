"""What a child's record refuses: each is a 422 naming the field, never a 500, never stored.

Each case was answered 201 (stored for good) or 500 before issue 25. The answer never
echoes the value sent: names and NIKs are personal data.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.services import Services
from api.web.kit import expected_version
from domain.access import Role
from domain.fact import DomainError
from tests.api.test_children import CHILD, MEASUREMENT, OTHER_DESA, kader, register
from tests.api.tokens import DESA, Minter, bearer

__all__ = ["kader"]  # the fixture, used by name


def _wide(digits: str) -> str:
    """The digits in their full-width forms (U+FF10…)."""
    return "".join(chr(0xFF10 + int(d)) for d in digits)


def _arabic(digits: str) -> str:
    """The digits in their Arabic-Indic forms (U+0660…)."""
    return "".join(chr(0x0660 + int(d)) for d in digits)


def _refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()


def _post_raw(client: TestClient, url: str, text: str, headers: dict[str, str]) -> httpx.Response:
    """A body as written, for numbers JSON encoders will not write (1e309, NaN)."""
    json_headers = {**headers, "Content-Type": "application/json"}
    response: httpx.Response = client.post(url, content=text.encode(), headers=json_headers)
    return response


def test_an_exit_dated_in_the_year_26_is_refused_and_the_child_stays_writable(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)
    url = f"/v1/children/{child['id']}"

    exited = client.post(
        f"{url}/exit", json={"reason": "died", "exited_on": "0026-11-05"}, headers=kader
    )
    measured = client.post(f"{url}/measurements", json=MEASUREMENT, headers=kader)

    _refused(exited, "exited_on")
    assert measured.status_code == 201, measured.text


def test_a_move_dated_before_the_birth_is_refused(
    client: TestClient, kader: dict[str, str], mint: Minter
) -> None:
    child = register(client, kader)
    both = bearer(mint(Role.KADER, DESA, OTHER_DESA))

    moved = client.post(
        f"/v1/children/{child['id']}/moves",
        json={"to_desa": OTHER_DESA, "moved_on": "2024-03-04"},
        headers=both,
    )

    _refused(moved, "moved_on")


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("head_cm", "NaN"),
        ("head_cm", "Infinity"),
        ("head_cm", "-Infinity"),
        ("head_cm", "1e309"),
        ("head_cm", "-1"),
        ("head_cm", "0"),
        ("head_cm", "1e308"),
        ("muac_cm", "NaN"),
        ("length_cm", "1e309"),
        ("weight_kg", "1e-320"),
        ("weight_kg", "1e-10"),
        ("weight_kg", "true"),
        ("oedema", "1"),
        ("measured_on", "1746835200"),
        ("measured_on", '"2025-05-10T00:00:00"'),
        ("measured_on", '"2025-05-10T00:00:00Z"'),
        ("measured_by", '"' + "k" * 5000 + '"'),
        ("measured_by", '"kader\\r\\nX-Injected: 1"'),
    ],
)
def test_an_impossible_measurement_is_refused_naming_the_field(
    client: TestClient, kader: dict[str, str], services: Services, field: str, text: str
) -> None:
    child = register(client, kader)
    before = services.store.head().position
    body = {k: v for k, v in MEASUREMENT.items() if k != field}
    sent = httpx.Request("POST", "/", json=body).content.decode()[:-1] + f',"{field}":{text}}}'

    answer = _post_raw(client, f"/v1/children/{child['id']}/measurements", sent, kader)

    _refused(answer, field)
    assert services.store.head().position == before


def test_the_same_values_in_a_posyandu_session_are_refused_naming_the_item(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)
    item = {
        **MEASUREMENT,
        "event_id": "0190a1b2-0000-7000-8000-000000000001",
        "child_id": child["id"],
    }
    items = [item, {**item, "head_cm": 12345.5}]
    sent = httpx.Request("POST", "/", json={"items": items}).content.decode()
    sent = sent.replace("12345.5", "NaN")

    answer = _post_raw(client, "/v1/posyandu-sessions", sent, kader)

    assert answer.status_code == 422, answer.text
    assert ["body", "items", 1, "head_cm"] in [e["location"] for e in answer.json()["errors"]]


@pytest.mark.parametrize("if_match", ['"99999999999999999999"', '"-1"', 'W/"1.0"'])
def test_an_if_match_that_names_no_version_is_refused(
    client: TestClient, kader: dict[str, str], if_match: str
) -> None:
    child = register(client, kader)

    answer = client.post(
        f"/v1/children/{child['id']}/measurements",
        json=MEASUREMENT,
        headers={**kader, "If-Match": if_match},
    )

    _refused(answer, "If-Match")


# A server reads header bytes as Latin-1, so "²" and "³" arrive, and str.isdigit takes them
# (the test client re-encodes headers, so the function is called directly).
@pytest.mark.parametrize(
    "if_match", ['"²"', '"³"', 'W/"1¹"', f'"{_arabic("3")}"', f'"{_wide("3")}"']
)
def test_an_if_match_with_digits_other_than_ascii_is_refused(if_match: str) -> None:
    with pytest.raises(DomainError) as refused:
        expected_version(if_match)

    assert (refused.value.status, refused.value.field) == (422, "If-Match")


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/v1/areas/32.79.02.1001/stats?period=2025-05&known_at=²", "known_at"),
        ("/v1/events?after=²", "after"),
    ],
)
def test_a_position_in_a_query_with_digits_other_than_ascii_is_refused(
    client: TestClient, kader: dict[str, str], mint: Minter, url: str, field: str
) -> None:
    auditor = bearer(mint(Role.TPPS, "32.79"))

    answer = client.get(url, headers=auditor)

    _refused(answer, field)


_NIKS = [_wide("3279024503240001"), _arabic("3279024503240001"), "327902450324000²"]
_NAMES = [
    "   ",
    "Anak\x07Demo",
    "Anak\r\nDemo",
    "Anak\u202eomeD",
    "\ufeffAnak Demo",
    "Anak\u2066Demo",
]


@pytest.mark.parametrize(
    ("field", "value"),
    [("nik", nik) for nik in _NIKS]
    + [("name", name) for name in _NAMES]
    + [("mother_nik", _NIKS[0]), ("address", "RT 01\x01"), ("address", "x" * 301)],
)
def test_personal_fields_with_foreign_digits_or_control_characters_are_refused_unechoed(
    client: TestClient, kader: dict[str, str], field: str, value: str
) -> None:
    body: dict[str, Any] = {**CHILD, "personal": {**CHILD["personal"], field: value}}

    answer = client.post("/v1/children", json=body, headers=kader)

    _refused(answer, f"personal.{field}")
    assert value.strip() == "" or value not in answer.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birth_date", 1709596800),
        ("birth_date", "2024-03-05T00:00:00"),
        ("sex", "X"),
        ("posyandu", "Melati\n1"),
        ("posyandu", " "),
        ("desa", _wide("32") + ".79.02.1001"),
    ],
)
def test_a_registration_with_a_wrongly_typed_field_is_refused(
    client: TestClient, kader: dict[str, str], field: str, value: object
) -> None:
    answer = client.post("/v1/children", json={**CHILD, field: value}, headers=kader)

    _refused(answer, field)
