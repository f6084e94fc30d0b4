"""The independent verifier (tools/verify_export.py) against a tampered database.

The same attacks as test_tampering.py (which shows the server's check), each caught by the
verifier from an NDJSON export alone; the truncate-and-forge attack only by comparing with
a head signed before it. Also: the verifier's canonical form equals the store's for any
JSON, and its standard-library signature checks accept real signatures and refuse others.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jose import jwk
from jose import jws as jose_jws

from events import feed
from events.chain import link_hash
from events.envelope import ANY, NO_STREAM, Head, JsonObject, StreamAppend
from events.store import SqlEventStore
from tests.integration.conftest import new_event
from tests.support.tamper import drop_guard, raw, swap
from tests.support.verifier import verifier

EVERYONE = feed.Selection(reach=("*",))


@pytest.fixture(autouse=True, params=["orjson", "json"])
def encoder(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every test with orjson's first try and with the standard library's alone."""
    switch = verifier().ACCELERATED
    before, switch[0] = switch[0], request.param == "orjson"
    yield request.param
    switch[0] = before


def _lines(chunks: Iterable[bytes]) -> list[str]:
    # NDJSON lines end at "\n" only (str.splitlines would also split at U+0085 and others).
    return b"".join(chunks).decode().split("\n")[:-1]


def _export(store: SqlEventStore) -> list[str]:
    return _lines(feed.export(store.engine, EVERYONE, 0, feed.head_position(store.engine)))


@pytest.fixture
def five(store: SqlEventStore) -> SqlEventStore:
    """Five events in two streams; the export verifies; then the guard is dropped."""
    store.append("a", "tally", NO_STREAM, [new_event(f"a{i}", {"kg": 9.5}) for i in range(3)])
    store.append("b", "tally", NO_STREAM, [new_event(f"b{i}") for i in range(2)])
    assert verifier().walk(_export(store)).ok
    drop_guard(store.engine)
    return store


def test_an_untouched_export_verifies_even_with_the_guard_dropped(five: SqlEventStore) -> None:
    verdict = verifier().walk(_export(five))

    assert (verdict.ok, verdict.checked, verdict.last_position) == (True, 5, 5)


@pytest.mark.parametrize(
    ("new", "reason"), [(b'"kg":9.6', "changed content"), (b'"kg":9.', "changed content")]
)
def test_a_changed_byte_in_a_body_is_found(five: SqlEventStore, new: bytes, reason: str) -> None:
    body = five.read_all()[2].body.replace(b'"kg":9.5', new)  # the second breaks the JSON
    raw(five.engine, "UPDATE events SET body = :b WHERE position = 3", b=body)

    verdict = verifier().walk(_export(five))

    assert (verdict.ok, verdict.first_bad_position, verdict.checked) == (False, 3, 2)
    assert reason in verdict.reason


def test_a_deleted_row_is_found_as_absent_at_its_own_position(five: SqlEventStore) -> None:
    raw(five.engine, "DELETE FROM events WHERE position = 2")

    verdict = verifier().walk(_export(five))

    assert (verdict.ok, verdict.incomplete, verdict.first_bad_position) == (False, True, 2)
    assert verdict.reason == "absent: position 2 is not in the export"
    assert verdict.absent == [(2, 2)]


def test_two_swapped_rows_are_found(five: SqlEventStore) -> None:
    stored = five.read_all()
    swap(five.engine, stored[1], stored[2])

    verdict = verifier().walk(_export(five))

    assert (verdict.ok, verdict.first_bad_position) == (False, 2)  # shown after row 3's
    assert verdict.reason == "reordered: position 2 follows position 3"


def test_a_forged_row_with_a_recomputed_hash_breaks_the_next_link(five: SqlEventStore) -> None:
    third = five.read_all()[2]
    forged = third.body.replace(b'"kg":9.5', b'"kg":1.5')  # canonical, unlike 1.0
    raw(
        five.engine,
        "UPDATE events SET body = :b, hash = :h WHERE position = 3",
        b=forged,
        h=link_hash(third.prev_hash, forged),
    )

    verdict = verifier().walk(_export(five))

    assert (verdict.ok, verdict.first_bad_position) == (False, 4)
    assert "broken link" in verdict.reason


def _truncate_and_forge(store: SqlEventStore) -> None:
    """Cut the log after position 2 and append a forged history with a recomputed chain."""
    raw(store.engine, "DELETE FROM events WHERE position > 2")
    store.append("a", "tally", 2, [new_event("forged-a", {"kg": 1.0})])
    store.append("b", "tally", NO_STREAM, [new_event(f"forged-b{i}") for i in range(2)])


