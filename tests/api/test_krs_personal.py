"""A KRS family's KK number is personal data: sealed, never in clear in a new event, not
derivable from the family's stream id; families imported before keep their stream, and the
KK number their old events hold in clear is withheld from the feed."""

from __future__ import annotations

import uuid

from api.exchange.krs_import import family_id
from api.services import Services
from domain.access import Role
from domain.sponsor.decider import FAMILY_PREFIX
from domain.sponsor.krs import SOURCE
from events import timefmt
from events.envelope import NO_STREAM, JsonObject, NewEvent
from tests.api.test_area_stats import HEGARSARI, World, world
from tests.api.test_exchange_krs import TOP, line, send
from tests.api.tokens import Minter, bearer

__all__ = ["world"]  # the fixture, used by name
KK = "3279021201230004"  # a KK number's shape: region, date, sequence
ROUND: JsonObject = {"round": "2024", "krs": True, "risks": ["no_safe_water"], "baduta": 1}
ROUND |= {"balita": 2, "pregnant": False}


def test_a_kk_number_is_sealed_and_the_familys_stream_does_not_follow_from_it_alone(
    world: World, services: Services, mint: Minter
) -> None:
    bkkbn = bearer(mint(Role.BKKBN, "32.79"))

    send(world.client, bkkbn, "\n".join([TOP, line(KK)]))

    imported = services.store.read_all(event_types=["family.round_imported"])
    assert len(imported) == 1
    assert KK.encode() not in imported[0].body
    assert "source_id" not in imported[0].payload
    assert imported[0].stream_id != FAMILY_PREFIX + family_id(SOURCE, KK)
    opened = services.store.open_personal(imported)
    assert opened == {imported[0].event_id: {"source_id": KK}}


def test_a_family_imported_before_keeps_its_stream_and_its_kk_number_is_withheld(
    world: World, services: Services, mint: Minter
) -> None:
    stream = FAMILY_PREFIX + family_id(SOURCE, KK)  # as version 1 derived it
    payload: JsonObject = {"source": SOURCE, "source_id": KK, "desa": HEGARSARI, "data": ROUND}
    at = timefmt.utc_now()
    old = NewEvent(str(uuid.uuid4()), "family.round_imported", at, payload, 1, HEGARSARI)
    services.store.append(stream, "family", NO_STREAM, [old])
    bkkbn = bearer(mint(Role.BKKBN, "32.79"))
    auditor = bearer(mint(Role.AUDITOR, "*"))

    report = send(world.client, bkkbn, "\n".join([TOP, line(KK, round_="2025")]))

    assert report["updated"] == 1
    family = stream.removeprefix(FAMILY_PREFIX)
    assert world.client.get(f"/v1/families/{family}", headers=world.headers).status_code == 200
    asked = {"type": "family.round_imported"}
    shown = world.client.get("/v1/events", params=asked, headers=auditor).json()["events"]
    assert [e["payload"].get("source_id") for e in shown] == [None, None]
    assert shown[0]["withheld"] == ["source_id"]
    assert KK not in str(shown)


def test_erasing_the_family_head_erases_the_kk_number_too(
    world: World, services: Services, mint: Minter
) -> None:
    bkkbn = bearer(mint(Role.BKKBN, "32.79"))
    admin = bearer(mint(Role.ADMIN, "*"))
    send(world.client, bkkbn, "\n".join([TOP, line(KK)]))
    imported = services.store.read_all(event_types=["family.round_imported"])
    family = imported[0].stream_id.removeprefix(FAMILY_PREFIX)

    answer = world.client.post(
        f"/v1/families/{family}/erasure", json={"reason": "letter 18/2026"}, headers=admin
    )

    assert answer.status_code == 200, answer.text
    assert services.store.open_personal(imported) == {imported[0].event_id: None}
