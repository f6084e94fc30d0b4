"""The areas registry over HTTP: register, read, list, Kampung KB, sasaran, reach."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.services import Services
from domain.access import Role
from events.projections.areas import area_sasaran, areas, find_area, sasaran
from tests.api.tokens import Minter, bearer

AREAS = "/v1/areas"
HEGARSARI: dict[str, Any] = {
    "code": "32.79.02.1001",
    "name": "Hegarsari",
    "kecamatan": "Pataruman",
    "kota": "Kota Banjar",
}


@pytest.fixture
def tpps(mint: Minter) -> dict[str, str]:
    """Headers of a TPPS officer of all of Kota Banjar (may read and change areas)."""
    return bearer(mint(Role.TPPS, "32.79"))


@pytest.fixture
def hegarsari(client: TestClient, tpps: dict[str, str]) -> str:
    """Hegarsari, registered by the TPPS officer: the URL of its record."""
    client.post(AREAS, json=HEGARSARI, headers=tpps)
    return f"{AREAS}/32.79.02.1001"


def area(code: str, name: str = "Demo") -> dict[str, Any]:
    """A registration body for ``code`` in Kecamatan Pataruman."""
    return {"code": code, "name": name, "kecamatan": "Pataruman", "kota": "Kota Banjar"}


def register(client: TestClient, headers: dict[str, str], *codes: str) -> None:
    """Register each of ``codes`` (asserting it worked)."""
    for code in codes:
        assert client.post(AREAS, json=area(code), headers=headers).status_code == 201


def refused_fields(response: httpx.Response, status: int = 422) -> set[str]:
    """The fields a problem+json answer names."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return {problem["field"] for problem in response.json().get("errors", [])}


def test_the_issue_example_registers_a_kelurahan(client: TestClient, tpps: dict[str, str]) -> None:
    response = client.post(AREAS, json=HEGARSARI, headers=tpps)

    assert response.status_code == 201
    assert response.json() == {**HEGARSARI, "kind": "kelurahan", "kampung_kb": None, "version": 1}
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == "/v1/areas/32.79.02.1001"


def test_an_undotted_code_is_answered_dotted_and_a_2_makes_it_a_desa(
    client: TestClient, tpps: dict[str, str]
) -> None:
    response = client.post(AREAS, json=area("3279022001"), headers=tpps)

    assert response.status_code == 201
    assert (response.json()["code"], response.json()["kind"]) == ("32.79.02.2001", "desa")
    assert client.get(f"{AREAS}/3279022001", headers=tpps).json()["code"] == "32.79.02.2001"


def test_registering_a_code_twice_is_a_conflict(client: TestClient, tpps: dict[str, str]) -> None:
    client.post(AREAS, json=HEGARSARI, headers=tpps)

    again = client.post(AREAS, json=area("3279021001"), headers=tpps)

    assert refused_fields(again, 409) == {"code"}


@pytest.mark.parametrize("code", ["32.79.02", "32.79.02.3001", "32-79-02-1001", "327902100"])
def test_a_malformed_code_is_refused_naming_code_and_nothing_is_stored(
    client: TestClient, tpps: dict[str, str], services: Services, code: str
) -> None:
    head = services.store.head().position

    response = client.post(AREAS, json=area(code), headers=tpps)

    assert refused_fields(response) == {"code"}
    assert services.store.head().position == head


def test_an_area_outside_the_callers_reach_is_not_found(client: TestClient, mint: Minter) -> None:
    pataruman = bearer(mint(Role.TPPS, "32.79.02"))
    register(client, bearer(mint(Role.ADMIN, "*")), "32.79.01.1001")

    registering = client.post(AREAS, json=area("32.79.01.1002"), headers=pataruman)
    reading = client.get(f"{AREAS}/32.79.01.1001", headers=pataruman)

    assert refused_fields(registering, 404) == set()
    assert reading.status_code == 404


def test_a_kader_may_read_areas_but_not_register_them(client: TestClient, mint: Minter) -> None:
    kader = bearer(mint(Role.KADER, "32.79.02.1001"))

    response = client.post(AREAS, json=HEGARSARI, headers=kader)

    assert response.status_code == 403
    assert client.get(f"{AREAS}/32.79.02.1001", headers=kader).status_code == 404


def test_one_area_is_read_with_its_version_as_etag(
    client: TestClient, tpps: dict[str, str], hegarsari: str
) -> None:

    response = client.get(hegarsari, headers=tpps)

    assert response.status_code == 200
    assert response.json()["name"] == "Hegarsari"
    assert response.headers["etag"] == '"1"'


