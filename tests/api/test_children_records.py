"""Changes to a child's record over HTTP: registration corrections, moves and exit."""

from __future__ import annotations

from fastapi.testclient import TestClient

from domain.access import Role
from tests.api.test_children import CHILD, NAME, OTHER_DESA, kader, measure, register
from tests.api.tokens import DESA, Minter, bearer

__all__ = ["kader"]  # the fixture, used by name


def test_a_corrected_birth_date_reassesses_the_measurements(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)
    before = measure(client, kader, child["id"]).json()["assessment"]["age_days"]

    corrected = client.post(
        f"/v1/children/{child['id']}/corrections",
        json={"birth_date": "2024-03-01", "reason": "akta kelahiran"},
        headers={**kader, "If-Match": '"2"'},
    )

    assert corrected.status_code == 201, corrected.text
    latest = corrected.json()["latest_measurement"]
    assert latest["assessment"]["age_days"] == before + 4
    assert corrected.json()["birth_date"] == "2024-03-01"
    assert corrected.headers["ETag"] == '"3"'


def test_a_corrected_name_is_shown_to_pii_readers_only(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)
    personal = {**CHILD["personal"], "name": "Anak Demo Dua"}

    answer = client.post(
        f"/v1/children/{child['id']}/corrections",
        json={"personal": personal, "reason": "ejaan"},
        headers=kader,
    )

    assert answer.json()["personal"]["name"] == "Anak Demo Dua"
    assert NAME not in answer.text


def test_a_moved_child_is_seen_by_the_new_desa_and_no_longer_by_the_old(
    client: TestClient, kader: dict[str, str], mint: Minter
) -> None:
    child = register(client, kader)
    both = bearer(mint(Role.KADER, DESA, OTHER_DESA))
    old = bearer(mint(Role.KADER, DESA))
    new = bearer(mint(Role.KADER, OTHER_DESA))

    moved = client.post(
        f"/v1/children/{child['id']}/moves",
        json={"to_desa": OTHER_DESA, "moved_on": "2025-05-01"},
        headers=both,
    )

    assert moved.status_code == 201, moved.text
    assert moved.json()["desa"] == OTHER_DESA
    assert client.get(f"/v1/children/{child['id']}", headers=new).status_code == 200
    assert client.get(f"/v1/children/{child['id']}", headers=old).status_code == 404
    assert client.get(f"/v1/children?desa={OTHER_DESA}", headers=new).json()["items"]


def test_a_move_to_a_desa_outside_reach_is_not_found(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)

    refused = client.post(
        f"/v1/children/{child['id']}/moves",
        json={"to_desa": OTHER_DESA, "moved_on": "2025-05-01"},
        headers=kader,
    )

    assert refused.status_code == 404


def test_an_exited_child_shows_its_status_and_cannot_exit_twice(
    client: TestClient, kader: dict[str, str]
) -> None:
    child = register(client, kader)
    url = f"/v1/children/{child['id']}/exit"

    first = client.post(url, json={"reason": "moved_out", "exited_on": "2025-05-01"}, headers=kader)
    second = client.post(
        url, json={"reason": "moved_out", "exited_on": "2025-05-01"}, headers=kader
    )

    assert first.json()["status"] == "moved_out"
    assert second.status_code == 409


def test_a_kecamatan_reader_may_not_change_a_child(
    client: TestClient, kader: dict[str, str], mint: Minter
) -> None:
    child = register(client, kader)
    reader = bearer(mint(Role.KECAMATAN, "32.79.02"))

    refused = client.post(
        f"/v1/children/{child['id']}/exit",
        json={"reason": "died", "exited_on": "2025-05-01"},
        headers=reader,
    )

    assert refused.status_code == 403
