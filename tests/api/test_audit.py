"""The audit trail over HTTP: the feed, NDJSON export, long-poll, stream histories, the
signed head, the server's chain check and the read-access log."""

from __future__ import annotations

import json
import threading
import time
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jose import jws as jose_jws

from api.services import Services
from domain.access import Role
from events.chain import GENESIS_HASH
from events.envelope import RecordedEvent
from tests.api.test_children import CHILD, MEASUREMENT, MOTHER_NIK, NAME, NIK, kader, register
from tests.api.tokens import DESA, Minter, bearer, password_hash
from tests.support.tamper import drop_guard, raw
from tests.support.verifier import verifier

__all__ = ["kader"]  # the fixture, imported for these tests
ENVELOPE = {
    "position",
    "event_id",
    "stream_id",
    "stream_type",
    "version",
    "type",
    "schema_version",
    "occurred_at",
    "recorded_at",
    "wilayah",
    "payload",
    "personal",
    "meta",
    "prev_hash",
    "hash",
}


@pytest.fixture
def auditor(mint: Minter) -> dict[str, str]:
    """An auditor whose reach is the whole installation."""
    return bearer(mint(Role.AUDITOR, "*"))


@pytest.fixture
def recorded(client: TestClient, services: Services, kader: dict[str, str]) -> list[str]:
    """Two children of the demo desa, one measured: their ids (the kader's reads logged)."""
    first = register(client, kader)["id"]
    second = register(client, kader, birth_date="2023-11-20")["id"]
    response = client.post(f"/v1/children/{first}/measurements", json=MEASUREMENT, headers=kader)
    assert response.status_code == 201
    services.access_log.flush()
    return [first, second]


def _all(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    shown: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        query = {**params, **({"after": after} if after else {})}
        response = client.get("/v1/events", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        shown += page["events"]
        after = page["next"]
        if after is None:
            return shown


def _stored(services: Services) -> list[RecordedEvent]:
    return services.store.read_all(limit=100_000)


def test_the_feed_pages_through_the_whole_log_as_stored_envelopes(
    client: TestClient, services: Services, auditor: dict[str, str], recorded: list[str]
) -> None:
    shown = _all(client, auditor, limit=3)
    stored = _stored(services)

    assert [e["position"] for e in shown] == [e.position for e in stored]
    assert all(set(e) >= ENVELOPE for e in shown)
    measured = next(e for e in shown if e["type"] == "child.measurement_recorded")
    original = next(e for e in stored if e.event_type == "child.measurement_recorded")
    assert measured["payload"]["measurement"]["weight_kg"] == 9.1
    assert (measured["version"], measured["hash"], measured["prev_hash"]) == (
        original.stream_version,
        original.hash,
        original.prev_hash,
    )
    assert shown[0]["prev_hash"] == GENESIS_HASH


def test_a_page_that_reaches_the_head_has_no_next_cursor(
    client: TestClient, auditor: dict[str, str], recorded: list[str]
) -> None:
    full = client.get("/v1/events", params={"limit": 1000}, headers=auditor).json()
    head = full["events"][-1]["position"]

    page = client.get("/v1/events", params={"after": head - 2, "limit": 2}, headers=auditor)
    beyond = client.get("/v1/events", params={"after": head}, headers=auditor)

    assert page.json()["next"] == str(head)
    assert beyond.json() == {"events": [], "next": None}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "abc"}, "after"),
        ({"after": "-1"}, "after"),
        ({"limit": 1001}, "limit"),
        ({"limit": 0}, "limit"),
        ({"wilayah": "32.79.0x"}, "wilayah"),
        ({"wait": 31}, "wait"),
    ],
)
def test_bad_cursors_and_limits_are_refused_naming_the_field(
    client: TestClient, auditor: dict[str, str], params: dict[str, Any], field: str
) -> None:
    response = client.get("/v1/events", params=params, headers=auditor)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}


def test_the_feed_needs_the_events_read_scope(client: TestClient, kader: dict[str, str]) -> None:
    assert client.get("/v1/events", headers=kader).status_code == 403