def test_an_unknown_area_is_not_found(client: TestClient, tpps: dict[str, str]) -> None:
    response = client.get(f"{AREAS}/32.79.02.1009", headers=tpps)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_areas_are_listed_by_prefix_a_page_at_a_time(
    client: TestClient, tpps: dict[str, str]
) -> None:
    codes = ["32.79.02.1001", "32.79.02.1002", "32.79.02.2001", "32.79.02.2002", "32.79.02.2003"]
    register(client, tpps, *reversed(codes), "32.79.01.1001")

    pages, after = [], None
    while True:
        query = {"prefix": "32.79.02", "limit": 2}
        page = client.get(AREAS, params=query | ({"after": after} if after else {}), headers=tpps)
        pages.append([item["code"] for item in page.json()["items"]])
        after = page.json()["next"]
        if after is None:
            break

    assert pages == [codes[0:2], codes[2:4], codes[4:5]]


def test_a_list_holds_only_the_areas_inside_the_callers_reach(
    client: TestClient, mint: Minter, tpps: dict[str, str]
) -> None:
    register(client, tpps, "32.79.01.1001", "32.79.02.1001", "32.79.02.2001")
    one_desa = bearer(mint(Role.KADER, "32.79.02.2001"))

    everything = client.get(AREAS, headers=one_desa).json()
    under_banjar = client.get(AREAS, params={"prefix": "3279"}, headers=one_desa).json()

    assert [item["code"] for item in everything["items"]] == ["32.79.02.2001"]
    assert [item["code"] for item in under_banjar["items"]] == ["32.79.02.2001"]
    assert everything["next"] is None


def test_a_malformed_prefix_is_refused_naming_it(client: TestClient, tpps: dict[str, str]) -> None:
    response = client.get(AREAS, params={"prefix": "32.7"}, headers=tpps)

    assert refused_fields(response) == {"prefix"}


def test_designating_a_kampung_kb_shows_on_the_area(
    client: TestClient, tpps: dict[str, str], hegarsari: str
) -> None:
    body = {"category": "Berkembang", "designated_on": "2024-08-01"}

    response = client.post(f"{hegarsari}/kampung-kb", json=body, headers=tpps)

    assert response.status_code == 200
    assert response.json()["kampung_kb"] == body
    assert response.headers["etag"] == '"2"'
    assert client.get(hegarsari, headers=tpps).json()["kampung_kb"] == body


def test_an_unknown_kampung_kb_category_is_refused(
    client: TestClient, tpps: dict[str, str], hegarsari: str
) -> None:
    body = {"category": "Maju", "designated_on": "2024-08-01"}

    response = client.post(f"{hegarsari}/kampung-kb", json=body, headers=tpps)

    assert refused_fields(response) == {"category"}


def test_the_sasaran_of_a_year_is_set_and_read_back(
    client: TestClient, tpps: dict[str, str], hegarsari: str, services: Services
) -> None:
    url = f"{hegarsari}/sasaran/2025"

    response = client.put(url, json={"balita": 420, "baduta": 170}, headers=tpps)

    assert response.status_code == 200
    assert response.json() == {
        "code": "32.79.02.1001",
        "year": 2025,
        "balita": 420,
        "baduta": 170,
        "version": 2,
    }
    assert client.get(url, headers=tpps).json()["balita"] == 420
    with services.engine.connect() as conn:
        assert sasaran(conn, "32.79.02.1001", 2025) is not None


def test_a_sasaran_write_with_a_stale_if_match_fails_with_the_current_version(
    client: TestClient, tpps: dict[str, str], hegarsari: str
) -> None:
    url = f"{hegarsari}/sasaran/2025"
    client.put(url, json={"balita": 420, "baduta": 170}, headers=tpps | {"If-Match": '"1"'})

    stale = client.put(url, json={"balita": 430, "baduta": 170}, headers=tpps | {"If-Match": '"1"'})
    fresh = client.put(url, json={"balita": 430, "baduta": 170}, headers=tpps | {"If-Match": '"2"'})

    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert fresh.status_code == 200
    assert fresh.headers["etag"] == '"3"'


def test_more_baduta_than_balita_is_refused_and_nothing_is_stored(
    client: TestClient, tpps: dict[str, str], hegarsari: str
) -> None:
    url = f"{hegarsari}/sasaran/2025"

    response = client.put(url, json={"balita": 100, "baduta": 101}, headers=tpps)

    assert refused_fields(response) == {"baduta"}
    assert client.get(hegarsari, headers=tpps).json()["version"] == 1


