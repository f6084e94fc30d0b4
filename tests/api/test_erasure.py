"""Erasure at a person's request (UU PDP): every key of hers destroyed, everywhere she is named,
no copy left in the database's files, the chain intact, the erasure itself recorded."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from api.services import Services
from domain.access import Role
from domain.child.events import ChildPersonal, ChildRegistered
from events import timefmt
from events.envelope import NO_STREAM
from events.schema import subject_keys
from tests.api.test_area_stats import World, world
from tests.api.test_children import CHILD, MOTHER, MOTHER_NIK, NAME, NIK, kader, register
from tests.api.test_meetings import Clock, clock, rakor
from tests.api.tokens import DESA, Minter, bearer

__all__ = ["clock", "kader", "world"]  # fixtures, used by name
REASON = {"reason": "request of the data subject, letter 17/2026"}
FAMILY: dict[str, Any] = {
    "desa": DESA,
    "krs": True,
    "risks": ["no_latrine"],
    "personal": {"head_name": "Kepala Demo Satu", "nik": "3279020101800003"},
}


@pytest.fixture
def admin(mint: Minter) -> dict[str, str]:
    """The installation's admin: the only role that holds pii:erase by default."""
    return bearer(mint(Role.ADMIN, "*"))


@pytest.fixture
def tpps(mint: Minter) -> dict[str, str]:
    """A TPPS officer of all of Kota Banjar: registers families and sponsors."""
    return bearer(mint(Role.TPPS, "32.79"))


def register_family(client: TestClient, tpps: dict[str, str], body: dict[str, Any]) -> str:
    """Register the family ``body``: its id."""
    registered = client.post("/v1/families", json=body, headers=tpps)
    assert registered.status_code == 201, registered.text
    return str(registered.json()["id"])


def _stored_wrapped_keys(services: Services) -> dict[str, bytes]:
    with services.engine.connect() as conn:
        rows = conn.execute(select(subject_keys.c.key_id, subject_keys.c.wrapped_key))
        return {k: bytes(w) for k, w in rows if w is not None}


