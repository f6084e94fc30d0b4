"""Meetings, area reports and resolutions over HTTP: the flow, reach, the refusals the
issue names (nothing stored), idempotency, If-Match, personal names and the overdue queue.

Built on the hand-computed Kota Banjar of ``test_area_stats`` (five girls, May 2025).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from api.services import Services
from domain.access import Role
from domain.meeting.decider import meeting_stream
from tests.api.test_area_stats import BANJAR, HEGARSARI, PATARUMAN, World, world
from tests.api.tokens import Minter, bearer

__all__ = ["world"]  # the fixture, used by name
Clock = Callable[[str], None]


@pytest.fixture
def clock(services: Services) -> Clock:
    """Set the service's clock to noon WIB of a day (``2025-06-10``)."""

    def set_to(day: str) -> None:
        instant = datetime.fromisoformat(f"{day}T05:00:00+00:00").astimezone(UTC)
        services.clock = lambda: instant

    return set_to


def post(
    world: World,
    path: str,
    body: dict[str, Any],
    status: int = 201,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    answer = world.client.post(path, json=body, headers=headers or world.headers)
    assert answer.status_code == status, answer.text
    found: dict[str, Any] = answer.json()
    return found


def rakor(world: World, clock: Clock, day: str = "2025-06-03", **changes: Any) -> str:
    """A kota rakor planned for ``day`` and held on it; its id."""
    clock(day)
    body = {
        "level": "kota",
        "area": "32.79",
        "date": day,
        "title": "Rakor TPPS Kota Banjar",
        "organiser": "DPPKB Kota Banjar",
        "agenda": ["Laporan kecamatan", "Evaluasi"],
    } | changes
    meeting = post(world, "/v1/meetings", body)
    assert (meeting["status"], meeting["version"]) == ("planned", 1)
    post(
        world,
        f"/v1/meetings/{meeting['id']}/held",
        {
            "minutes": "Rapat dibuka oleh Kepala DPPKB.\nLaporan per kecamatan.",
            "attendance": [
                {"office": "DPPKB Kota Banjar", "position": "Kepala", "name": "Demo Kepala"},
                {"office": "Kecamatan Pataruman", "position": "Camat", "count": 2},
            ],
        },
        status=200,
    )
    return str(meeting["id"])


def resolve(world: World, meeting: str, **changes: Any) -> dict[str, Any]:
    body = {
        "text": "Sweeping balita yang belum ditimbang",
        "office": "Puskesmas Pataruman",
        "due": "2025-06-30",
        "areas": ["32.79.02"],
        "target": None,
    } | changes
    return post(world, f"/v1/meetings/{meeting}/resolutions", body)


def test_a_held_rakor_gets_reports_with_the_figures_it_saw_and_resolutions(
    world: World, clock: Clock, mint: Minter
) -> None:
    meeting = rakor(world, clock)
    camat = bearer(mint(Role.KECAMATAN, "32.79.02"))
    report = post(
        world,
        f"/v1/meetings/{meeting}/reports",
        {
            "area": "32.79.02",
            "office": "Kecamatan Pataruman",
            "kampung_kb": {"designated": True, "maturity": "Berkembang"},
            "activities": ["Posyandu serentak"],
            "obstacles": [{"code": "kader", "text": "Kader kurang di RW 05"}],
        },
        headers=camat,
    )
    resolution = resolve(world, meeting, target={"indicator": "coverage", "value": 0.7})

    figures = report["figures"]
    assert (figures["period"], figures["present"], figures["measured"], figures["stunted"]) == (
        "2025-05",
        4,
        3,
        2,
    )
    assert (figures["coverage"], figures["prevalence_stunting"]) == (0.75, 0.6667)
    assert figures["zero_new_stunting"] is False
    assert resolution["status"] == "open"
    assert resolution["overdue"] is False
    shown = world.client.get(f"/v1/meetings/{meeting}", headers=world.headers).json()
    assert [r["area"] for r in shown["reports"]] == ["32.79.02"]
    assert [(r["id"], r["status"]) for r in shown["resolutions"]] == [(resolution["id"], "open")]
    assert shown["area_name"] == "Kota Banjar"
    listed = world.client.get("/v1/meetings", params={"area": "32.79.02"}, headers=camat).json()
    assert [m["id"] for m in listed["items"]] == [meeting]


def test_officials_names_are_personal_shown_only_with_pii_read_and_never_in_the_payload(
    world: World, clock: Clock, mint: Minter, services: Services
) -> None:
    meeting = rakor(world, clock)
    auditor = bearer(mint(Role.AUDITOR, "32.79"))

    named = world.client.get(f"/v1/meetings/{meeting}", headers=world.headers).json()
    unnamed = world.client.get(f"/v1/meetings/{meeting}", headers=auditor).json()

    assert named["officials"] == [
        {"office": "DPPKB Kota Banjar", "position": "Kepala", "name": "Demo Kepala"}
    ]
    assert unnamed["officials"] is None
    assert "Demo Kepala" not in str(unnamed)
    stored = services.store.read_stream(meeting_stream(meeting))
    assert all("Demo Kepala" not in str(e.payload) for e in stored)
    assert any(e.personal is not None for e in stored)


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("meeting not held", 409),
        ("due before meeting", 422),
        ("area outside meeting", 422),
        ("area outside reach", 404),
        ("unknown obstacle", 422),
        ("unknown indicator", 422),
        ("report outside reach", 404),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    world: World, clock: Clock, services: Services, mint: Minter, case: str, status: int
) -> None:
    held = rakor(world, clock)
    clock("2025-06-04")
    planned = post(
        world,
        "/v1/meetings",
        {
            "level": "kecamatan",
            "area": "32.79.02",
            "date": "2025-06-20",
            "title": "Rakor kecamatan",
            "organiser": "Kecamatan Pataruman",
        },
    )["id"]
    kecamatan = post(
        world,
        "/v1/meetings",
        {
            "level": "kecamatan",
            "area": "32.79.02",
            "date": "2025-06-04",
            "title": "Rakor kecamatan",
            "organiser": "Kecamatan Pataruman",
        },
    )["id"]
    post(world, f"/v1/meetings/{kecamatan}/held", {"minutes": "Dibuka."}, status=200)
    camat = bearer(mint(Role.KECAMATAN, "32.79.02"))
    head = services.store.head().position
    cases: dict[str, tuple[str, dict[str, Any], dict[str, str]]] = {
        "meeting not held": (f"/v1/meetings/{planned}/resolutions", {}, world.headers),
        "due before meeting": (
            f"/v1/meetings/{held}/resolutions",
            {"due": "2025-06-02"},
            world.headers,
        ),
        "area outside meeting": (
            f"/v1/meetings/{kecamatan}/resolutions",
            {"areas": ["32.79.01"]},
            world.headers,
        ),
        "area outside reach": (f"/v1/meetings/{held}/resolutions", {"areas": ["32.79.01"]}, camat),
        "unknown obstacle": (
            f"/v1/meetings/{held}/reports",
            {"area": "32.79.02", "office": "Kec", "obstacles": [{"code": "weather"}]},
            world.headers,
        ),
        "unknown indicator": (
            f"/v1/meetings/{held}/resolutions",
            {"target": {"indicator": "happiness", "value": 1}},
            world.headers,
        ),
        "report outside reach": (
            f"/v1/meetings/{held}/reports",
            {"area": "32.79.01", "office": "Kecamatan Banjar"},
            camat,
        ),
    }
    path, body, headers = cases[case]
    if path.endswith("/resolutions"):
        body = {"text": "x", "office": "DPPKB", "due": "2025-06-30", "areas": ["32.79.02"]} | body

    answer = world.client.post(path, json=body, headers=headers)

    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert services.store.head().position == head


