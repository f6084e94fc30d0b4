"""Children and measurements over HTTP: the issue's contract, masking, no personal data in
clear, conditional and idempotent writes, corrections and voids."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.identity.accounts import operator_meta
from api.services import Services
from domain.access import Role
from domain.area.commands import RegisterArea
from domain.area.decider import AreaDecider
from domain.area.decider import stream_id as area_stream
from events import timefmt
from events.handling import execute
from events.projections.children import children, measurements
from events.schema import events
from tests.api.tokens import DESA, Minter, bearer

NAME, NIK = "Anak Demo Satu", "3279024503240001"
MOTHER, MOTHER_NIK = "Ibu Demo Satu", "3279024101900002"
OTHER_DESA = "32.79.01.1001"
CHILD: dict[str, Any] = {
    "sex": "M",
    "birth_date": "2024-03-05",
    "desa": DESA,
    "posyandu": "Melati 1",
    "personal": {
        "name": NAME,
        "nik": NIK,
        "mother_name": MOTHER,
        "mother_nik": MOTHER_NIK,
        "address": "RT 01/RW 02 Demo",
    },
}
MEASUREMENT: dict[str, Any] = {
    "measured_on": "2025-05-10",
    "weight_kg": 9.1,
    "length_cm": 80.2,
    "position": "lying",
    "oedema": False,
}


@pytest.fixture
def kader(services: Services, mint: Minter) -> dict[str, str]:
    """A kader of the demo kelurahan, whose areas are registered."""
    for code in (DESA, OTHER_DESA):
        command = RegisterArea(
            at=timefmt.utc_now(), code=code, name="Demo", kecamatan="Demo", kota="Kota Banjar"
        )
        execute(services.store, AreaDecider(), area_stream(code), command, operator_meta())
    return bearer(mint(Role.KADER, DESA))


def register(client: TestClient, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = client.post("/v1/children", json={**CHILD, **changes}, headers=headers)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def measure(
    client: TestClient, headers: dict[str, str], child_id: str, **changes: Any
) -> httpx.Response:
    url = f"/v1/children/{child_id}/measurements"
    response: httpx.Response = client.post(url, json={**MEASUREMENT, **changes}, headers=headers)
    return response


def refused_fields(response: httpx.Response) -> set[str]:
    return {e["field"] for e in response.json().get("errors", [])}


def test_the_issue_example_registers_a_child_and_records_a_measurement(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)
    recorded = measure(client, kader, child["id"])

    got = client.get(f"/v1/children/{child['id']}", headers=kader)

    assert child["version"] == 1
    assert recorded.status_code == 201, recorded.text
    answer = recorded.json()
    assert answer["version"] == 2
    assert recorded.headers["ETag"] == '"2"'
    assert {"haz", "waz", "whz", "baz", "flags", "categories"} <= answer["assessment"].keys()
    body = got.json()
    assert got.headers["ETag"] == '"2"'
    for field in (
        "id",
        "sex",
        "birth_date",
        "desa",
        "version",
        "stunted",
        "severely_stunted",
        "wasted",
        "underweight",
        "new_stunting_case",
    ):
        assert field in body
    assert body["stunted"] is False
    assert body["latest_measurement"]["event_id"] == answer["event_id"]
    assert body["latest_measurement"]["measured_on"] == "2025-05-10"
    assert body["latest_measurement"]["assessment"]["haz"] == pytest.approx(
        answer["assessment"]["haz"]
    )
    assert body["personal"]["name"] == NAME


def test_personal_fields_are_masked_without_pii_read(
    client: TestClient, kader: dict[str, str], mint: Minter
) -> None:
    child = register(client, kader)
    reader = bearer(mint(Role.KECAMATAN, "32.79.02"))

    personal = client.get(f"/v1/children/{child['id']}", headers=reader).json()["personal"]

    assert personal["masked"] is True
    assert personal["name"] == "A. D. S."
    assert personal["nik"] == "3279********0001"
    assert personal["mother_nik"] == "3279********0002"
    assert NAME not in str(personal)


def test_names_and_niks_appear_neither_in_logs_nor_in_clear_in_the_log_columns(
    client: TestClient, kader: dict[str, str], services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    child = register(client, kader)
    client.post(
        "/v1/children", json={**CHILD, "personal": {"name": NAME, "nik": "1"}}, headers=kader
    )

    with services.engine.connect() as conn:
        bodies = [bytes(b).decode(errors="replace") for (b,) in conn.execute(select(events.c.body))]
    payloads = [str(e.payload) for e in services.store.read_all(0, 1000)]
    stored = " ".join(bodies + payloads)
    for secret in (NAME, NIK, MOTHER, MOTHER_NIK, "RT 01/RW 02"):
        assert secret not in caplog.text
        assert secret not in stored
    assert child["id"] in stored


def test_a_write_with_a_stale_if_match_fails_with_412(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)
    measure(client, kader, child["id"])

    stale = client.post(
        f"/v1/children/{child['id']}/measurements",
        json=MEASUREMENT,
        headers={**kader, "If-Match": '"1"'},
    )

    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2


def test_a_retry_with_the_same_idempotency_key_returns_the_same_event_id(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)
    headers = {**kader, "Idempotency-Key": "sync-42"}

    first = measure(client, headers, child["id"])
    again = measure(client, headers, child["id"])

    assert first.status_code == again.status_code == 201
    assert again.json()["event_id"] == first.json()["event_id"]
    assert again.json()["version"] == 2
    got = client.get(f"/v1/children/{child['id']}/measurements", headers=kader).json()
    assert len(got["items"]) == 1


def test_a_retried_registration_with_a_client_event_id_registers_one_child(
    client: TestClient, kader: dict[str, str]
) -> None:
    event_id = "0196a000-0000-7000-8000-0000000000aa"

    first = register(client, kader, event_id=event_id)
    again = register(client, kader, event_id=event_id)

    assert again["id"] == first["id"]
    assert again["version"] == 1


def test_a_registration_retried_on_a_later_day_replays_the_first_answer(
    client: TestClient, kader: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id = "0196a000-0000-7000-8000-0000000000ab"
    first = register(client, kader, event_id=event_id)
    tomorrow = timefmt.utc_now() + timedelta(days=1)
    monkeypatch.setattr(timefmt, "utc_now", lambda: tomorrow)

    again = register(client, kader, event_id=event_id)

    assert (again["id"], again["version"]) == (first["id"], 1)


def test_a_measurement_after_the_child_exited_is_a_conflict(
    client: TestClient, kader: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timefmt.utc_now
    monkeypatch.setattr(timefmt, "utc_now", lambda: datetime(2024, 4, 1, tzinfo=UTC))
    child = register(client, kader)  # registered on 2024-04-01
    monkeypatch.setattr(timefmt, "utc_now", now)
    exit_body = {"reason": "moved_out", "exited_on": "2025-05-01"}
    exited = client.post(f"/v1/children/{child['id']}/exit", json=exit_body, headers=kader)
    assert exited.status_code == 201, exited.text

    refused = measure(client, kader, child["id"])

    assert refused.status_code == 409
    assert [e["field"] for e in refused.json()["errors"]] == ["measured_on"]


def test_a_correction_shows_up_in_the_child_and_its_history(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)
    event_id = measure(client, kader, child["id"]).json()["event_id"]

    corrected = client.post(
        f"/v1/children/{child['id']}/measurements/{event_id}/corrections",
        json={**MEASUREMENT, "length_cm": 70.0, "reason": "length misread"},
        headers=kader,
    )

    assert corrected.status_code == 201, corrected.text
    body = client.get(f"/v1/children/{child['id']}", headers=kader).json()
    assert body["version"] == 3
    assert body["latest_measurement"]["length_cm"] == pytest.approx(70.0)
    assert body["stunted"] is True
    assert body["new_stunting_case"] is True
    assert body["first_stunted_on"] == "2025-05-10"
    history = client.get(f"/v1/children/{child['id']}/measurements", headers=kader).json()
    assert [(m["event_id"], m["state"]) for m in history["items"]] == [(event_id, "corrected")]


def test_a_writers_answer_is_the_measurement_as_its_history_then_shows_it(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)
    url = f"/v1/children/{child['id']}/measurements"
    retried = {**kader, "Idempotency-Key": "sync-7"}
    recorded = measure(client, retried, child["id"], muac_cm=13.1, head_cm=45.0)
    event_id = recorded.json()["event_id"]
    history = client.get(url, headers=kader).json()["items"]
    assert recorded.json()["measurement"] == history[0]
    assert recorded.json()["assessment"] == history[0]["assessment"]

    changed = {**MEASUREMENT, "length_cm": 95.0, "weight_kg": 4.0, "oedema": True}
    corrected = client.post(
        f"{url}/{event_id}/corrections", headers=kader, json={**changed, "reason": "misread"}
    )
    history = client.get(url, headers=kader).json()["items"]
    assert corrected.json()["measurement"] == history[0]
    assert history[0]["state"] == "corrected"
    assert history[0]["assessment"]["flags"]  # implausible: flagged, still answered alike
    # A retry of the first write answers the measurement as it is now, corrected.
    again = measure(client, retried, child["id"], muac_cm=13.1, head_cm=45.0)
    assert again.json()["measurement"] == history[0]


def test_voiding_twice_is_a_conflict_and_the_void_counts_nowhere(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)
    event_id = measure(client, kader, child["id"]).json()["event_id"]
    url = f"/v1/children/{child['id']}/measurements/{event_id}/void"

    first = client.post(url, json={"reason": "wrong child"}, headers=kader)
    second = client.post(url, json={"reason": "wrong child"}, headers=kader)

    assert first.status_code == 201
    assert second.status_code == 409
    body = client.get(f"/v1/children/{child['id']}", headers=kader).json()
    assert body["measurement_count"] == 0
    assert body["latest_measurement"] is None


def test_correcting_an_event_that_is_not_a_measurement_of_the_child_is_refused(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)
    url = f"/v1/children/{child['id']}/measurements/{child['id']}/corrections"

    refused = client.post(url, json={**MEASUREMENT, "reason": "typo"}, headers=kader)

    assert refused.status_code == 422
    assert refused_fields(refused) == {"measurement_event_id"}


def test_a_malformed_desa_code_is_refused_naming_desa(
    client: TestClient, kader: dict[str, str]
) -> None:
    refused = client.post("/v1/children", json={**CHILD, "desa": "32.79.02"}, headers=kader)

    assert refused.status_code == 422
    assert refused_fields(refused) == {"desa"}


def test_a_desa_in_reach_but_not_registered_is_refused_naming_desa(
    client: TestClient, kader: dict[str, str], mint: Minter
) -> None:
    wide = bearer(mint(Role.KADER, "32.79"))

    refused = client.post("/v1/children", json={**CHILD, "desa": "32.79.02.2999"}, headers=wide)

    assert refused.status_code == 422
    assert refused_fields(refused) == {"desa"}


def test_a_desa_outside_the_callers_reach_is_not_found(
    client: TestClient, kader: dict[str, str]
) -> None:
    refused = client.post("/v1/children", json={**CHILD, "desa": OTHER_DESA}, headers=kader)

    assert refused.status_code == 404


def test_a_measurement_before_birth_is_refused_and_nothing_is_stored(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)

    refused = measure(client, kader, child["id"], measured_on="2024-03-04")

    assert refused.status_code == 422
    assert refused_fields(refused) == {"measured_on"}
    assert client.get(f"/v1/children/{child['id']}", headers=kader).json()["version"] == 1


def test_a_nik_with_an_impossible_date_is_refused_without_echoing_it(
    client: TestClient, kader: dict[str, str]
) -> None:
    personal = {**CHILD["personal"], "nik": "3279029913240001"}

    refused = client.post("/v1/children", json={**CHILD, "personal": personal}, headers=kader)

    assert refused.status_code == 422
    assert refused_fields(refused) == {"personal.nik"}
    assert "3279029913240001" not in refused.text


def test_children_are_listed_a_page_at_a_time_and_filtered_by_stunting(
    client: TestClient, kader: dict[str, str]
) -> None:
    ids = [register(client, kader)["id"] for _ in range(3)]
    measure(client, kader, ids[0], length_cm=70.0)

    first = client.get("/v1/children?limit=2", headers=kader).json()
    following = {"limit": 2, "after": first["next"]}
    rest = client.get("/v1/children", params=following, headers=kader).json()
    stunted = client.get(f"/v1/children?desa={DESA}&status=stunted", headers=kader).json()

    assert [c["id"] for c in first["items"] + rest["items"]] == sorted(ids)
    assert rest["next"] is None
    assert [c["id"] for c in stunted["items"]] == [ids[0]]


def test_a_child_outside_the_callers_reach_is_not_found(
    client: TestClient, kader: dict[str, str], mint: Minter
) -> None:
    child = register(client, kader)
    elsewhere = bearer(mint(Role.KADER, OTHER_DESA))

    assert client.get(f"/v1/children/{child['id']}", headers=elsewhere).status_code == 404
    assert client.get("/v1/children", headers=elsewhere).json()["items"] == []


def test_rebuilding_the_child_projection_gives_what_the_appends_left(
    client: TestClient, kader: dict[str, str], services: Services
) -> None:
    child = register(client, kader)
    first = measure(client, kader, child["id"], measured_on="2025-04-10").json()["event_id"]
    measure(client, kader, child["id"], length_cm=70.0)
    client.post(
        f"/v1/children/{child['id']}/measurements/{first}/void",
        json={"reason": "wrong child"},
        headers=kader,
    )
    before = _projection(services)

    services.projections.rebuild(services.store, ["children"])

    assert _projection(services) == before
    assert before[0][0]["measurement_count"] == 1


def _projection(services: Services) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with services.engine.connect() as conn:
        kids = [dict(r._mapping) for r in conn.execute(select(children).order_by("child_id"))]
        rows = [dict(r._mapping) for r in conn.execute(select(measurements).order_by("event_id"))]
    return kids, rows
