"""Area figures over HTTP on a hand-computed Kota Banjar: desa, kecamatan, kota; periods;
"as known at"; ranking; CSV; zero new stunting; the work queues."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.identity.accounts import operator_meta
from api.services import Services
from domain.access import Role
from domain.area.commands import RegisterArea
from domain.area.decider import AreaDecider
from domain.area.decider import stream_id as area_stream
from domain.figures import parse_period
from domain.growth import Sex
from domain.growth.lms import value_at
from domain.growth.tables import Indicator, table
from events import timefmt
from events.area_figures import NowSource, assemble, figures_now, unit_of
from events.database import snapshot
from events.handling import execute
from events.projections import runner
from events.projections.children import children, measurements
from events.projections.figures import child_month_rows, child_spans
from tests.api.tokens import Minter, bearer

HEGARSARI, PATARUMAN, BANJAR = "32.79.02.1001", "32.79.02.1002", "32.79.01.1001"
BORN = date(2023, 6, 1)


def weight_for(sex: str, height_cm: float, z: float) -> float:
    """A weight whose WHZ on the height table is about ``z`` (rounded to 0.1 kg)."""
    rows = table(Indicator.WFH, Sex(sex)).rows
    return round(value_at(z, *rows[round((height_cm - 65.0) * 10)]), 1)


def length_for(sex: str, measured_on: date, z: float) -> float:
    """A length whose HAZ is about ``z`` (rounded to 0.1 cm like a kader)."""
    rows = table(Indicator.LHFA, Sex(sex)).rows
    return round(value_at(z, *rows[(measured_on - BORN).days]), 1)


@dataclass
class World:
    client: TestClient
    headers: dict[str, str]
    ids: dict[str, str]
    measured: dict[tuple[str, str], str]  # (child, day) -> event id

    def measure(self, name: str, day: str, z: float, sex: str = "F", **more: Any) -> str:
        on = date.fromisoformat(day)
        body = {
            "measured_on": day,
            "length_cm": length_for(sex, on, z),
            "position": "standing",
            **more,
        }
        answer = self.client.post(
            f"/v1/children/{self.ids[name]}/measurements", json=body, headers=self.headers
        )
        assert answer.status_code == 201, answer.text
        self.measured[(name, day)] = answer.json()["event_id"]
        return str(answer.json()["event_id"])

    def stats(self, code: str, period: str, **params: str) -> dict[str, Any]:
        answer = self.client.get(
            f"/v1/areas/{code}/stats", headers=self.headers, params={"period": period, **params}
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["Tumbuh-Log-Position"] == str(answer.json()["log_position"])
        found: dict[str, Any] = answer.json()
        return found


@pytest.fixture
def world(
    client: TestClient, services: Services, mint: Minter, monkeypatch: pytest.MonkeyPatch
) -> World:
    """Five girls registered on 2025-01-05: A, B, C in Hegarsari, D in Pataruman, E in Banjar.

    A: Apr -1.0, May -2.5 (incident in May). B: May -2.8 (first measured stunted).
    C: not measured in May. D: May -1.0. E: May -3.5 (first measured, severely stunted).
    """
    for code, name, kecamatan in (
        (HEGARSARI, "Hegarsari", "Pataruman"),
        (PATARUMAN, "Pataruman", "Pataruman"),
        (BANJAR, "Banjar", "Banjar"),
    ):
        command = RegisterArea(
            at=timefmt.utc_now(), code=code, name=name, kecamatan=kecamatan, kota="Kota Banjar"
        )
        execute(services.store, AreaDecider(), area_stream(code), command, operator_meta())
    headers = bearer(mint(Role.TPPS, "32.79"))
    sasaran = client.put(
        f"/v1/areas/{HEGARSARI}/sasaran/2025", json={"balita": 40, "baduta": 15}, headers=headers
    )
    assert sasaran.status_code in (200, 201), sasaran.text
    now = timefmt.utc_now
    monkeypatch.setattr(timefmt, "utc_now", lambda: datetime(2025, 1, 5, 9, tzinfo=UTC))
    ids = {}
    for name, desa in (
        ("A", HEGARSARI),
        ("B", HEGARSARI),
        ("C", HEGARSARI),
        ("D", PATARUMAN),
        ("E", BANJAR),
    ):
        body = {
            "sex": "F",
            "birth_date": BORN.isoformat(),
            "desa": desa,
            "posyandu": "Demo",
            "personal": {"name": f"Demo Anak {name}"},
        }
        answer = client.post("/v1/children", json=body, headers=headers)
        assert answer.status_code == 201, answer.text
        ids[name] = answer.json()["id"]
    monkeypatch.setattr(timefmt, "utc_now", now)
    found = World(client, headers, ids, {})
    found.measure("A", "2025-04-10", -1.0)
    found.measure("A", "2025-05-10", -2.5)
    found.measure("B", "2025-05-11", -2.8)
    found.measure("D", "2025-05-12", -1.0)
    found.measure("E", "2025-05-13", -3.5)
    return found


def test_a_desa_month_counts_present_measured_stunted_and_new_cases(world: World) -> None:
    got = world.stats(HEGARSARI, "2025-05")

    assert (got["code"], got["level"], got["period"]) == (HEGARSARI, "desa", "2025-05")
    assert (got["sasaran_balita"], got["present"], got["measured"], got["coverage"]) == (
        40,
        3,
        2,
        0.6667,
    )
    assert (got["measured_valid_haz"], got["stunted"], got["severely_stunted"]) == (2, 2, 0)
    assert got["prevalence_stunting"] == 1.0
    assert (got["new_stunting"], got["incident"], got["first_measured_stunted"]) == (2, 1, 1)
    assert got["zero_new_stunting"] is False
    assert (got["by_sex"]["F"]["present"], got["by_sex"]["M"]["present"]) == (3, 0)
    assert got["by_age_band"]["12-23"]["measured"] == 2
    assert sorted(c["kind"] for c in got["new_cases"]) == ["first_measured_stunted", "incident"]
    assert {c["initials"] for c in got["new_cases"]} == {"D. A. A.", "D. A. B."}


def test_kecamatan_and_kota_roll_up_by_code_and_rank_the_level_below(world: World) -> None:
    kecamatan = world.stats("32.79.02", "2025-05")
    kota = world.stats("3279", "2025-05")

    assert (kecamatan["present"], kecamatan["measured"], kecamatan["stunted"]) == (4, 3, 2)
    assert kecamatan["prevalence_stunting"] == 0.6667
    assert [(r["rank"], r["code"], r["name"]) for r in kecamatan["ranking"]] == [
        (1, PATARUMAN, "Pataruman"),
        (2, HEGARSARI, "Hegarsari"),
    ]
    assert (kota["level"], kota["present"], kota["measured"], kota["stunted"]) == ("kota", 5, 4, 3)
    assert (kota["severely_stunted"], kota["new_stunting"]) == (1, 3)
    assert [r["code"] for r in kota["ranking"]] == ["32.79.02", "32.79.01"]


def test_a_quarter_counts_each_child_once(world: World) -> None:
    got = world.stats("32.79", "2025-Q2")

    assert (got["present"], got["measured"], got["stunted"], got["new_stunting"]) == (5, 4, 3, 3)
    assert world.stats("32.79", "2025")["measured"] == 4


def test_the_month_in_sql_equals_the_sum_of_the_childrens_months(
    world: World, services: Services
) -> None:
    for code in (HEGARSARI, "32.79.02", "32.79"):
        period = parse_period("2025-05")
        fast = figures_now(services.engine, code, period, unit_of(code))
        with snapshot(services.engine) as conn:
            slow = assemble(NowSource(conn, code), code, period, unit_of(code))
        assert fast.figures.total == slow.figures.total
        assert fast.figures.by_sex == slow.figures.by_sex
        assert fast.figures.by_age_band == slow.figures.by_age_band
        assert {k: v.total for k, v in fast.units.items()} == {
            k: v.total for k, v in slow.units.items()
        }


def test_figures_as_known_at_ignore_later_corrections(world: World, services: Services) -> None:
    before = world.stats(HEGARSARI, "2025-05")
    moment = timefmt.to_text(timefmt.utc_now())
    event_id = world.measured[("A", "2025-05-10")]
    body = {
        "measured_on": "2025-05-10",
        "length_cm": length_for("F", date(2025, 5, 10), -1.5),
        "position": "standing",
        "reason": "salah baca",
    }
    corrected = world.client.post(
        f"/v1/children/{world.ids['A']}/measurements/{event_id}/corrections",
        json=body,
        headers=world.headers,
    )
    assert corrected.status_code == 201, corrected.text

    now = world.stats(HEGARSARI, "2025-05")
    by_position = world.stats(HEGARSARI, "2025-05", known_at=str(before["log_position"]))
    by_time = world.stats(HEGARSARI, "2025-05", known_at=moment)

    assert (now["stunted"], now["new_stunting"]) == (1, 1)
    for then in (by_position, by_time):
        assert then["log_position"] == before["log_position"]
        assert {k: then[k] for k in ("present", "measured", "stunted", "new_stunting")} == {
            k: before[k] for k in ("present", "measured", "stunted", "new_stunting")
        }
        assert then["by_age_band"] == before["by_age_band"]


def test_a_move_counts_the_child_where_it_lives_from_the_move_on(world: World) -> None:
    moved = world.client.post(
        f"/v1/children/{world.ids['D']}/moves",
        headers=world.headers,
        json={"to_desa": HEGARSARI, "moved_on": "2025-06-10"},
    )
    assert moved.status_code == 201, moved.text
    world.measure("D", "2025-06-20", -1.0)

    assert world.stats(PATARUMAN, "2025-05")["present"] == 1
    assert world.stats(PATARUMAN, "2025-06")["present"] == 0
    june = world.stats(HEGARSARI, "2025-06")
    assert (june["present"], june["measured"]) == (4, 1)


def test_the_csv_carries_the_same_figures(world: World) -> None:
    answer = world.client.get(
        f"/v1/areas/{HEGARSARI}/stats",
        headers=world.headers,
        params={"period": "2025-05", "format": "csv"},
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["group"] for r in rows][:3] == ["all", "sex=M", "sex=F"]
    assert (rows[0]["present"], rows[0]["stunted"], rows[0]["prevalence_stunting"]) == (
        "3",
        "2",
        "1.0",
    )


def test_a_series_gives_each_month(world: World) -> None:
    answer = world.client.get(
        "/v1/areas/32.79/stats/series",
        headers=world.headers,
        params={"from": "2025-03", "to": "2025-06"},
    )

    assert answer.status_code == 200, answer.text
    months = answer.json()["months"]
    assert [(m["period"], m["measured"]) for m in months] == [
        ("2025-03", 0),
        ("2025-04", 1),
        ("2025-05", 4),
        ("2025-06", 0),
    ]
    assert [m["zero_new_stunting"] for m in months] == [None, True, False, None]


def test_zero_new_stunting_lists_each_desa_per_month(world: World) -> None:
    answer = world.client.get(
        "/v1/areas/32.79.02/zero-new-stunting", headers=world.headers, params={"year": "2025"}
    )

    assert answer.status_code == 200, answer.text
    desa = {d["code"]: d for d in answer.json()["desa"]}
    assert list(desa) == [HEGARSARI, PATARUMAN]
    may = {code: d["months"][4] for code, d in desa.items()}
    assert (may[HEGARSARI]["zero_new_stunting"], may[PATARUMAN]["zero_new_stunting"]) == (
        False,
        True,
    )
    assert len(may[HEGARSARI]["new_cases"]) == 2
    assert desa[PATARUMAN]["months_zero"] == 1
    assert desa[HEGARSARI]["months"][0]["zero_new_stunting"] is None


def test_the_work_queues(world: World) -> None:
    world.measure("C", "2025-06-02", -7.5)  # implausible: flagged, to re-measure

    def queue(name: str, **params: str) -> list[dict[str, Any]]:
        answer = world.client.get(
            f"/v1/areas/32.79.02/queues/{name}", headers=world.headers, params=params
        )
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items

    assert [i["child_id"] for i in queue("not-measured", period="2025-05")] == [world.ids["C"]]
    assert [i["child_id"] for i in queue("remeasure", period="2025-06")] == [world.ids["C"]]
    assert [i["child_id"] for i in queue("stunted")] == [world.ids["B"], world.ids["A"]]


def test_bad_periods_codes_and_known_at_are_clear_422s(world: World) -> None:
    cases = (
        ({"period": "2025-13"}, "period"),
        ({"period": "2025-05", "known_at": "yesterday"}, "known_at"),
        ({"period": "2025-05", "known_at": "999999999"}, "known_at"),
    )
    for params, field in cases:
        answer = world.client.get(
            f"/v1/areas/{HEGARSARI}/stats", headers=world.headers, params=params
        )
        assert answer.status_code == 422, answer.text
        assert [e["field"] for e in answer.json()["errors"]] == [field]
    malformed = world.client.get(
        "/v1/areas/32.7x/stats", headers=world.headers, params={"period": "2025-05"}
    )
    assert malformed.status_code == 422


def test_an_area_outside_the_callers_reach_is_not_found(world: World, mint: Minter) -> None:
    banjar_only = bearer(mint(Role.KECAMATAN, "32.79.01"))

    for code in ("32.79.02", "32.79", HEGARSARI):
        answer = world.client.get(
            f"/v1/areas/{code}/stats", headers=banjar_only, params={"period": "2025-05"}
        )
        assert answer.status_code == 404
    assert (
        world.client.get(
            "/v1/areas/32.79.01/stats", headers=banjar_only, params={"period": "2025-05"}
        ).status_code
        == 200
    )


def test_a_rebuild_stream_by_stream_leaves_what_the_appends_left(
    world: World, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.measure("A", "2025-06-10", -2.1)  # a stream longer than the chunk below
    tables = (child_spans, child_month_rows, children, measurements)

    def contents() -> list[list[tuple[Any, ...]]]:
        with services.engine.connect() as conn:
            return [sorted(tuple(r) for r in conn.execute(select(t))) for t in tables]

    before = contents()
    monkeypatch.setattr(runner, "STREAM_CHUNK", 2)  # streams cut across chunks

    replayed = services.projections.rebuild(services.store)
    assert replayed >= 11
    assert contents() == before

    services.projections.rebuild(services.store, ["figures"])  # reads the child rows back
    assert contents() == before


def test_figures_as_known_at_leave_out_late_entries_moves_and_new_children(
    world: World,
) -> None:
    before = {code: world.stats(code, "2025-05") for code in (HEGARSARI, PATARUMAN, "32.79")}
    position = str(before[HEGARSARI]["log_position"])
    world.measure("C", "2025-05-20", -2.4)  # a late entry
    moved = world.client.post(
        f"/v1/children/{world.ids['D']}/moves",
        headers=world.headers,
        json={"to_desa": HEGARSARI, "moved_on": "2025-05-20"},
    )
    assert moved.status_code == 201, moved.text
    late = {"sex": "M", "birth_date": BORN.isoformat(), "desa": HEGARSARI, "posyandu": "Demo"}
    world.ids["F"] = world.client.post("/v1/children", json=late, headers=world.headers).json()[
        "id"
    ]
    world.measure("F", "2025-05-15", -1.0, sex="M")

    now = world.stats(HEGARSARI, "2025-05")
    assert (now["present"], now["measured"], now["new_stunting"]) == (5, 4, 3)
    for code, then in before.items():
        again = world.stats(code, "2025-05", known_at=position)
        assert {k: v for k, v in again.items() if k not in ("known_at", "new_cases")} == {
            k: v for k, v in then.items() if k not in ("known_at", "new_cases")
        }
        assert [c["child_id"] for c in again["new_cases"]] == [
            c["child_id"] for c in then["new_cases"]
        ]


def test_oedema_counts_as_severely_wasted_until_a_later_normal_whz(world: World) -> None:
    world.measure("C", "2025-05-14", -1.0, weight_kg=10.0, oedema=True)
    may_position = world.stats(HEGARSARI, "2025-05")["log_position"]
    child_in_may = world.client.get(f"/v1/children/{world.ids['C']}", headers=world.headers)
    height = length_for("F", date(2025, 6, 10), -1.0)  # day 740: standing, no adjustment
    world.measure("C", "2025-06-10", -1.0, weight_kg=weight_for("F", height, 0.0))
    child_in_june = world.client.get(f"/v1/children/{world.ids['C']}", headers=world.headers)

    may, june = world.stats(HEGARSARI, "2025-05"), world.stats(HEGARSARI, "2025-06")
    quarter = world.stats("32.79", "2025-Q2")
    quarter_then = world.stats("32.79", "2025-Q2", known_at=str(may_position))

    wasting = ("measured_valid_whz", "wasted", "severely_wasted", "overweight")
    assert [may[k] for k in wasting] == [1, 1, 1, 0]  # A and B were measured without weight
    assert [june[k] for k in wasting] == [1, 0, 0, 0]
    assert [quarter[k] for k in wasting] == [1, 0, 0, 0]  # C's latest: the normal WHZ
    assert [quarter_then[k] for k in wasting] == [1, 1, 1, 0]  # recomputed from the log
    assert world.stats("32.79", "2025-05")["severely_wasted"] == 1
    latest = child_in_may.json()["latest_measurement"]["assessment"]
    assert (child_in_may.json()["wasted"], latest["whz"]) == (True, None)
    assert latest["categories"]["whz"]["code"] == "severely_wasted"
    assert child_in_june.json()["wasted"] is False
    assert abs(child_in_june.json()["latest_measurement"]["assessment"]["whz"]) < 0.2
