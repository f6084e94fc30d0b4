"""The TPPS evaluation per kecamatan, hand-computed on the Kota Banjar of ``test_area_stats``.

May 2025: Kecamatan Pataruman (32.79.02) has 4 girls present, 3 measured, 2 stunted
(prevalence 0.6667; in April 1 measured, not stunted: 0.0); Hegarsari had two new cases,
Pataruman none. Kecamatan Banjar (32.79.01) has 1 girl, measured and stunted (1.0; nobody
measured in April). Resolutions adopted at a rakor on 2025-04-20, judged on 2025-06-10:

- R1 32.79.02, due 05-20, coverage >= 0.7 (May: 0.75, met), done 05-15: on time
- R2 Banjar's desa, due 05-31, prevalence <= 0.5 (May: 1.0, not met), done 06-05: late
- R3 Pataruman's desa, due 05-10, dropped
- R4 the whole kota, due 05-25, still open: in the kota's total only
- R5 32.79.02, due 07-01: not due in May
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from api.services import Services
from tests.api.test_area_stats import BANJAR, PATARUMAN, World, world

__all__ = ["world"]  # the fixture, used by name


def at(services: Services, day: str) -> None:
    instant = datetime.fromisoformat(f"{day}T05:00:00+00:00").astimezone(UTC)
    services.clock = lambda: instant


def ok(client: TestClient, method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
    answer = client.request(method, path, headers=headers, **kw)
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def history(world: World, services: Services) -> dict[str, str]:
    client, headers = world.client, world.headers
    at(services, "2025-04-20")
    meeting = ok(
        client,
        "POST",
        "/v1/meetings",
        headers,
        json={
            "level": "kota",
            "area": "32.79",
            "date": "2025-04-20",
            "title": "Rakor TPPS",
            "organiser": "DPPKB Kota Banjar",
        },
    )["id"]
    ok(client, "POST", f"/v1/meetings/{meeting}/held", headers, json={"minutes": "Dibuka."})
    ids = {}
    for name, areas, due, target in (
        ("R1", ["32.79.02"], "2025-05-20", {"indicator": "coverage", "value": 0.7}),
        ("R2", [BANJAR], "2025-05-31", {"indicator": "prevalence_stunting", "value": 0.5}),
        ("R3", [PATARUMAN], "2025-05-10", None),
        ("R4", ["32.79"], "2025-05-25", None),
        ("R5", ["32.79.02"], "2025-07-01", None),
    ):
        ids[name] = ok(
            client,
            "POST",
            f"/v1/meetings/{meeting}/resolutions",
            headers,
            json={
                "text": f"Keputusan {name}",
                "office": "DPPKB",
                "due": due,
                "areas": areas,
                "target": target,
            },
        )["id"]
    ids["position"] = str(services.store.head().position)
    for name, outcome, on in (
        ("R1", "done", "2025-05-15"),
        ("R2", "done", "2025-06-05"),
        ("R3", "dropped", "2025-05-08"),
    ):
        at(services, "2025-06-06")
        ok(
            client,
            "POST",
            f"/v1/resolutions/{ids[name]}/close",
            headers,
            json={"outcome": outcome, "reason": "Rapat evaluasi", "closed_on": on},
        )
    at(services, "2025-06-10")
    return ids


def evaluation(world: World, **params: str) -> dict[str, Any]:
    found: dict[str, Any] = ok(
        world.client,
        "GET",
        "/v1/areas/32.79/evaluation",
        world.headers,
        params={"period": "2025-05", **params},
    )
    return found


def test_rows_are_ranked_by_prevalence_with_change_coverage_desa_and_resolutions(
    world: World, services: Services
) -> None:
    history(world, services)
    got = evaluation(world)

    rows = {r["code"]: r for r in got["rows"]}
    assert [(r["rank"], r["code"], r["name"]) for r in got["rows"]] == [
        (1, "32.79.02", "Pataruman"),
        (2, "32.79.01", "Banjar"),
    ]
    pataruman, banjar = rows["32.79.02"], rows["32.79.01"]
    assert (pataruman["present"], pataruman["measured"], pataruman["coverage"]) == (4, 3, 0.75)
    assert (pataruman["prevalence_stunting"], pataruman["prevalence_previous"]) == (0.6667, 0.0)
    assert pataruman["prevalence_change"] == 0.6667
    assert (banjar["prevalence_stunting"], banjar["prevalence_previous"]) == (1.0, None)
    assert banjar["prevalence_change"] is None
    assert (pataruman["desa"], pataruman["desa_zero_new_stunting"]) == (2, 1)
    assert (banjar["desa"], banjar["desa_zero_new_stunting"]) == (1, 0)
    assert pataruman["resolutions"] == {
        "due": 2,
        "done_on_time": 1,
        "done_late": 0,
        "open": 0,
        "dropped": 1,
        "targets_checked": 1,
        "targets_met": 1,
    }
    assert banjar["resolutions"] == {
        "due": 1,
        "done_on_time": 0,
        "done_late": 1,
        "open": 0,
        "dropped": 0,
        "targets_checked": 1,
        "targets_met": 0,
    }
    total = got["total"]
    assert (total["code"], total["rank"], total["present"], total["stunted"]) == (
        "32.79",
        None,
        5,
        3,
    )
    assert total["resolutions"] == {
        "due": 4,
        "done_on_time": 1,
        "done_late": 1,
        "open": 1,
        "dropped": 1,
        "targets_checked": 2,
        "targets_met": 1,
    }
    assert (got["period"], got["previous_period"], got["as_of"]) == (
        "2025-05",
        "2025-04",
        "2025-06-10",
    )


def test_known_at_gives_the_evaluation_as_it_was_answered_then(
    world: World, services: Services
) -> None:
    ids = history(world, services)
    position = ids["position"]

    then = evaluation(world, known_at=position)
    world.measure("C", "2025-05-20", -2.9)  # a late entry for May, after the position
    later = evaluation(world, known_at=position)
    now = evaluation(world)

    assert then == later
    assert then["log_position"] == int(position)
    assert [r["resolutions"]["open"] for r in then["rows"]] == [2, 1]
    assert then["total"]["resolutions"]["open"] == 4
    assert now["total"]["stunted"] == then["total"]["stunted"] + 1


def test_the_evaluation_as_csv_has_a_row_per_kecamatan_and_the_total(
    world: World, services: Services
) -> None:
    history(world, services)
    answer = world.client.get(
        "/v1/areas/32.79/evaluation",
        headers=world.headers,
        params={"period": "2025-Q2", "format": "csv"},
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["code"] for r in rows] == ["32.79.02", "32.79.01", "32.79"]
    assert rows[2]["resolutions_due"] == "4"  # R5 is due in July
    assert answer.headers["Tumbuh-Log-Position"].isdigit()


def test_the_evaluation_is_of_a_kota_only(world: World, services: Services) -> None:
    for code in ("32.79.02", "32"):
        answer = world.client.get(
            f"/v1/areas/{code}/evaluation", headers=world.headers, params={"period": "2025-05"}
        )
        assert answer.status_code == 422, answer.text


def test_a_kept_evaluation_is_never_answered_after_what_it_rests_on_changed(
    world: World, services: Services
) -> None:
    ids = history(world, services)
    first = evaluation(world)
    again = evaluation(world)
    world.measure("C", "2025-05-20", -2.9)
    measured = evaluation(world)
    ok(
        world.client,
        "POST",
        f"/v1/resolutions/{ids['R4']}/close",
        world.headers,
        json={"outcome": "done", "reason": "Selesai", "closed_on": "2025-05-20"},
    )
    closed = evaluation(world)

    assert again == first
    assert measured["total"]["stunted"] == first["total"]["stunted"] + 1
    assert (
        closed["total"]["resolutions"]["open"],
        closed["total"]["resolutions"]["done_on_time"],
    ) == (
        0,
        2,
    )
