"""Write reach is not read reach (issue 26, M2): a write needs every area of its target
inside the caller's reach, while reading needs only an overlap. One test per family of
write routes, on the Kota Banjar of ``test_area_stats`` (Hegarsari and Pataruman in
kecamatan Pataruman 32.79.02, Banjar in kecamatan Banjar 32.79.01)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from api.services import Services
from domain.access import Role
from tests.api.test_area_stats import HEGARSARI, PATARUMAN, World, world
from tests.api.test_meetings import rakor, resolve
from tests.api.test_sponsors import call, commit, on, sponsor
from tests.api.tokens import Minter, bearer

__all__ = ["world"]  # the fixture, used by name
Write = tuple[dict[str, str], str, dict[str, Any]]  # headers, path, body (all POST or PUT)
CAMAT = "32.79.02"  # the kecamatan Pataruman


def _resolution(world: World, services: Services, areas: list[str]) -> str:
    meeting = rakor(world, lambda day: on(services, day))
    return str(resolve(world, meeting, areas=areas)["id"])


def resolution_due(world: World, services: Services, mint: Minter) -> Write:
    rid = _resolution(world, services, ["32.79"])
    body = {"due": "2025-07-31", "reason": "Diundur"}
    return bearer(mint(Role.KECAMATAN, CAMAT)), f"/v1/resolutions/{rid}/due", body


def resolution_close(world: World, services: Services, mint: Minter) -> Write:
    rid = _resolution(world, services, ["32.79"])
    body = {"outcome": "done", "reason": "Selesai"}
    return bearer(mint(Role.KECAMATAN, CAMAT)), f"/v1/resolutions/{rid}/close", body


def resolution_partly_outside(world: World, services: Services, mint: Minter) -> Write:
    rid = _resolution(world, services, ["32.79.01", CAMAT])
    body = {"text": "Sebagian", "percent": 50}
    return bearer(mint(Role.KECAMATAN, CAMAT)), f"/v1/resolutions/{rid}/progress", body


def meeting_document(world: World, services: Services, mint: Minter) -> Write:
    meeting = rakor(world, lambda day: on(services, day))
    body = {"sha256": "ab" * 32, "size": 1000, "kind": "photo"}
    return bearer(mint(Role.KECAMATAN, CAMAT)), f"/v1/meetings/{meeting}/documents", body


def meeting_report(world: World, services: Services, mint: Minter) -> Write:
    meeting = rakor(world, lambda day: on(services, day))
    body = {"area": "32.79", "office": "Kecamatan Pataruman"}
    return bearer(mint(Role.KECAMATAN, CAMAT)), f"/v1/meetings/{meeting}/reports", body


def area_sasaran(world: World, services: Services, mint: Minter) -> Write:
    body = {"balita": 10, "baduta": 4}
    return bearer(mint(Role.TPPS, HEGARSARI)), f"/v1/areas/{PATARUMAN}/sasaran/2025", body


def child_move(world: World, services: Services, mint: Minter) -> Write:
    body = {"to_desa": PATARUMAN, "moved_on": "2025-06-01"}
    return bearer(mint(Role.KADER, HEGARSARI)), f"/v1/children/{world.ids['A']}/moves", body


def measurement(world: World, services: Services, mint: Minter) -> Write:
    body = {"measured_on": "2025-06-01", "weight_kg": 9.1}
    return bearer(mint(Role.KADER, HEGARSARI)), f"/v1/children/{world.ids['D']}/measurements", body


def family_risks(world: World, services: Services, mint: Minter) -> Write:
    made = call(world, "POST", "/v1/families", 201, json={"desa": PATARUMAN, "krs": False})
    body = {"krs": True, "risks": ["no_latrine"]}
    return bearer(mint(Role.TPK, HEGARSARI)), f"/v1/families/{made['id']}/risks", body


def sponsor_areas(world: World, services: Services, mint: Minter) -> Write:
    body = {"kind": "komunitas", "name": "Komunitas Demo", "areas": [HEGARSARI, PATARUMAN]}
    return bearer(mint(Role.TPK, HEGARSARI)), "/v1/sponsors", body


def commitment_status(world: World, services: Services, mint: Minter) -> Write:
    on(services, "2025-06-10")
    made = commit(world, sponsor(world), "D")
    body = {"action": "pause", "reason": "Libur"}
    return bearer(mint(Role.TPK, HEGARSARI)), f"/v1/commitments/{made['id']}/status", body


def subscription(world: World, services: Services, mint: Minter) -> Write:
    scopes = ["webhooks:manage", "children:read"]
    app = bearer(mint(Role.INTEGRATOR, CAMAT, scopes=scopes))
    body = {"target_url": "https://93.184.215.14/hook", "area_prefix": "32.79"}
    return app, "/v1/subscriptions", body


WRITES: dict[str, Callable[[World, Services, Minter], Write]] = {
    f.__name__: f
    for f in (
        resolution_due,
        resolution_close,
        resolution_partly_outside,
        meeting_document,
        meeting_report,
        area_sasaran,
        child_move,
        measurement,
        family_risks,
        sponsor_areas,
        commitment_status,
        subscription,
    )
}


@pytest.mark.parametrize("family", WRITES)
def test_a_write_to_a_target_not_wholly_inside_the_callers_reach_is_refused(
    world: World, services: Services, mint: Minter, family: str
) -> None:
    headers, path, body = WRITES[family](world, services, mint)
    head = services.store.head().position
    method = "PUT" if "/sasaran/" in path else "POST"

    answer = world.client.request(method, path, json=body, headers=headers)

    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert services.store.head().position == head


def test_a_camat_still_reads_the_kota_resolution_it_may_not_change(
    world: World, services: Services, mint: Minter
) -> None:
    headers, path, body = resolution_due(world, services, mint)
    rid = path.split("/")[3]

    refused = world.client.post(path, json=body, headers=headers)
    read = world.client.get(f"/v1/resolutions/{rid}", headers=headers)
    listed = world.client.get("/v1/resolutions", headers=headers)

    assert refused.status_code == 404
    assert read.status_code == 200
    assert read.json()["due"] == "2025-06-30"
    assert [r["id"] for r in listed.json()["items"]] == [rid]


def test_a_sponsor_without_areas_is_registered_only_by_a_caller_reaching_everywhere(
    world: World, services: Services, mint: Minter
) -> None:
    body = {"kind": "komunitas", "name": "Komunitas Demo", "areas": []}
    admin = bearer(mint(Role.ADMIN, "*"))

    kota = world.client.post("/v1/sponsors", json=body, headers=world.headers)
    everywhere = world.client.post("/v1/sponsors", json=body, headers=admin)

    assert kota.status_code == 422
    assert kota.json()["errors"][0]["field"] == "areas"
    assert everywhere.status_code == 201