def test_a_negative_target_is_refused_naming_it(
    client: TestClient, tpps: dict[str, str], hegarsari: str
) -> None:

    response = client.put(
        f"{hegarsari}/sasaran/2025", json={"balita": -1, "baduta": 0}, headers=tpps
    )

    assert refused_fields(response) == {"balita"}


def test_a_sasaran_for_an_unregistered_area_is_not_found(
    client: TestClient, tpps: dict[str, str]
) -> None:
    response = client.put(
        f"{AREAS}/32.79.02.1001/sasaran/2025", json={"balita": 1, "baduta": 0}, headers=tpps
    )

    assert response.status_code == 404


@pytest.mark.usefixtures("hegarsari")
def test_find_area_answers_registered_areas_and_none_for_others(services: Services) -> None:
    with services.engine.connect() as conn:
        found = find_area(conn, "32.79.02.1001")
        missing = [find_area(conn, code) for code in ("32.79.02.1002", "nonsense", "32.79")]

    assert found is not None
    assert (found.name, found.kind.value, found.version) == ("Hegarsari", "kelurahan", 1)
    assert missing == [None, None, None]


def test_a_rebuild_of_the_areas_gives_what_the_writes_gave(
    client: TestClient, tpps: dict[str, str], services: Services
) -> None:
    register(client, tpps, "32.79.02.1001", "32.79.02.2001")
    kampung_kb = {"category": "Dasar", "designated_on": "2024-01-02"}
    client.post(f"{AREAS}/32.79.02.2001/kampung-kb", json=kampung_kb, headers=tpps)
    targets = {"balita": 9, "baduta": 4}
    client.put(f"{AREAS}/32.79.02.1001/sasaran/2025", json=targets, headers=tpps)
    before = _tables(services)

    services.projections.rebuild(services.store, ["areas"])

    assert _tables(services) == before
    assert len(before[0]) == 2


def _tables(services: Services) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with services.engine.connect() as conn:
        rows = conn.execute(select(areas).order_by(areas.c.code)).all()
        targets = conn.execute(select(area_sasaran).order_by(area_sasaran.c.code)).all()
    return [tuple(r) for r in rows], [tuple(r) for r in targets]


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2101-01-01", 20250101, "2025-1-1"])
def test_a_kampung_kb_designated_outside_the_programme_years_is_refused(
    client: TestClient, tpps: dict[str, str], day: object
) -> None:
    register(client, tpps, "32.79.02.1001")

    answer = client.post(
        f"{AREAS}/32.79.02.1001/kampung-kb",
        json={"category": "Dasar", "designated_on": day},
        headers=tpps,
    )

    assert refused_fields(answer) == {"designated_on"}


@pytest.mark.parametrize(
    "body",
    [
        {"balita": 2**31, "baduta": 0},
        {"balita": 2**53, "baduta": 0},
        {"balita": 10, "baduta": True},
        {"balita": 1.5, "baduta": 0},
        {"balita": -1, "baduta": 0},
    ],
)
def test_a_sasaran_beyond_what_a_column_holds_or_not_a_whole_number_is_refused(
    client: TestClient, tpps: dict[str, str], services: Services, body: dict[str, Any]
) -> None:
    register(client, tpps, "32.79.02.1001")
    before = services.store.head().position

    answer = client.put(f"{AREAS}/32.79.02.1001/sasaran/2025", json=body, headers=tpps)

    assert refused_fields(answer) & {"balita", "baduta"}
    assert services.store.head().position == before


@pytest.mark.parametrize("year", [2**31, 2**63, 1999, 2101, -5])
def test_a_sasaran_year_outside_the_programme_is_refused_on_read_and_write(
    client: TestClient, tpps: dict[str, str], year: int
) -> None:
    register(client, tpps, "32.79.02.1001")
    url = f"{AREAS}/32.79.02.1001/sasaran/{year}"

    read = client.get(url, headers=tpps)
    written = client.put(url, json={"balita": 10, "baduta": 5}, headers=tpps)

    assert refused_fields(read) == {"year"}
    assert refused_fields(written) == {"year"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Hegar\nsari"),
        ("name", "\u202eirasrageH"),
        ("name", "   "),
        ("kota", "Kota\x07"),
        ("code", "\uff13\uff12.79.02.1001"),
    ],
)
def test_an_area_name_or_code_with_forbidden_characters_is_refused(
    client: TestClient, tpps: dict[str, str], field: str, value: str
) -> None:
    answer = client.post(AREAS, json={**HEGARSARI, field: value}, headers=tpps)

    assert answer.status_code == 422, answer.text