def test_a_reader_sees_only_events_inside_its_reach(
    client: TestClient, mint: Minter, auditor: dict[str, str], recorded: list[str]
) -> None:
    local = bearer(mint(Role.AUDITOR, "32.79.02"))
    elsewhere = bearer(mint(Role.AUDITOR, "32.79.01"))

    everything = _all(client, auditor)
    mine = _all(client, local)

    assert {e["wilayah"] for e in mine} == {DESA}  # principals (no wilayah) are not shown
    assert len(mine) == sum(1 for e in everything if e["wilayah"] == DESA)
    assert all(e["wilayah"] != DESA for e in _all(client, elsewhere))
    refused = client.get("/v1/events", params={"wilayah": "32.79.01"}, headers=local)
    assert refused.status_code == 404


def test_filters_by_stream_type_event_type_and_area(
    client: TestClient, auditor: dict[str, str], recorded: list[str]
) -> None:
    children = _all(client, auditor, stream_type="child")
    measured = _all(client, auditor, type="child.measurement_recorded")
    in_desa = _all(client, auditor, wilayah="32.79.02", stream_type=["child", "desa"])

    assert {e["stream_type"] for e in children} == {"child"}
    assert [e["type"] for e in measured] == ["child.measurement_recorded"]
    assert len(children) == 3
    assert {e["stream_type"] for e in in_desa} <= {"child", "desa"}
    assert all(e["wilayah"].startswith("32.79.02") for e in in_desa)


def test_personal_data_and_secret_hashes_never_appear_in_the_feed(
    client: TestClient, auditor: dict[str, str], recorded: list[str]
) -> None:
    response = client.get("/v1/events", headers={**auditor, "Accept": "application/x-ndjson"})
    shown = [json.loads(line) for line in response.text.splitlines()]

    for secret in (NAME, NIK, MOTHER_NIK, CHILD["personal"]["address"], password_hash()):
        assert secret not in response.text
    registered = next(e for e in shown if e["type"] == "child.registered")
    parts = registered["personal"]["parts"]
    assert [p["subject"] for p in parts] == ["child", "mother"]  # each under her own key
    assert all(set(p) == {"subject", "key_id", "ciphertext"} for p in parts)
    created = [e for e in shown if e["type"] == "principal.created"]
    assert created
    assert all(e["payload"]["secret_hash"] is None for e in created)
    assert all(e["withheld"] == ["secret_hash"] for e in created)


def test_the_ndjson_export_is_the_log_and_the_independent_verifier_accepts_it(
    client: TestClient, services: Services, auditor: dict[str, str], recorded: list[str]
) -> None:
    response = client.get("/v1/events", headers={**auditor, "Accept": "application/x-ndjson"})
    lines = response.text.splitlines()

    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert response.headers["Tumbuh-Log-Position"] == str(len(_stored(services)))
    assert [json.loads(line) for line in lines] == _all(client, auditor)
    verdict = verifier().walk(lines)
    assert (verdict.ok, verdict.checked) == (True, len(lines))
    assert verdict.withheld == sum(1 for line in lines if '"withheld"' in line)


def test_an_ndjson_export_honours_after_and_limit(
    client: TestClient, auditor: dict[str, str], recorded: list[str]
) -> None:
    headers = {**auditor, "Accept": "application/x-ndjson"}

    response = client.get("/v1/events", params={"after": 2, "limit": 3}, headers=headers)

    assert [json.loads(x)["position"] for x in response.text.splitlines()] == [3, 4, 5]


def test_long_poll_returns_as_soon_as_an_event_is_appended(
    client: TestClient, auditor: dict[str, str], kader: dict[str, str], recorded: list[str]
) -> None:
    head = _all(client, auditor)[-1]["position"]
    writer = threading.Timer(0.3, lambda: register(client, kader))
    writer.start()
    began = time.monotonic()

    response = client.get(
        "/v1/events", params={"after": head, "wait": 10, "stream_type": "child"}, headers=auditor
    )

    waited = time.monotonic() - began
    writer.join()
    shown = response.json()["events"]
    assert [e["type"] for e in shown] == ["child.registered"]
    assert shown[0]["position"] > head
    assert 0.25 < waited < 5