def test_progress_closing_reopening_with_if_match_and_the_409s(world: World, clock: Clock) -> None:
    meeting = rakor(world, clock)
    rid = resolve(world, meeting)["id"]
    base = f"/v1/resolutions/{rid}"
    evidence = [{"sha256": "0f" * 32, "size": 52_311, "kind": "photo"}]

    progress = post(
        world, f"{base}/progress", {"text": "10 posyandu", "percent": 40, "evidence": evidence}, 200
    )
    stale = world.client.post(
        f"{base}/close",
        json={"outcome": "done", "reason": "x"},
        headers={**world.headers, "If-Match": '"1"'},
    )
    closed = world.client.post(
        f"{base}/close",
        json={"outcome": "done", "reason": "Tuntas"},
        headers={**world.headers, "If-Match": f'"{progress["version"]}"'},
    )
    twice = world.client.post(
        f"{base}/close", json={"outcome": "dropped", "reason": "x"}, headers=world.headers
    )
    late = world.client.post(
        f"{base}/progress", json={"text": "x", "percent": 90}, headers=world.headers
    )

    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert closed.status_code == 200
    assert closed.json()["status"] == "done"
    assert closed.json()["closed_on"] == "2025-06-03"
    assert (twice.status_code, late.status_code) == (409, 409)
    reopened = post(world, f"{base}/reopen", {"reason": "Belum semua"}, 200)
    assert (reopened["status"], reopened["percent"]) == ("open", 40)
    assert reopened["progress"][0]["evidence"][0]["sha256"] == "0f" * 32


