"""KRS family lists in (``POST /v1/exchange/krs`` and ``tumbuh import krs``): created,
updated, unchanged and refused rows, idempotence, whole-file refusals, reach."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app
from api.services import Services
from domain.access import Role
from domain.sponsor.krs import HEADER, MAX_ROWS
from tests.api.test_area_stats import BANJAR, HEGARSARI, PATARUMAN, World, world
from tests.api.tokens import Minter, bearer
from tests.conftest import TEST_MASTER_KEY

__all__ = ["world"]  # the fixture, used by name
TOP = ",".join(HEADER)


def line(
    family: str,
    desa: str = HEGARSARI,
    round_: str = "2024",
    *,
    risks: str = "1,0,0,0,0,0",
    counts: str = "1,2,0",
) -> str:
    return f"{family},{desa},{round_},{risks},{counts}"


def send(client: TestClient, headers: dict[str, str], text: str, status: int = 200) -> Any:
    answer = client.post(
        "/v1/exchange/krs", content=text.encode(), headers={**headers, "Content-Type": "text/csv"}
    )
    assert answer.status_code == status, answer.text
    return answer.json()


def test_a_round_creates_families_again_changes_nothing_and_a_new_round_updates(
    world: World, services: Services, mint: Minter
) -> None:
    bkkbn = bearer(mint(Role.BKKBN, "32.79"))
    first = "\n".join(
        [
            TOP,
            line("PK-1"),
            line("PK-2", PATARUMAN, risks="0,0,0,0,0,0"),
            line("PK-3", BANJAR, counts="0,0,1"),
        ]
    )

    created = send(world.client, bkkbn, first)
    head = services.store.head().position
    again = send(world.client, bkkbn, first)
    assert services.store.head().position == head
    later = send(
        world.client,
        bkkbn,
        "\n".join(
            [
                TOP,
                line("PK-1", round_="2025", risks="0,0,0,0,0,0"),
                line("PK-2", PATARUMAN, risks="0,0,0,0,0,0"),
            ]
        ),
    )

    assert created == {"created": 3, "updated": 0, "unchanged": 0, "refused": []}
    assert again == {"created": 0, "updated": 0, "unchanged": 3, "refused": []}
    assert later == {"created": 0, "updated": 1, "unchanged": 1, "refused": []}
    families = {
        f["desa"]: f
        for f in world.client.get("/v1/families", headers=world.headers).json()["items"]
    }
    assert families[HEGARSARI]["krs"] is False  # the 2025 round has no risk factor left
    assert families[BANJAR]["krs"] is True  # pregnant, no latrine
    assert families[PATARUMAN]["krs"] is False


def test_bad_rows_are_refused_with_their_reason_and_the_good_ones_stored(
    world: World, mint: Minter
) -> None:
    bkkbn = bearer(mint(Role.BKKBN, "32.79.02"))
    rows = [
        TOP,
        line("PK-1"),
        line("PK-2", "32.79.02.99"),  # not a desa code
        line("PK-3", "32.79.02.2999"),  # no such desa registered
        line("PK-1"),  # the same family again
        line("PK-4", risks="2,0,0,0,0,0"),
        line("PK-5", counts="3,2,0"),  # more baduta than balita
        line("PK-6", BANJAR),  # outside the caller's reach
        "PK-7,32.79.02.1001,2024,1,0",  # too few cells
    ]

    got = send(world.client, bkkbn, "\n".join(rows))

    assert (got["created"], got["updated"], got["unchanged"]) == (1, 0, 0)
    reasons = {r["row"]: r["reason"] for r in got["refused"]}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8]
    assert reasons[2].startswith("desa: an area code looks like")
    assert reasons[3] == "there is no registered desa with this code"
    assert reasons[4] == "family_id repeats row 1"
    assert reasons[5] == "no_safe_water is 0 or 1"
    assert "baduta" in reasons[6]
    assert reasons[7] == "the desa is outside your reach"
    assert "cells" in reasons[8]


def test_a_wrong_header_or_too_many_rows_refuses_the_whole_file(
    world: World, services: Services, mint: Minter
) -> None:
    bkkbn = bearer(mint(Role.BKKBN, "32.79"))
    head = services.store.head().position
    wrong = send(world.client, bkkbn, "family,desa\nPK-1,32.79.02.1001", status=422)
    many = "\n".join([TOP, *(line(f"PK-{n}") for n in range(MAX_ROWS + 1))])
    too_many = send(world.client, bkkbn, many, status=413)
    other_type = world.client.post(
        "/v1/exchange/krs", content=b"<xml/>", headers={**bkkbn, "Content-Type": "application/xml"}
    )
    tpps = world.client.post(
        "/v1/exchange/krs",
        content=TOP.encode(),
        headers={**world.headers, "Content-Type": "text/csv"},
    )

    assert wrong["detail"].startswith("the header is: family_id,desa,round")
    assert too_many["status"] == 413
    assert other_type.status_code == 422
    assert tpps.status_code == 403
    assert services.store.head().position == head


def test_json_objects_with_the_same_keys_are_accepted(world: World, mint: Minter) -> None:
    bkkbn = bearer(mint(Role.BKKBN, "32.79"))
    row = dict(zip(HEADER, line("PK-9").split(","), strict=True)) | {"pregnant": True}
    answer = world.client.post(
        "/v1/exchange/krs",
        content=orjson.dumps([row]),
        headers={**bkkbn, "Content-Type": "application/json"},
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == 1


def test_the_cli_imports_a_file_with_a_progress_bar_and_again_changes_nothing(
    world: World, services: Services, tmp_path: Path
) -> None:
    path = tmp_path / "krs.csv"
    path.write_text(
        "\n".join([TOP, *(line(f"PK-{n}") for n in range(30)), line("PK-x", "bad")]),
        encoding="utf-8",
    )
    env = {
        "TUMBUH_DATABASE_URL": services.settings.database_url,
        "TUMBUH_MASTER_KEY": TEST_MASTER_KEY,
    }

    first = CliRunner().invoke(app, ["import", "krs", str(path), "--chunk", "7"], env=env)
    again = CliRunner().invoke(app, ["import", "krs", str(path)], env=env)

    assert first.exit_code == 0, first.output
    assert "created 30, updated 0, unchanged 0, refused 1" in first.output
    assert "row 31:" in first.output
    assert "unchanged 30" in again.output


def test_a_file_of_ten_thousand_rows_is_taken_in_one_request(world: World, mint: Minter) -> None:
    bkkbn = bearer(mint(Role.BKKBN, "32.79"))
    desa = (HEGARSARI, PATARUMAN, BANJAR)
    text = "\n".join([TOP, *(line(f"PK-{n}", desa[n % 3]) for n in range(10_000))])

    got = send(world.client, bkkbn, text)

    assert got == {"created": 10_000, "updated": 0, "unchanged": 0, "refused": []}


def test_a_file_with_old_mac_line_endings_is_read_like_any_other(
    world: World, mint: Minter
) -> None:
    bkkbn = bearer(mint(Role.BKKBN, "32.79"))
    rows = [TOP, line("PK-CR-1"), line("PK-CR-2")]

    crlf = send(world.client, bkkbn, "\r\n".join(rows[:2]))
    cr_only = send(world.client, bkkbn, "\r".join([rows[0], rows[2]]) + "\r")

    assert (crlf["created"], crlf["refused"]) == (1, [])
    assert (cr_only["created"], cr_only["refused"]) == (1, [])


def test_a_file_the_csv_reader_cannot_read_is_refused_naming_the_body(
    world: World, mint: Minter
) -> None:
    bkkbn = bearer(mint(Role.BKKBN, "32.79"))

    refused = send(world.client, bkkbn, TOP + '\n"PK-1,32.79.02.1001', status=422)

    assert refused["errors"][0]["field"] == "body"
