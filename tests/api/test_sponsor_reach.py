"""Sponsor logins see only their own sponsor, and a sponsor's record follows the reach of
its areas (issue 26, H2 and M1), on the Kota Banjar of ``test_area_stats``: girls A, B
(Hegarsari, kecamatan Pataruman), D (Pataruman) and E (Banjar, kecamatan Banjar)."""

from __future__ import annotations

import pytest

from api.services import Services
from domain.access import Role
from tests.api.test_area_stats import BANJAR, HEGARSARI, PATARUMAN, World, world
from tests.api.test_sponsors import call, commit, made_body, on, sponsor
from tests.api.tokens import Minter, bearer

__all__ = ["world"]  # the fixture, used by name


@pytest.fixture
def june_10(world: World, services: Services) -> None:
    """After the world is laid, the clock stands on 10 June 2025: commitments from 1 June
    have started."""
    on(services, "2025-06-10")


def family(world: World, desa: str = PATARUMAN) -> str:
    body = {"desa": desa, "krs": True, "risks": ["no_latrine", "wife_under_20"]}
    return str(call(world, "POST", "/v1/families", 201, json=body)["id"])


def area_wide_paths(family_id: str) -> list[str]:
    return [
        "/v1/areas/32.79/queues/overdue-deliveries",
        "/v1/areas/32.79/queues/krs-without-commitment",
        "/v1/areas/32.79/queues/unsponsored-stunted",
        "/v1/areas/32.79/sponsor-stats?period=2025-06",
        "/v1/families",
        f"/v1/families/{family_id}",
    ]


@pytest.mark.parametrize("linked", [True, False], ids=["linked", "linked to no sponsor"])
def test_a_sponsor_login_is_refused_the_area_queues_figures_and_families(
    world: World, services: Services, mint: Minter, linked: bool
) -> None:
    on(services, "2025-07-20")
    theirs = commit(world, sponsor(world), "E")  # another sponsor's, overdue by July
    kk = family(world)
    if linked:
        sponsor(world, kind="asn", name=None, principal="sponsor-login")
    own = bearer(mint(Role.SPONSOR, "32.79", name="sponsor-login"))

    answers = [world.client.get(path, headers=own) for path in area_wide_paths(kk)]

    assert [a.status_code for a in answers] == [403] * len(answers)
    for answer in answers:
        assert answer.headers["content-type"] == "application/problem+json"
        assert theirs["id"] not in answer.text
        assert kk not in answer.text
        assert "wife_under_20" not in answer.text


@pytest.mark.usefixtures("june_10")
def test_a_sponsor_login_linked_to_no_sponsor_sees_nothing(world: World, mint: Minter) -> None:
    someone = sponsor(world)
    made = commit(world, someone, "A")
    own = bearer(mint(Role.SPONSOR, "32.79"))

    answers = [
        world.client.get(path, headers=own)
        for path in (
            "/v1/sponsors",
            f"/v1/sponsors/{someone}",
            f"/v1/sponsors/{someone}/view",
            "/v1/commitments",
            f"/v1/commitments/{made['id']}",
        )
    ]

    assert [a.status_code for a in answers] == [404] * len(answers)
    assert all(made["id"] not in a.text and someone not in a.text for a in answers)


def test_a_sponsor_outside_the_readers_reach_is_not_found_nor_listed(
    world: World, services: Services, mint: Minter
) -> None:
    donor = {"person": "Demo Donatur Anonim", "contact": "0812-1111-2222"}
    banjar_donor = sponsor(world, kind="individu", name=None, areas=[BANJAR], personal=donor)
    kota = sponsor(world)
    elsewhere = bearer(mint(Role.BIDAN, HEGARSARI))
    there = bearer(mint(Role.BIDAN, BANJAR))

    paths = [f"/v1/sponsors/{banjar_donor}{tail}" for tail in ("", "/view", "/suggestions")]
    refused = [world.client.get(path, headers=elsewhere) for path in paths]
    listed = call(world, "GET", "/v1/sponsors", headers=elsewhere)
    seen = call(world, "GET", f"/v1/sponsors/{banjar_donor}", headers=there)

    assert [a.status_code for a in refused] == [404, 404, 404]
    assert all("Demo Donatur" not in a.text and "0812" not in a.text for a in refused)
    assert [s["id"] for s in listed["items"]] == [kota]  # the kota's Baznas overlaps Hegarsari
    assert "Demo Donatur" not in str(listed)
    assert seen["personal"] == donor


@pytest.mark.usefixtures("june_10")
def test_a_commitment_cannot_name_a_sponsor_the_writer_does_not_see(
    world: World, services: Services, mint: Minter
) -> None:
    banjar_only = sponsor(world, kind="komunitas", name="Komunitas Demo", areas=[BANJAR])
    tpk = bearer(mint(Role.TPK, HEGARSARI))
    head = services.store.head().position
    body = made_body(world, banjar_only)

    answer = world.client.post("/v1/commitments", json=body, headers=tpk)

    assert answer.status_code == 404, answer.text
    assert services.store.head().position == head


@pytest.mark.usefixtures("june_10")
def test_the_sponsor_view_shows_only_commitments_and_children_in_the_readers_reach(
    world: World, mint: Minter
) -> None:
    kota = sponsor(world)
    hegarsari = commit(world, kota, "A")
    banjar = commit(world, kota, "E")
    pataruman = bearer(mint(Role.TPK, "32.79.02"))

    view = call(world, "GET", f"/v1/sponsors/{kota}/view", headers=pataruman)

    assert [c["id"] for c in view["commitments"]] == [hegarsari["id"]]
    assert [c["id"] for c in view["children"]] == [world.ids["A"]]
    assert banjar["id"] not in str(view)
    assert world.ids["E"] not in str(view)


def test_a_read_of_a_sponsors_personal_data_is_logged_with_its_wilayah(
    world: World, services: Services, mint: Minter
) -> None:
    donor = {"person": "Demo Donatur", "contact": "0812-3333-4444"}
    both = sponsor(world, kind="asn", name=None, areas=[HEGARSARI, PATARUMAN], personal=donor)
    bidan = bearer(mint(Role.BIDAN, HEGARSARI))
    services.access_log.flush()
    before = services.store.head().position

    call(world, "GET", f"/v1/sponsors/{both}", headers=bidan)
    services.access_log.flush()

    reads = [e for e in services.store.read_all(before, 100) if e.stream_type == "access"]
    assert [(e.payload["subject"], e.wilayah) for e in reads] == [
        (f"sponsor-{both}", "32.79.02")  # the area holding both of its desa
    ]


def test_answers_that_show_no_personal_part_record_no_read_of_it(
    world: World, services: Services, mint: Minter
) -> None:
    donor = {"person": "Demo Donatur", "contact": "0812-5555-6666"}
    near = sponsor(world, kind="asn", name=None, areas=[HEGARSARI], personal=donor)
    bidan = bearer(mint(Role.BIDAN, HEGARSARI))
    services.access_log.flush()
    before = services.store.head().position

    for tail in ("/view", "/suggestions"):
        call(world, "GET", f"/v1/sponsors/{near}{tail}", headers=bidan)
    services.access_log.flush()

    assert [e for e in services.store.read_all(before, 100) if e.stream_type == "access"] == []