def test_retries_with_an_idempotency_key_store_one_meeting_and_one_resolution(
    world: World, clock: Clock, services: Services
) -> None:
    clock("2025-06-03")
    body = {
        "level": "desa",
        "area": HEGARSARI,
        "date": "2025-06-03",
        "title": "Rembuk",
        "organiser": "Kelurahan Hegarsari",
    }
    headers = {**world.headers, "Idempotency-Key": "rembuk-1"}
    first = world.client.post("/v1/meetings", json=body, headers=headers)
    again = world.client.post("/v1/meetings", json=body, headers=headers)
    other = world.client.post("/v1/meetings", json=body | {"title": "Lain"}, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert len(services.store.read_stream(meeting_stream(first.json()["id"]))) == 1
    assert other.status_code == 409


def test_the_overdue_queue_follows_the_clock_per_area_and_office(
    world: World, clock: Clock
) -> None:
    meeting = rakor(world, clock)
    resolve(world, meeting, due="2025-06-10", areas=[HEGARSARI])
    resolve(world, meeting, due="2025-06-20", areas=[BANJAR], office="Dinas Kesehatan")
    done = resolve(world, meeting, due="2025-06-05", areas=[PATARUMAN])
    post(world, f"/v1/resolutions/{done['id']}/close", {"outcome": "done", "reason": "x"}, 200)

    def queue(code: str, day: str) -> list[tuple[str, str]]:
        clock(day)
        answer = world.client.get(
            f"/v1/areas/{code}/queues/overdue-resolutions", headers=world.headers
        )
        assert answer.status_code == 200, answer.text
        return [(i["areas"][0], i["office"]) for i in answer.json()["items"]]

    assert queue("32.79", "2025-06-10") == []
    assert queue("32.79", "2025-06-11") == [(HEGARSARI, "Puskesmas Pataruman")]
    assert queue("32.79", "2025-06-21") == [
        (HEGARSARI, "Puskesmas Pataruman"),
        (BANJAR, "Dinas Kesehatan"),
    ]
    assert queue("32.79.01", "2025-06-21") == [(BANJAR, "Dinas Kesehatan")]
    listed = world.client.get(
        "/v1/resolutions",
        headers=world.headers,
        params={"overdue": "true", "office": "Dinas Kesehatan"},
    ).json()
    assert [(i["status"], i["overdue"]) for i in listed["items"]] == [("open", True)]
    assert listed["next"] is None


def test_a_camat_sees_the_kota_rakor_but_changes_only_inside_its_kecamatan(
    world: World, clock: Clock, mint: Minter
) -> None:
    meeting = rakor(world, clock)
    camat = bearer(mint(Role.KECAMATAN, "32.79.01"))
    rid = resolve(world, meeting, areas=[HEGARSARI])["id"]

    seen = world.client.get(f"/v1/meetings/{meeting}", headers=camat)
    cancel = world.client.post(
        f"/v1/meetings/{meeting}/cancel", json={"reason": "x"}, headers=camat
    )
    other = world.client.get(f"/v1/resolutions/{rid}", headers=camat)

    assert seen.status_code == 200
    assert [r["id"] for r in seen.json()["resolutions"]] == [rid]
    assert (cancel.status_code, other.status_code) == (404, 404)


def test_a_resolution_target_is_checked_against_the_due_month_beside_the_claim(
    world: World, clock: Clock
) -> None:
    meeting = rakor(world, clock, day="2025-05-02")
    coverage = resolve(
        world,
        meeting,
        due="2025-05-20",
        areas=["32.79.02", BANJAR],
        target={"indicator": "coverage", "value": 0.7},
    )["id"]
    stunting = resolve(
        world,
        meeting,
        due="2025-05-31",
        areas=["32.79.02"],
        target={"indicator": "prevalence_stunting", "value": 0.5},
    )["id"]
    post(world, f"/v1/resolutions/{stunting}/close", {"outcome": "done", "reason": "Klaim"}, 200)

    clock("2025-05-25")
    pending = world.client.get(f"/v1/resolutions/{coverage}", headers=world.headers).json()
    clock("2025-06-01")
    covered = world.client.get(f"/v1/resolutions/{coverage}", headers=world.headers).json()
    claimed = world.client.get(f"/v1/resolutions/{stunting}", headers=world.headers).json()

    assert pending["target_check"]["pending"] is True
    assert pending["target_check"]["met"] is None
    check = covered["target_check"]
    assert (check["month"], check["pending"], check["direction"], check["met"]) == (
        "2025-05",
        False,
        "at_least",
        True,
    )
    assert check["areas"] == [
        {"area": BANJAR, "actual": 1.0, "met": True},
        {"area": "32.79.02", "actual": 0.75, "met": True},
    ]
    assert claimed["status"] == "done"
    assert (claimed["target_check"]["met"], claimed["target_check"]["areas"][0]["actual"]) == (
        False,
        0.6667,
    )


def test_the_minutes_print_the_meeting_its_reports_and_resolutions_as_html_and_markdown(
    world: World, clock: Clock, mint: Minter
) -> None:
    meeting = rakor(world, clock)
    resolve(world, meeting, text="Sweeping balita di Pataruman")
    auditor = bearer(mint(Role.AUDITOR, "32.79"))

    page = world.client.get(f"/v1/meetings/{meeting}/minutes", headers=world.headers)
    unnamed = world.client.get(f"/v1/meetings/{meeting}/minutes", headers=auditor)
    text = world.client.get(
        f"/v1/meetings/{meeting}/minutes", headers=world.headers, params={"format": "markdown"}
    )

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for part in (
        "NOTULEN RAPAT",
        "Rakor TPPS Kota Banjar",
        "Keputusan Rapat",
        "Sweeping balita di Pataruman",
        "Demo Kepala",
        "Selasa, 3 Juni 2025",
    ):
        assert part in page.text, part
    assert "Demo Kepala" not in unnamed.text
    assert text.headers["content-type"].startswith("text/markdown")
    assert "Sweeping balita di Pataruman" in text.text
