"""Indicators out: the dictionary, JSON, CSV and DHIS2 dataValueSet, and known_at, on the
hand-computed Kota Banjar of ``test_area_stats`` (May 2025: A, B in Hegarsari and E in
Banjar stunted, D in Pataruman measured and not, C not measured)."""

from __future__ import annotations

import csv
import io
from typing import Any

from domain.access import Role
from domain.exchange.indicators import DICTIONARY
from tests.api.test_area_stats import BANJAR, HEGARSARI, PATARUMAN, World, world
from tests.api.tokens import Minter, bearer

__all__ = ["world"]  # the fixture, used by name


def get(world: World, headers: dict[str, str], **params: str) -> Any:
    answer = world.client.get(
        "/v1/exchange/indicators",
        headers=headers,
        params={"prefix": "32.79", "period": "2025-05", **params},
    )
    assert answer.status_code == 200, answer.text
    return answer


def test_every_area_gets_every_indicator_with_the_figures_by_hand(
    world: World, mint: Minter
) -> None:
    bkkbn = bearer(mint(Role.BKKBN, "32.79"))

    got = get(world, bkkbn).json()

    value = {(v["org_unit"], v["indicator"]): v["value"] for v in got["values"]}
    units = sorted({v["org_unit"] for v in got["values"]})
    assert units == ["32.79", "32.79.01", BANJAR, "32.79.02", HEGARSARI, PATARUMAN]
    assert len(got["values"]) == len(units) * len(DICTIONARY)
    assert (value["32.79", "TBH-S01"], value["32.79", "TBH-S02"]) == (5, 4)
    assert (value["32.79", "TBH-S05"], value["32.79", "TBH-S07"]) == (3, 0.75)
    assert (value["32.79.02", "TBH-S05"], value[HEGARSARI, "TBH-S08"]) == (2, 2)
    assert (value["32.79", "TBH-S13"], value[PATARUMAN, "TBH-S13"], value[BANJAR, "TBH-S13"]) == (
        1,
        1,
        0,
    )
    assert value["32.79", "TBH-P05"] == 0.0  # 3 stunted, none sponsored
    assert got["log_position"] > 0
    assert "Demo" not in get(world, bkkbn).text


def test_csv_and_a_dhis2_data_value_set_carry_the_same_values(world: World, mint: Minter) -> None:
    bkkbn = bearer(mint(Role.BKKBN, "32.79"))

    table = list(csv.DictReader(io.StringIO(get(world, bkkbn, format="csv").text)))
    dhis2 = get(world, bkkbn, format="dhis2", period="2025-Q2").json()

    row = next(r for r in table if (r["org_unit"], r["indicator"]) == ("32.79.02", "TBH-S05"))
    assert (row["period"], row["value"]) == ("2025-05", "2")
    assert dhis2["period"] == "2025Q2"
    stunted = next(
        d for d in dhis2["dataValues"] if (d["orgUnit"], d["dataElement"]) == ("3279", "TBH-S05")
    )
    assert stunted == {
        "dataElement": "TBH-S05",
        "period": "2025Q2",
        "orgUnit": "3279",
        "value": "3",
    }


def test_known_at_reproduces_a_value_sent_before_a_late_entry(world: World, mint: Minter) -> None:
    bkkbn = bearer(mint(Role.BKKBN, "32.79"))
    sent = get(world, bkkbn)
    position = sent.headers["Tumbuh-Log-Position"]
    world.measure("C", "2025-05-20", -2.9)  # entered late: C stunted in May too

    now = get(world, bkkbn).json()
    then = get(world, bkkbn, known_at=position).json()

    def stunted(answer: dict[str, Any]) -> Any:
        return next(
            v["value"]
            for v in answer["values"]
            if (v["org_unit"], v["indicator"]) == ("32.79", "TBH-S05")
        )

    assert (stunted(sent.json()), stunted(then), stunted(now)) == (3, 3, 4)
    assert then["values"] == sent.json()["values"]


def test_the_dictionary_and_who_may_ask(world: World, mint: Minter) -> None:
    bkkbn = bearer(mint(Role.BKKBN, "32.79"))
    entries = world.client.get("/v1/exchange/indicators/dictionary", headers=bkkbn).json()
    tpps = world.client.get(
        "/v1/exchange/indicators",
        headers=world.headers,
        params={"prefix": "32.79", "period": "2025-05"},
    )
    province = world.client.get(
        "/v1/exchange/indicators", headers=bkkbn, params={"prefix": "32", "period": "2025-05"}
    )

    assert [e["code"] for e in entries] == [i.code for i in DICTIONARY]
    prevalence = next(e for e in entries if e["code"] == "TBH-S07")
    assert (prevalence["numerator"], prevalence["denominator"]) == ("stunted", "measured_valid_haz")
    assert prevalence["name_id"] == "Prevalensi stunting"
    assert tpps.status_code == 403
    assert province.status_code == 422