def _database_bytes(services: Services) -> bytes:
    """Every byte of the files the database keeps for the key table (SQLite: the database
    and its write-ahead log; PostgreSQL: the table's file, after a checkpoint)."""
    url = make_url(services.settings.database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        files = [path, path.with_name(path.name + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        row = conn.execute("SELECT pg_relation_filepath('subject_keys')").fetchone()
        assert row is not None
        data = conn.execute("SELECT pg_read_binary_file(%s)", (row[0],)).fetchone()
        assert data is not None
        return bytes(data[0])


def test_erasing_a_child_erases_its_part_everywhere_and_keeps_the_chain(
    client: TestClient, services: Services, kader: dict[str, str], admin: dict[str, str]
) -> None:
    child = register(client, kader)["id"]

    answer = client.post(f"/v1/children/{child}/erasure", json=REASON, headers=admin)

    assert answer.status_code == 200, answer.text
    assert answer.json()["person"] == "child"
    assert answer.json()["keys_erased"] == 1
    personal = client.get(f"/v1/children/{child}", headers=kader).json()["personal"]
    assert (personal["name"], personal["nik"], personal["address"]) == (None, None, None)
    assert (personal["mother_name"], personal["erased"]) == (MOTHER, ["child"])
    assert services.store.verify().ok
    recorded = services.store.read_all(event_types=["access.personal_erased"])
    assert [e.payload["reason"] for e in recorded] == [REASON["reason"]]
    assert NAME.encode() not in recorded[0].body
    assert NIK.encode() not in recorded[0].body


def test_a_mother_named_by_her_child_and_her_family_is_erased_from_both_at_once(
    client: TestClient,
    services: Services,
    kader: dict[str, str],
    admin: dict[str, str],
    tpps: dict[str, str],
) -> None:
    child = register(client, kader)["id"]
    mother = {"status": "breastfeeding", "personal": {"name": MOTHER, "nik": MOTHER_NIK}}
    family_stream = "family-" + register_family(client, tpps, {**FAMILY, "mothers": [mother]})

    answer = client.post(f"/v1/children/{child}/mother/erasure", json=REASON, headers=admin)

    assert answer.status_code == 200, answer.text
    assert set(answer.json()["streams"]) == {f"child-{child}", family_stream}
    personal = client.get(f"/v1/children/{child}", headers=kader).json()["personal"]
    assert (personal["name"], personal["mother_name"], personal["mother_nik"]) == (
        NAME,
        None,
        None,
    )
    assert personal["erased"] == ["mother"]
    recorded = [e for e in services.store.read_stream(family_stream) if e.personal]
    opened = services.store.open_personal(recorded)
    assert [p for p in opened.values() if p and p.get("name") == MOTHER] == []
    assert any(p and p.get("head_name") for p in opened.values())  # the head is not erased


def test_an_erased_key_leaves_no_copy_in_the_database_files(
    client: TestClient, services: Services, kader: dict[str, str], admin: dict[str, str]
) -> None:
    child = register(client, kader)["id"]
    before = _stored_wrapped_keys(services)
    assert all(w in _database_bytes(services) for w in before.values())

    answer = client.post(f"/v1/children/{child}/erasure", json=REASON, headers=admin)

    assert answer.json()["cleared"]
    erased = before.keys() - _stored_wrapped_keys(services).keys()
    assert len(erased) == 1
    assert before[erased.pop()] not in _database_bytes(services)


def test_erasure_needs_the_pii_erase_scope_and_the_record_in_reach(
    client: TestClient, kader: dict[str, str], mint: Minter
) -> None:
    child = register(client, kader)["id"]
    tpps = bearer(mint(Role.TPPS, "32.79"))
    elsewhere = bearer(mint(Role.ADMIN, "63.72"))

    refused = client.post(f"/v1/children/{child}/erasure", json=REASON, headers=tpps)
    hidden = client.post(f"/v1/children/{child}/erasure", json=REASON, headers=elsewhere)

    assert refused.status_code == 403
    assert hidden.status_code == 404


def test_erasing_twice_is_a_conflict_and_new_personal_data_for_her_is_refused(
    client: TestClient, kader: dict[str, str], admin: dict[str, str]
) -> None:
    child = register(client, kader)["id"]
    client.post(f"/v1/children/{child}/erasure", json=REASON, headers=admin)

    again = client.post(f"/v1/children/{child}/erasure", json=REASON, headers=admin)
    rewritten = client.post(
        f"/v1/children/{child}/corrections",
        json={"reason": "typo", "personal": CHILD["personal"]},
        headers=kader,
    )

    assert again.status_code == 409
    assert rewritten.status_code == 422
    assert "erased" in rewritten.json()["detail"]


def test_events_sealed_before_keys_were_per_person_are_found_and_erased_too(
    client: TestClient, services: Services, kader: dict[str, str], admin: dict[str, str]
) -> None:
    """A registration sealed whole under the child's stream key (as every event was before):
    erasing its mother, named by NIK in a newer record, erases that key too."""
    old = "0190f5a4-0000-7000-8000-00000000abcd"
    registration = {"sex": "M", "birth_date": "2024-03-05", "desa": DESA, "posyandu": "Melati 1"}
    fact = ChildRegistered(
        occurred_at=timefmt.utc_now(),
        wilayah=DESA,
        personal=ChildPersonal(**CHILD["personal"]),
        **registration,
    )
    event_id = "0190f5a4-0000-7000-8000-00000000abce"
    whole = dataclasses.replace(services.registry.to_new(fact, event_id, {}), parts=())
    services.store.append(f"child-{old}", "child", NO_STREAM, [whole])
    assert services.store.open_personal(services.store.read_stream(f"child-{old}")) == {
        whole.event_id: CHILD["personal"]
    }
    newer = register(client, kader)["id"]  # the same mother, by her NIK

    answer = client.post(f"/v1/children/{newer}/mother/erasure", json=REASON, headers=admin)

    assert set(answer.json()["streams"]) == {f"child-{old}", f"child-{newer}"}
    assert services.store.open_personal(services.store.read_stream(f"child-{old}")) == {
        whole.event_id: None
    }
    kept = client.get(f"/v1/children/{newer}", headers=kader).json()["personal"]
    assert kept["name"] == NAME  # the newer record's child keeps her own key


@pytest.mark.usefixtures("kader")  # registers the desa the family lives in
def test_a_family_head_and_a_sponsor_can_each_be_erased(
    client: TestClient, services: Services, admin: dict[str, str], tpps: dict[str, str]
) -> None:
    family = register_family(client, tpps, FAMILY)
    sponsor_body = {"kind": "individu", "areas": [DESA], "personal": {"person": "Donatur Demo"}}
    sponsor = client.post("/v1/sponsors", json=sponsor_body, headers=tpps).json()["id"]

    head = client.post(f"/v1/families/{family}/erasure", json=REASON, headers=admin)
    donor = client.post(f"/v1/sponsors/{sponsor}/erasure", json=REASON, headers=admin)

    assert (head.status_code, head.json()["person"]) == (200, "head")
    assert (donor.status_code, donor.json()["person"]) == (200, "sponsor")
    shown_family = client.get(f"/v1/families/{family}", headers=tpps).json()
    shown_sponsor = client.get(f"/v1/sponsors/{sponsor}", headers=tpps).json()
    assert (shown_family["personal"], shown_family["erased"]) == (None, ["head"])
    assert (shown_sponsor["personal"], shown_sponsor["erased"]) == (None, ["sponsor"])
    assert services.store.verify().ok


def test_an_official_is_erased_from_every_meeting_that_names_him(
    world: World, clock: Clock, admin: dict[str, str], services: Services
) -> None:
    first, second = rakor(world, clock, "2025-06-03"), rakor(world, clock, "2025-07-01")

    answer = world.client.post(
        f"/v1/meetings/{first}/officials/1/erasure", json=REASON, headers=admin
    )

    assert answer.status_code == 200, answer.text
    assert set(answer.json()["streams"]) == {f"meeting-{first}", f"meeting-{second}"}
    for meeting in (first, second):
        shown = world.client.get(f"/v1/meetings/{meeting}", headers=world.headers).json()
        assert shown["officials"] == []  # shown with pii:read: nobody left to name
    assert services.store.verify().ok
