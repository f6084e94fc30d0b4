"""Sponsors, families, commitments and deliveries over HTTP, on the Kota Banjar of
``test_area_stats``: in May 2025 girls A and B (Hegarsari) and E (Banjar) are stunted,
first on 10, 11 and 13 May; D (Pataruman) is not; C was not measured."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from api.services import Services
from domain.access import Role
from tests.api.test_area_stats import PATARUMAN, World, world
from tests.api.tokens import Minter, bearer

__all__ = ["world"]  # the fixture, used by name


def on(services: Services, day: str) -> None:
    instant = datetime.fromisoformat(f"{day}T05:00:00+00:00").astimezone(UTC)
    services.clock = lambda: instant


def call(
    world: World,
    method: str,
    path: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **kw: Any,
) -> Any:
    answer = world.client.request(method, path, headers=headers or world.headers, **kw)
    assert answer.status_code == status, answer.text
    return answer.json()


def sponsor(world: World, **changes: Any) -> str:
    body = {
        "kind": "baznas",
        "name": "Baznas Kota Banjar",
        "named_publicly": True,
        "areas": ["32.79"],
    } | changes
    return str(call(world, "POST", "/v1/sponsors", 201, json=body)["id"])


def commit(world: World, sponsor_id: str, child: str, **changes: Any) -> dict[str, Any]:
    body = {
        "sponsor": sponsor_id,
        "beneficiary": {"kind": "child", "id": world.ids[child]},
        "aid": "nutrition",
        "description": "Telur dan susu",
        "amount_rupiah": 70_000,
        "frequency": "weekly",
        "start": "2025-06-01",
        "end": None,
    } | changes
    found: dict[str, Any] = call(world, "POST", "/v1/commitments", 201, json=body)
    return found


def queue(world: World, code: str = "32.79") -> list[str]:
    names = {v: k for k, v in world.ids.items()}
    found = call(world, "GET", f"/v1/areas/{code}/queues/unsponsored-stunted")
    return [names[i["child_id"]] for i in found["items"]]


def test_fulfilment_counts_verified_deliveries_against_the_weeks_due(
    world: World, services: Services, mint: Minter
) -> None:
    on(services, "2025-06-03")
    made = commit(world, sponsor(world), "A")
    delivered = call(
        world,
        "POST",
        f"/v1/commitments/{made['id']}/deliveries",
        201,
        json={
            "date": "2025-06-02",
            "amount_rupiah": 70_000,
            "items": "10 butir telur",
            "delivered_by": "tpk",
            "evidence": [{"sha256": "ab" * 32, "size": 40_000}],
        },
    )
    waiting = call(world, "GET", f"/v1/commitments/{made['id']}")
    tpk = bearer(mint(Role.TPK, "32.79"))
    verdict = call(
        world,
        "POST",
        f"/v1/deliveries/{delivered['id']}/verify",
        headers=tpk,
        json={"verified": True},
    )
    on(services, "2025-06-20")
    later = call(world, "GET", f"/v1/commitments/{made['id']}")

    assert (waiting["due_rupiah"], waiting["delivered_rupiah"], waiting["pending"]) == (
        70_000,
        0,
        1,
    )
    assert verdict["verified"] is True
    # 1-20 June: 20 days, 3 started weeks: 210,000 due, 70,000 verified; nothing since 2 June.
    assert (later["due_periods"], later["due_rupiah"], later["delivered_rupiah"]) == (
        3,
        210_000,
        70_000,
    )
    assert (later["fulfilment"], later["overdue"], later["delivered"]) == (0.3333, True, 1)
    overdue = call(world, "GET", "/v1/areas/32.79.02/queues/overdue-deliveries")
    assert [i["id"] for i in overdue["items"]] == [made["id"]]


def test_the_unsponsored_stunted_queue_follows_commitments_and_the_childs_status(
    world: World, services: Services
) -> None:
    on(services, "2025-06-05")
    assert queue(world) == ["A", "B", "E"]
    made = commit(world, sponsor(world), "A")
    assert queue(world) == ["B", "E"]
    call(
        world,
        "POST",
        f"/v1/commitments/{made['id']}/status",
        json={"action": "pause", "reason": "Keluarga pindah sementara"},
    )
    assert queue(world) == ["A", "B", "E"]
    call(world, "POST", f"/v1/commitments/{made['id']}/status", json={"action": "resume"})
    world.measure("B", "2025-06-04", -1.0)  # B is no longer stunted
    assert queue(world) == ["E"]
    assert queue(world, "32.79.02") == []
    call(
        world,
        "POST",
        f"/v1/commitments/{made['id']}/status",
        json={"action": "end", "reason": "Program selesai"},
    )
    assert queue(world) == ["A", "E"]
    page = call(world, "GET", "/v1/areas/32.79/queues/unsponsored-stunted", params={"limit": 1})
    rest = call(
        world,
        "GET",
        "/v1/areas/32.79/queues/unsponsored-stunted",
        params={"limit": 1, "after": page["next"]},
    )
    assert [page["items"][0]["child_id"], rest["items"][0]["child_id"]] == [
        world.ids["A"],
        world.ids["E"],
    ]
    assert page["items"][0]["initials"] == "D. A. A."


@pytest.mark.parametrize(
    "case",
    [
        "cancelled",
        "before start",
        "future",
        "negative",
        "fractional",
        "text rupiah",
        "unknown child",
        "out of reach",
        "verify twice",
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    world: World, services: Services, mint: Minter, case: str
) -> None:
    on(services, "2025-06-10")
    sponsor_id = sponsor(world)
    made = commit(world, sponsor_id, "A")
    delivery = {"date": "2025-06-05", "amount_rupiah": 70_000, "delivered_by": "sponsor"}
    deliveries = f"/v1/commitments/{made['id']}/deliveries"
    first = call(world, "POST", deliveries, 201, json=delivery)
    tpk = bearer(mint(Role.TPK, "32.79"))
    call(
        world,
        "POST",
        f"/v1/deliveries/{first['id']}/verify",
        headers=tpk,
        json={"verified": False, "reason": "Bukti tidak sesuai"},
    )
    if case == "cancelled":
        call(
            world,
            "POST",
            f"/v1/commitments/{made['id']}/status",
            json={"action": "cancel", "reason": "Sponsor mundur"},
        )
    kader_elsewhere = bearer(mint(Role.TPK, "32.79.01"))
    head = services.store.head().position
    path, body, status, headers = {
        "cancelled": (deliveries, delivery, 409, world.headers),
        "before start": (deliveries, delivery | {"date": "2025-05-31"}, 422, world.headers),
        "future": (deliveries, delivery | {"date": "2025-06-11"}, 422, world.headers),
        "negative": (deliveries, delivery | {"amount_rupiah": -5}, 422, world.headers),
        "fractional": (deliveries, delivery | {"amount_rupiah": 70_000.5}, 422, world.headers),
        "text rupiah": (deliveries, delivery | {"amount_rupiah": "70000"}, 422, world.headers),
        "unknown child": (
            "/v1/commitments",
            {
                **made_body(world, sponsor_id),
                "beneficiary": {"kind": "child", "id": "0" * 8 + "-0000-4000-8000-" + "0" * 12},
            },
            404,
            world.headers,
        ),
        "out of reach": ("/v1/commitments", made_body(world, sponsor_id), 404, kader_elsewhere),
        "verify twice": (f"/v1/deliveries/{first['id']}/verify", {"verified": True}, 409, tpk),
    }[case]

    answer = world.client.post(path, json=body, headers=headers)

    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert services.store.head().position == head


def made_body(world: World, sponsor_id: str) -> dict[str, Any]:
    return {
        "sponsor": sponsor_id,
        "beneficiary": {"kind": "child", "id": world.ids["A"]},
        "aid": "nutrition",
        "description": "PMT",
        "amount_rupiah": 15_000,
        "frequency": "daily",
        "start": "2025-06-01",
    }


def test_a_sponsor_sees_its_own_commitments_and_masked_children_never_personal_data(
    world: World, services: Services, mint: Minter
) -> None:
    on(services, "2025-06-10")
    mine = sponsor(
        world,
        kind="asn",
        name=None,
        principal="sponsor-asn-1",
        personal={"person": "Demo Pegawai", "contact": "0812-0000-0000"},
    )
    other = sponsor(world)
    commit(world, mine, "A")
    theirs = commit(world, other, "E")
    own = bearer(mint(Role.SPONSOR, "32.79", name="sponsor-asn-1"))

    view = world.client.get(f"/v1/sponsors/{mine}/view", headers=own)
    listed = call(world, "GET", "/v1/commitments", headers=own)
    foreign = world.client.get(f"/v1/commitments/{theirs['id']}", headers=own)
    foreign_sponsor = world.client.get(f"/v1/sponsors/{other}/view", headers=own)
    family = world.client.get("/v1/families", headers=own)
    child = world.client.get(f"/v1/children/{world.ids['A']}", headers=own)

    assert view.status_code == 200, view.text
    got = view.json()
    assert [c["beneficiary"]["id"] for c in got["commitments"]] == [world.ids["A"]]
    assert got["children"][0]["initials"] == "D. A. A."
    assert [(p["measured_on"], p["stunted"]) for p in got["children"][0]["trend"]] == [
        ("2025-04-10", False),
        ("2025-05-10", True),
    ]
    assert got["children"][0]["trend"][1]["haz_band"] == "stunted"
    for personal in ("Demo Anak", "Demo Pegawai", "0812", "nik", "address"):
        assert personal not in view.text
    assert [c["sponsor"] for c in listed["items"]] == [mine]
    assert (foreign.status_code, foreign_sponsor.status_code) == (404, 404)
    assert (family.status_code, child.status_code) == (403, 403)
    named = call(world, "GET", f"/v1/sponsors/{mine}")
    assert named["personal"] == {"person": "Demo Pegawai", "contact": "0812-0000-0000"}


def test_krs_families_without_a_commitment_and_suggestions_in_the_sponsors_areas(
    world: World, services: Services
) -> None:
    on(services, "2025-06-10")
    family = call(
        world,
        "POST",
        "/v1/families",
        201,
        json={
            "desa": PATARUMAN,
            "krs": True,
            "risks": ["no_latrine", "wife_under_20"],
            "children": [world.ids["D"]],
            "mothers": [
                {"status": "pregnant", "due_date": "2025-09-01", "personal": {"name": "Demo Ibu D"}}
            ],
            "personal": {"head_name": "Demo Kepala Keluarga", "address": "RT 01/RW 02"},
        },
    )
    listed = call(world, "GET", "/v1/areas/32.79/queues/krs-without-commitment")
    mother = family["mothers"][0]["id"]
    call(
        world,
        "POST",
        "/v1/commitments",
        201,
        json={
            "sponsor": sponsor(world),
            "beneficiary": {"kind": "mother", "id": mother},
            "aid": "nutrition",
            "description": "Susu ibu hamil",
            "amount_rupiah": 100_000,
            "frequency": "monthly",
            "start": "2025-06-01",
        },
    )
    after = call(world, "GET", "/v1/areas/32.79/queues/krs-without-commitment")
    near = sponsor(world, kind="perguruan_tinggi", name="Universitas Demo", areas=["32.79.02"])
    suggested = call(world, "GET", f"/v1/sponsors/{near}/suggestions")

    assert [i["family_id"] for i in listed["items"]] == [family["id"]]
    assert listed["items"][0]["risks"] == ["no_latrine", "wife_under_20"]
    assert after["items"] == []
    assert family["personal"] == {
        "head_name": "Demo Kepala Keluarga",
        "nik": None,
        "address": "RT 01/RW 02",
    }
    assert "Demo" not in str(call(world, "GET", "/v1/families")["items"])
    names = {v: k for k, v in world.ids.items()}
    assert [names[i["child_id"]] for i in suggested["items"]] == ["A", "B"]


def test_sponsor_figures_for_may_by_hand_with_the_kecamatan_below_and_known_at(
    world: World, services: Services, mint: Minter
) -> None:
    on(services, "2025-06-10")
    weekly = commit(world, sponsor(world), "A", start="2025-05-01")
    commit(
        world,
        sponsor(world, kind="asn", name=None),
        "E",
        aid="non_nutrition",
        description="Perbaikan jamban",
        amount_rupiah=300_000,
        frequency="monthly",
        start="2025-05-15",
    )
    delivered = call(
        world,
        "POST",
        f"/v1/commitments/{weekly['id']}/deliveries",
        201,
        json={"date": "2025-05-05", "amount_rupiah": 70_000, "delivered_by": "tpk"},
    )
    before = services.store.head().position
    call(
        world,
        "POST",
        f"/v1/deliveries/{delivered['id']}/verify",
        headers=bearer(mint(Role.BIDAN, "32.79")),
        json={"verified": True},
    )

    got = call(world, "GET", "/v1/areas/32.79/sponsor-stats", params={"period": "2025-05"})
    then = call(
        world,
        "GET",
        "/v1/areas/32.79/sponsor-stats",
        params={"period": "2025-05", "known_at": str(before)},
    )
    evaluation = call(world, "GET", "/v1/areas/32.79/evaluation", params={"period": "2025-05"})

    # A: weekly 70,000 from 1 May: 31 days, 5 started weeks = 350,000; E: monthly 300,000
    # from 15 May: 17 days, one period. Stunted in May: A, B, E; only A has nutrition aid.
    assert (got["sponsors"], got["active_commitments"], got["beneficiaries"]) == (
        2,
        2,
        {"child": 2, "mother": 0, "family": 0},
    )
    assert (got["rupiah_committed"], got["rupiah_delivered"]) == (650_000, 70_000)
    assert (got["stunted"], got["stunted_sponsored"], got["share_stunted_sponsored"]) == (
        3,
        1,
        0.3333,
    )
    units = {u["code"]: u for u in got["units"]}
    assert (
        units["32.79.02"]["rupiah_committed"],
        units["32.79.02"]["share_stunted_sponsored"],
    ) == (350_000, 0.5)
    assert (units["32.79.01"]["stunted"], units["32.79.01"]["stunted_sponsored"]) == (1, 0)
    assert then["rupiah_delivered"] == 0
    assert then["log_position"] == before
    rows = {r["code"]: r["sponsors"] for r in evaluation["rows"]}
    assert rows["32.79.02"]["stunted_sponsored"] == 1
    assert evaluation["total"]["sponsors"]["rupiah_committed"] == 650_000