def _run(capsys: pytest.CaptureFixture[str], *arguments: str | Path) -> tuple[int, str]:
    """The verifier command's exit status on ``arguments``, and what it printed."""
    status = verifier().main([str(argument) for argument in arguments])
    return status, capsys.readouterr().out


def _head_file(tmp_path: Path, pinned: Head) -> Path:
    """The signed head ``pinned`` as a head file beside the export."""
    path = tmp_path / "head.json"
    path.write_text(json.dumps({"position": pinned.position, "hash": pinned.hash, "at": "x"}))
    return path


def test_truncate_and_forge_passes_the_chain_but_not_a_head_signed_before(
    five: SqlEventStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pinned = five.head()
    _truncate_and_forge(five)
    export = _write(tmp_path / "export.ndjson", _export(five))
    head = _head_file(tmp_path, pinned)

    alone = verifier().walk(_export(five))
    status, told = _run(capsys, export, "--head", head)

    assert (alone.ok, alone.last_position) == (True, 5)  # the chain itself is consistent
    assert status == 1
    assert "BROKEN at position 5: forged" in told


def test_a_truncated_export_is_caught_by_the_head_naming_the_positions_up_to_it(
    five: SqlEventStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pinned = five.head()
    export = _write(tmp_path / "export.ndjson", _export(five)[:3])
    head = _head_file(tmp_path, pinned)

    status, told = _run(capsys, export, "--head", head)

    assert status == 3
    assert (
        "INCOMPLETE: 2 positions are absent from the export, in 1 gap: "
        "4..5 (after the export's last event, up to the signed head)." in told
    )
    assert "An export meant to hold the whole log was truncated or has lost rows." in told


def test_the_command_says_ok_for_an_intact_export_and_2_for_unusable_input(
    five: SqlEventStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = _write(tmp_path / "export.ndjson", _export(five))
    pinned = five.head()
    head = _head_file(tmp_path, pinned)

    assert verifier().main([str(export), "--head", str(head)]) == 0
    assert "ok: 5 events verified" in capsys.readouterr().out
    assert verifier().main([str(tmp_path / "missing.ndjson")]) == 2


@pytest.fixture
def mixed(store: SqlEventStore) -> SqlEventStore:
    """Kota Banjar's events (1-2, 4, 7), a principal's without a wilayah (3, 5-6), and one
    of Kota Banjarbaru (8): what a reader with reach 32.79 may not see is 3, 5, 6 and 8."""
    banjar = [new_event(f"k{i}", wilayah=f"32.79.0{i + 1}.1001") for i in range(4)]
    store.append("k", "tally", NO_STREAM, banjar[:2])
    store.append("p", "principal", NO_STREAM, [new_event("p0", wilayah=None)])
    store.append("k", "tally", 2, banjar[2:3])
    store.append("p", "principal", 1, [new_event(f"p{i}", wilayah=None) for i in (1, 2)])
    store.append("k", "tally", 3, banjar[3:])
    store.append("b", "tally", NO_STREAM, [new_event("b0", wilayah="63.72.02.1001")])
    return store


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def banjar_export(mixed: SqlEventStore, tmp_path: Path) -> Path:
    """The export of positions 1 to 8 filtered to the reach 32.79, written beside the test."""
    banjar = feed.Selection(reach=("32.79",))
    return _write(tmp_path / "export.ndjson", _lines(feed.export(mixed.engine, banjar, 0, 8)))


@pytest.fixture
def mixed_head(mixed: SqlEventStore, tmp_path: Path) -> Path:
    """The head of the whole mixed log (position 8), signed, as a head file."""
    return _head_file(tmp_path, mixed.head())


def test_an_export_filtered_by_reach_is_reported_incomplete_naming_the_absent_positions(
    banjar_export: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, told = _run(capsys, banjar_export)

    assert status == 3
    assert "BROKEN" not in told
    assert told.startswith(
        "INCOMPLETE: 3 positions are absent from the export, in 2 gaps: 3, 5..6. "
        "The 4 events present verified"
    )
    assert "It holds no event without a wilayah, and all its events lie under 32.79" in told
    assert f"python3 verify_export.py {banjar_export} --partial" in told


def test_an_export_by_reach_that_ends_before_the_signed_head_is_incomplete_not_broken(
    banjar_export: Path, mixed_head: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, told = _run(capsys, banjar_export, "--head", mixed_head)

    assert status == 3
    assert "BROKEN" not in told
    assert (
        "4 positions are absent from the export, in 3 gaps: 3, 5..6, 8 (after the export's" in told
    )
    assert f"python3 verify_export.py {banjar_export} --head {mixed_head} --partial" in told


def test_with_partial_a_filtered_export_verifies_and_says_what_it_could_not_compare(
    banjar_export: Path, mixed_head: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, told = _run(capsys, banjar_export, "--partial", "--head", mixed_head)

    assert status == 0
    assert "ok (partial): 4 events verified; positions 1..7 with 3 absent (3, 5..6)" in told
    assert "note: the export ends at position 7, before the signed head's position 8" in told


def test_a_partial_export_still_checks_the_link_between_neighbours_present(
    mixed: SqlEventStore,
) -> None:
    drop_guard(mixed.engine)
    first = mixed.read_all()[0]
    forged = first.body.replace(b'"n":"k0"', b'"n":"k9"')
    rehashed = {"b": forged, "h": link_hash(first.prev_hash, forged)}
    raw(mixed.engine, "UPDATE events SET body = :b, hash = :h WHERE position = 1", **rehashed)
    banjar = feed.Selection(reach=("32.79",))

    verdict = verifier().walk(_lines(feed.export(mixed.engine, banjar, 0, 8)), partial=True)

    assert (verdict.ok, verdict.first_bad_position) == (False, 2)
    assert verdict.reason == "broken link: prev_hash is not the hash of position 1"


def test_a_filtered_export_is_checked_event_by_event(five: SqlEventStore) -> None:
    only_b = feed.Selection(reach=("*",), event_types=("test.noted",))
    lines = _lines(feed.export(five.engine, only_b, 0, 5))
    gappy = [lines[0], lines[3]]

    assert not verifier().walk(gappy).ok
    assert verifier().walk(gappy, partial=True).ok


# -- the canonical form: the verifier's equals the store's for any JSON ---------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payloads=st.lists(
        st.dictionaries(st.text(max_size=6), _json, max_size=4), min_size=1, max_size=4
    )
)
def test_any_json_payload_exports_to_an_envelope_the_verifier_hashes_alike(
    store: SqlEventStore, payloads: list[JsonObject]
) -> None:
    head = store.head().position
    events = tuple(new_event(f"p{head}-{i}", p) for i, p in enumerate(payloads))
    store.append_streams([StreamAppend("property", "tally", ANY, events)])

    lines = _lines(feed.export(store.engine, EVERYONE, head, head + len(events)))
    verdict = verifier().walk(lines)

    assert (verdict.ok, verdict.checked) == (True, len(events)), verdict.reason


# -- the signature checks: standard library only -------------------------------------------


def _compact(alg: str, key: Any, claims: dict[str, Any], kid: str) -> str:
    return str(jose_jws.sign(claims, key, algorithm=alg, headers={"kid": kid}))


@pytest.mark.parametrize("alg", ["ES256", "RS256"])
def test_the_verifier_accepts_a_real_signature_and_refuses_a_changed_one(alg: str) -> None:
    private = (
        ec.generate_private_key(ec.SECP256R1())
        if alg == "ES256"
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = jwk.construct(pem, alg).public_key().to_dict()
    jwks = {"keys": [{**public, "kid": "k1"}]}
    claims = {"position": 7, "hash": "ab" * 32, "at": "2026-11-29T00:00:00.000000Z"}
    good = _compact(alg, pem, claims, "k1")
    header, payload, signature = good.split(".")
    forged_payload = _b64(json.dumps({**claims, "position": 8}).encode())

    assert verifier().check_jws(good, jwks) == claims
    for bad in (
        f"{header}.{forged_payload}.{signature}",
        f"{header}.{payload}.{signature[:-4]}AAAA",
    ):
        with pytest.raises(ValueError, match="signature"):
            verifier().check_jws(bad, jwks)
    with pytest.raises(ValueError, match="kid"):
        verifier().check_jws(_compact(alg, pem, claims, "other"), jwks)


def test_the_verifier_accepts_an_es256_signature_made_by_another_library() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    numbers = private.public_key().public_numbers()
    jwks = {
        "keys": [
            {
                "kty": "EC",
                "crv": "P-256",
                "kid": "k2",
                "x": _b64(numbers.x.to_bytes(32, "big")),
                "y": _b64(numbers.y.to_bytes(32, "big")),
            }
        ]
    }
    header = _b64(json.dumps({"alg": "ES256", "kid": "k2"}).encode())
    payload = _b64(json.dumps({"position": 1}).encode())
    r, s = decode_dss_signature(
        private.sign(f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
    )
    raw = _b64(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    assert verifier().check_jws(f"{header}.{payload}.{raw}", jwks) == {"position": 1}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
