"""C2SP checkpoints signed by the log and cosigned by witnesses (tlog-cosignature v1)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from events.tlog.checkpoint import (
    Checkpoint,
    Cosignature,
    add_signatures,
    cosign,
    open_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
)
from events.tlog.errors import CheckpointError, InvalidSignature, NoteError, ProofError
from events.tlog.keys import CosignatureVerifier, Cosigner, Ed25519Signer, parse_vkey
from events.tlog.merkle import Frontier, MemoryNodes, append_leaves, leaf_hash, tree_hash
from events.tlog.proofs import consistency_proof
from events.tlog.verify import verify_consistency

# A real checkpoint of a public log, signed by the log (Ed25519, and an RFC 6962 signature
# type 0x05 we do not know) and cosigned by public witnesses, with the log's key and one
# witness's cosignature/v1 key (type 0x04). Copied from the test data of
# github.com/florolf/tlog-scales, tests/test_signing.py (Apache-2.0).
ORIGIN = "arche2025h1.staging.ct.transparency.dev"
REAL = """arche2025h1.staging.ct.transparency.dev
1432088532
U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=

— arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=
— arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=
— transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==
— witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==
— remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==
— witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==
"""  # noqa: E501 - signature lines are what they are
LOG_VKEY = (
    "arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f"
)
WITNESS_VKEY = "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"
NOW = 1_750_000_000


def _witness() -> CosignatureVerifier:
    witness = parse_vkey(WITNESS_VKEY)
    assert isinstance(witness, CosignatureVerifier)
    return witness


def test_a_real_cosigned_checkpoint_verifies_with_the_log_and_witness_keys() -> None:
    signed = open_checkpoint(REAL, ORIGIN, parse_vkey(LOG_VKEY), [_witness()])

    assert signed.checkpoint.origin == ORIGIN
    assert signed.checkpoint.size == 1432088532
    assert signed.checkpoint.root_hash == base64.b64decode(
        "U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro="
    )
    assert signed.cosignatures == (Cosignature("remora.n621.de", 0xDA77ADE7, 1779573024),)
    assert len(signed.note.unverified) == 4  # the 0x05 signature and three other witnesses


def test_the_real_checkpoint_with_another_size_is_refused() -> None:
    with pytest.raises(InvalidSignature):
        open_checkpoint(REAL.replace("1432088532", "42"), ORIGIN, parse_vkey(LOG_VKEY))


def test_the_real_checkpoint_without_the_log_signature_is_refused() -> None:
    lines = REAL.splitlines(keepends=True)
    without_log = "".join(line for line in lines if "ui8GwCF1" not in line)

    with pytest.raises(CheckpointError, match="did not sign"):
        open_checkpoint(without_log, ORIGIN, parse_vkey(LOG_VKEY), [_witness()])


def test_a_checkpoint_of_another_origin_is_refused() -> None:
    with pytest.raises(CheckpointError, match=r"not 'tumbuh\.example/log'"):
        open_checkpoint(REAL, "tumbuh.example/log", parse_vkey(LOG_VKEY))


def test_a_checkpoint_body_is_the_three_lines_go_sumdb_writes() -> None:
    # golang.org/x/mod sumdb/tlog/note_test.go (BSD-3-Clause, The Go Authors): TestFormatTree,
    # whose hash is RecordHash("hello world"), an RFC 6962 leaf hash.
    golden = "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"

    checkpoint = Checkpoint("go.sum database tree", 123456789012, leaf_hash(b"hello world"))

    assert checkpoint.body() == golden
    assert parse_checkpoint(golden) == checkpoint
    assert parse_checkpoint(golden + "ext one\next two\n").extensions == ("ext one", "ext two")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("origin\n012\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "leading zeros"),
        ("origin\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "decimal"),
        ("origin\n0xab\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "decimal"),
        ("origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n", "32 bytes"),
        ("origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n", "canonical base64"),
        ("origin\n1\nnot base64!\n", "standard base64"),
        ("origin\n1\n", "origin, a tree size and a root hash"),
        ("\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", "non-empty"),
        ("origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n", "non-empty"),
        ("origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "newline"),
        ("origin\n9223372036854775808\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", r"2\^63-1"),
    ],
)
def test_a_text_that_is_not_a_checkpoint_is_refused_with_its_reason(text: str, reason: str) -> None:
    with pytest.raises(CheckpointError, match=reason):
        parse_checkpoint(text)


def test_a_cosignature_verifies_by_an_independent_check() -> None:
    witness = Cosigner.generate("witness.example/inspektorat")
    checkpoint = Checkpoint("tumbuh.example/log", 7, hashlib.sha256(b"root").digest())

    line = cosign(checkpoint, witness, NOW)

    raw = base64.b64decode(line.line.split(" ")[-1])
    expected_id = hashlib.sha256(witness.name.encode() + b"\n\x04" + witness.public_key).digest()
    assert raw[:4] == expected_id[:4]
    assert int.from_bytes(raw[4:12], "big") == NOW
    message = b"cosignature/v1\ntime 1750000000\n" + checkpoint.body().encode()
    Ed25519PublicKey.from_public_bytes(witness.public_key).verify(raw[12:], message)


def test_a_cosignature_covers_the_extension_lines() -> None:
    log, witness = Ed25519Signer.generate("log"), Cosigner.generate("witness")
    checkpoint = Checkpoint("log", 7, hashlib.sha256(b"root").digest(), ("extension",))
    note = add_signatures(sign_checkpoint(checkpoint, log), [cosign(checkpoint, witness, NOW)])

    open_checkpoint(note, "log", log.verifier(), [witness.verifier()])

    with pytest.raises(InvalidSignature):
        open_checkpoint(
            note.replace("extension", "extensioN"), "log", log.verifier(), [witness.verifier()]
        )


def test_a_cosigner_key_is_never_taken_for_a_log_key() -> None:
    private = Ed25519PrivateKey.generate()
    seed = Ed25519Signer("same.name", private)
    as_witness = Cosigner("same.name", private)  # the same key pair, as a witness
    checkpoint = Checkpoint("same.name", 1, hashlib.sha256(b"root").digest())
    only_cosigned = add_signatures(
        sign_checkpoint(checkpoint, Ed25519Signer.generate("other")),
        [cosign(checkpoint, as_witness, NOW)],
    )

    assert as_witness.key_id != seed.key_id
    with pytest.raises(NoteError, match="no known key"):
        open_checkpoint(only_cosigned, "same.name", seed.verifier())


def test_a_cosigner_signs_only_at_a_stated_time() -> None:
    witness = Cosigner.generate("witness")

    timed = witness.at(NOW)

    assert timed.key_id == witness.key_id
    with pytest.raises(NoteError, match="2\\^63-1"):
        witness.at(2**63)
    with pytest.raises(NoteError, match="2\\^63-1"):
        witness.at(-1)


def test_a_witness_refuses_a_log_rewritten_since_its_last_cosignature() -> None:
    log, witness = Ed25519Signer.generate("tumbuh.example/log"), Cosigner.generate("bpk.example")
    events = [hashlib.sha256(b"event %d" % i).digest() for i in range(300)]
    nodes = MemoryNodes()
    appended = append_leaves(Frontier.empty(), map(leaf_hash, events[:200]))
    nodes.store(appended.nodes)
    first = Checkpoint(log.name, 200, appended.frontier.root())
    pinned = add_signatures(sign_checkpoint(first, log), [cosign(first, witness, NOW)])
    rewritten = MemoryNodes()  # event 150 changed, then 100 more
    altered = [*events[:150], hashlib.sha256(b"forged").digest(), *events[151:]]
    rewritten.store(append_leaves(Frontier.empty(), map(leaf_hash, altered)).nodes)
    second = Checkpoint(log.name, 300, tree_hash(rewritten, 300))

    seen = open_checkpoint(pinned, log.name, log.verifier(), [witness.verifier()])
    offered = open_checkpoint(sign_checkpoint(second, log), log.name, log.verifier())
    proof = consistency_proof(rewritten, 200, 300)

    assert seen.cosignatures[0].timestamp == NOW
    with pytest.raises(ProofError):
        verify_consistency(
            seen.checkpoint.size,
            offered.checkpoint.size,
            seen.checkpoint.root_hash,
            offered.checkpoint.root_hash,
            proof,
        )