def test_long_poll_answers_empty_when_nothing_comes(
    client: TestClient, auditor: dict[str, str], recorded: list[str]
) -> None:
    head = _all(client, auditor)[-1]["position"]
    began = time.monotonic()

    response = client.get("/v1/events", params={"after": head, "wait": 1}, headers=auditor)

    assert response.json() == {"events": [], "next": None}
    assert 0.9 < time.monotonic() - began < 4


def test_a_stream_history_lists_each_version(
    client: TestClient, mint: Minter, auditor: dict[str, str], recorded: list[str]
) -> None:
    stream = f"child-{recorded[0]}"

    history = client.get(f"/v1/streams/{stream}", headers=auditor)
    elsewhere = bearer(mint(Role.AUDITOR, "32.79.01"))

    assert history.status_code == 200
    assert [(e["version"], e["type"]) for e in history.json()["events"]] == [
        (1, "child.registered"),
        (2, "child.measurement_recorded"),
    ]
    assert client.get(f"/v1/streams/{stream}", headers=elsewhere).status_code == 404
    missing = client.get("/v1/streams/child-nobody", headers=auditor)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_the_signed_head_names_the_last_event_and_verifies_with_the_published_key(
    client: TestClient, services: Services, auditor: dict[str, str], recorded: list[str]
) -> None:
    head = client.get("/v1/audit/head", headers=auditor).json()
    jwks = client.get("/.well-known/jwks.json").json()

    last = _stored(services)[-1]
    assert (head["position"], head["hash"]) == (last.position, last.hash)
    signed = verifier().check_jws(head["jws"], jwks)
    assert {k: signed[k] for k in ("position", "hash", "at")} == {
        k: head[k] for k in ("position", "hash", "at")
    }
    key = jwks["keys"][0]
    assert orjson.loads(jose_jws.verify(head["jws"], key, algorithms=[key["alg"]])) == signed


def test_the_servers_chain_check_reports_the_first_bad_position(
    client: TestClient, services: Services, auditor: dict[str, str], recorded: list[str]
) -> None:
    clean = client.get("/v1/audit/verify", headers=auditor).json()
    count = len(_stored(services))
    drop_guard(services.engine)
    raw(services.engine, "DELETE FROM events WHERE position = 3")

    broken = client.get("/v1/audit/verify", headers=auditor).json()
    before = client.get("/v1/audit/verify", params={"from": 1, "to": 2}, headers=auditor).json()

    assert clean == {"ok": True, "checked": count, "first_bad_position": None, "reason": None}
    assert (broken["ok"], broken["first_bad_position"], broken["checked"]) == (False, 3, 2)
    assert "missing" in broken["reason"]
    assert before["ok"] is True


@pytest.mark.parametrize("params", [{"from": 5, "to": 4}, {"from": 99}, {"to": 99}])
def test_a_verify_range_outside_the_log_is_refused(
    client: TestClient, auditor: dict[str, str], recorded: list[str], params: dict[str, int]
) -> None:
    response = client.get("/v1/audit/verify", params=params, headers=auditor)

    assert response.status_code == 422


def test_every_unmasked_read_of_personal_data_is_recorded_and_masked_reads_are_not(
    client: TestClient,
    services: Services,
    mint: Minter,
    auditor: dict[str, str],
    recorded: list[str],
) -> None:
    tpps = mint(Role.TPPS, DESA, name="tpps-reader")
    masked = mint(Role.AUDITOR, DESA, name="masked-reader")
    child = recorded[0]
    services.access_log.flush()
    before = len(_stored(services))

    for token in (tpps, tpps, masked):
        assert client.get(f"/v1/children/{child}", headers=bearer(token)).status_code == 200
    services.access_log.flush()

    reads = [e for e in _stored(services)[before:] if e.event_type == "access.personal_read"]
    assert [(e.stream_id, e.meta["actor"], e.payload["subject"], e.wilayah) for e in reads] == [
        ("access-tpps-reader", "tpps-reader", f"child-{child}", DESA)
    ] * 2
    assert reads[0].payload["route"] == "/v1/children/{child_id}"
    assert all(NAME not in e.body.decode() and NIK not in e.body.decode() for e in reads)
    assert services.access_log.pending() == 0


def test_reads_are_queued_not_written_while_the_answer_is_made(
    client: TestClient, services: Services, mint: Minter, recorded: list[str]
) -> None:
    services.access_log.flush()
    before = len(_stored(services))
    tpps = bearer(mint(Role.TPPS, DESA, name="tpps-queued"))
    registered = len(_stored(services))

    client.get(f"/v1/children/{recorded[0]}", headers=tpps)

    assert services.access_log.pending() == 1
    assert len(_stored(services)) == registered
    assert services.access_log.flush() == 1
    assert len(_stored(services)) == registered + 1 > before


def test_reads_that_could_not_be_appended_stay_queued_for_the_next_flush(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = services.access_log
    log.record("tpps-1", {"actor": "tpps-1"}, "child-x", DESA, "/v1/children/{child_id}")

    def refuse(*_: object) -> None:
        raise ConnectionError("the database is away")

    monkeypatch.setattr(services.store, "append_streams", refuse)
    with pytest.raises(ConnectionError):
        log.flush()
    assert log.pending() == 1
    monkeypatch.undo()

    assert log.flush() == 1
    assert _stored(services)[-1].event_type == "access.personal_read"


def test_the_background_flush_appends_queued_reads_within_a_second(
    client: TestClient, services: Services, mint: Minter, recorded: list[str]
) -> None:
    tpps = bearer(mint(Role.TPPS, DESA, name="tpps-background"))
    client.get(f"/v1/children/{recorded[0]}", headers=tpps)
    assert services.access_log.pending() == 1

    services.access_log.start()
    deadline = time.monotonic() + 5
    while services.access_log.pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    services.access_log.stop()

    assert services.access_log.pending() == 0
    assert _stored(services)[-1].stream_id == "access-tpps-background"


def test_a_signed_head_is_not_an_access_token(
    client: TestClient, auditor: dict[str, str], recorded: list[str]
) -> None:
    head = client.get("/v1/audit/head", headers=auditor).json()

    for route in ("/v1/events", f"/v1/children/{recorded[0]}"):
        assert client.get(route, headers=bearer(head["jws"])).status_code == 401


_ODD = st.text(st.characters(codec="utf-8"), max_size=24)
_ODD = _ODD | _ODD.map(lambda text: text + "\x00")  # PostgreSQL text cannot hold NUL


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    after=_ODD | st.integers(-5, 10**20).map(str),
    limit=_ODD | st.integers(-5, 2000).map(str),
    kind=_ODD,
    area=_ODD,
    stream=_ODD,
)
def test_any_query_is_answered_or_refused_never_a_server_error(
    client: TestClient,
    auditor: dict[str, str],
    after: str,
    limit: str,
    kind: str,
    area: str,
    stream: str,
) -> None:
    params = {"after": after, "limit": limit, "type": kind, "wilayah": area}

    listed = client.get("/v1/events", params=params, headers=auditor)
    history = client.get(f"/v1/streams/{quote(stream, safe='')}", headers=auditor)
    checked = client.get("/v1/audit/verify", params={"from": after, "to": limit}, headers=auditor)

    assert listed.status_code in (200, 404, 422), listed.text
    assert history.status_code in (200, 404, 422), history.text
    assert checked.status_code in (200, 422), checked.text


@pytest.mark.parametrize("where", ["query", "path", "body"])
def test_a_nul_character_anywhere_is_refused_before_any_route(
    client: TestClient,
    services: Services,
    auditor: dict[str, str],
    kader: dict[str, str],
    where: str,
) -> None:
    before = services.store.head().position
    if where == "query":
        answer = client.get("/v1/events?type=a%00b", headers=auditor)
    elif where == "path":
        answer = client.get("/v1/streams/child-%00", headers=auditor)
    else:
        answer = client.post(
            "/v1/children",
            headers={**kader, "Content-Type": "application/json"},
            content=orjson.dumps({**CHILD, "posyandu": "Melati\x00"}),
        )

    assert answer.status_code == 422
    assert answer.json()["type"].endswith("/nul-character")
    assert services.store.head().position == before
