"""C2SP signed notes and their Ed25519 keys, against Go's and the spec's vectors."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from events.tlog.errors import InvalidSignature, NoteError, UnverifiedNote
from events.tlog.keys import (
    CosignatureVerifier,
    Cosigner,
    Ed25519Signer,
    Ed25519Verifier,
    parse_skey,
    parse_vkey,
)
from events.tlog.notes import Signature, open_note, parse_note, sign_note

# golang.org/x/mod sumdb/note/note_test.go (BSD-3-Clause, Copyright 2019 The Go Authors).
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdn"
    "gotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWL"
    "ox33WWd1RvMc+QQ=\n"
)
# c2sp.org/signed-note, §"Verifier keys", Example (CC BY 4.0, the C2SP authors).
C2SP_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
C2SP_NOTE = (
    "This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXp"
    "pzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def _independently_verified(note: str, name: str, public_key: bytes) -> bool:
    """Check a note's Ed25519 signature by hand: split, key id, signature, with no project code."""
    text, _, block = note.rpartition("\n\n")
    for line in block.splitlines():
        dash, signer, encoded = line.split(" ")
        raw = base64.b64decode(encoded)
        expected_id = hashlib.sha256(name.encode() + b"\n\x01" + public_key).digest()[:4]
        if dash == "\u2014" and signer == name and raw[:4] == expected_id:
            key = Ed25519PublicKey.from_public_bytes(public_key)
            try:
                key.verify(raw[4:], (text + "\n").encode())
            except CryptoInvalidSignature:
                return False
            return True
    return False


def test_the_go_signer_key_signs_the_go_note_byte_for_byte() -> None:
    signer = parse_skey(PETER_SKEY)
    assert isinstance(signer, Ed25519Signer)

    note = sign_note(TEXT, [signer])

    assert note == TEXT + "\n" + PETER_SIG
    assert signer.signer_key() == PETER_SKEY
    assert signer.verifier().vkey == PETER_VKEY


def test_a_go_note_signed_by_two_keys_opens_with_the_keys_known() -> None:
    peter, enoch = parse_vkey(PETER_VKEY), parse_vkey(ENOCH_VKEY)
    note = TEXT + "\n" + PETER_SIG + ENOCH_SIG

    one = open_note(note, [peter])
    both = open_note(note.encode(), [enoch, peter])

    assert one.text == TEXT
    assert [s.name for s in one.verified] == ["PeterNeumann"]
    assert [(s.name, s.key_id) for s in one.unverified] == [("EnochRoot", 0xAF0CFE78)]
    assert [s.name for s in both.verified] == ["PeterNeumann", "EnochRoot"]
    assert both.unverified == ()
    assert both.signed_by("EnochRoot", 0xAF0CFE78)


def test_the_c2sp_example_note_verifies() -> None:
    verifier = parse_vkey(C2SP_VKEY)

    opened = open_note(C2SP_NOTE, [verifier])

    assert opened.text == "This is an example message.\n"
    assert verifier.key_id == 0x530D903A
    assert verifier.public_key.hex() == (
        "e932791ae6e7a840a46164c904786426d5e7821dd8b29a00d61cae72afdd4da4"
    )


def test_a_note_we_sign_verifies_by_an_independent_check() -> None:
    signer = Ed25519Signer.generate("tumbuh.example/log")
    text = "tumbuh.example/log\n12\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"

    note = sign_note(text, [signer])

    assert _independently_verified(note, "tumbuh.example/log", signer.public_key)
    assert not _independently_verified(
        note.replace("\n12\n", "\n13\n"), signer.name, signer.public_key
    )


def test_a_failing_signature_by_a_known_key_refuses_the_whole_note() -> None:
    peter, enoch = parse_vkey(PETER_VKEY), parse_vkey(ENOCH_VKEY)
    mangled = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]

    with pytest.raises(InvalidSignature, match="PeterNeumann\\+c74f20a3"):
        open_note(TEXT + "\n" + mangled + ENOCH_SIG, [peter, enoch])
    with pytest.raises(InvalidSignature):
        open_note(TEXT.replace("problem", "answer") + "\n" + PETER_SIG, [peter])


def test_a_note_no_known_key_signed_is_refused_as_unverified() -> None:
    with pytest.raises(UnverifiedNote):
        open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])


def test_a_known_name_with_another_key_id_is_an_unknown_key() -> None:
    other = Ed25519Signer.generate("PeterNeumann")  # the same name, another key

    with pytest.raises(UnverifiedNote):
        open_note(TEXT + "\n" + PETER_SIG, [other.verifier()])


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (TEXT, "blank line"),
        (TEXT + "\n", "at least one signature"),
        (TEXT + "\n" + PETER_SIG[:-1], "at least one signature"),
        ("\x01" + TEXT + "\n" + PETER_SIG, "control character"),
        ("\ufffd" + TEXT + "\n" + PETER_SIG + "\x7f\t\n", "control character"),
        (TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Bad Name"), "signature line"),
        (TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "em dash"),
        (TEXT + "\n" + PETER_SIG.replace("\u2014", "-"), "em dash"),
        (TEXT + "\n" + PETER_SIG.replace("x08go", "x08g!"), "base64"),
        (TEXT + "\n\u2014 PeterNeumann AAAAAA==\n", "4-byte key id"),
        (TEXT + "\n\u2014 Peter+Neumann " + PETER_SIG.rsplit(" ", maxsplit=1)[-1], "key name"),
        (TEXT + "\n" + PETER_SIG * 101, "at most 100"),
    ],
)
def test_a_malformed_note_is_refused_with_its_reason(message: str, reason: str) -> None:
    with pytest.raises(NoteError, match=reason):
        open_note(message, [parse_vkey(PETER_VKEY)])


def test_a_note_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(NoteError, match="UTF-8"):
        parse_note(b"\xff" + (TEXT + "\n" + PETER_SIG).encode())
    with pytest.raises(NoteError, match="UTF-8"):
        sign_note("a lone surrogate \ud800\n", [Ed25519Signer.generate("log")])


def test_every_mangling_of_a_verifier_key_is_refused() -> None:
    manglings = {
        PETER_VKEY[i:j]
        for i in range(len(PETER_VKEY) + 1)
        for j in range(i + 1, len(PETER_VKEY) + 1)
        if (i, j) != (0, len(PETER_VKEY))
    }
    manglings |= {
        PETER_VKEY[:i] + chr(ord(PETER_VKEY[i]) + 1) + PETER_VKEY[i + 1 :]
        for i in range(len(PETER_VKEY))
    }
    manglings |= {
        # Go's wrong-length key and unknown algorithm, each with a matching key id.
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    }

    accepted = []
    for mangled in manglings:
        try:
            parse_vkey(mangled)
        except NoteError:
            continue
        accepted.append(mangled)

    assert accepted == []


def test_every_mangling_of_a_signer_key_is_refused() -> None:
    manglings = {PETER_SKEY[:i] for i in range(len(PETER_SKEY))}
    manglings |= {PETER_SKEY[i:] for i in range(1, len(PETER_SKEY))}
    manglings |= {
        PETER_SKEY[:i] + chr(ord(PETER_SKEY[i]) + 1) + PETER_SKEY[i + 1 :]
        for i in range(len(PETER_SKEY))
    }

    accepted = []
    for mangled in manglings:
        try:
            parse_skey(mangled)
        except (NoteError, ValueError):
            continue
        accepted.append(mangled)

    assert accepted == []


def test_a_generated_key_round_trips_through_its_key_strings() -> None:
    log = Ed25519Signer.generate("tumbuh.example/log")
    witness = Cosigner.generate("witness.example/bpk")

    log_again = parse_skey(log.signer_key())
    witness_again = parse_skey(witness.signer_key())

    assert isinstance(log_again, Ed25519Signer)
    assert isinstance(witness_again, Cosigner)
    assert log_again.public_key == log.public_key
    assert parse_vkey(log.verifier().vkey) == log.verifier()
    assert parse_vkey(witness.verifier().vkey) == witness.verifier()
    assert isinstance(parse_vkey(witness.verifier().vkey), CosignatureVerifier)
    assert log.verifier().vkey.split("+")[2].startswith("A")  # 0x01 ‖ key
    assert witness.verifier().vkey.split("+")[2].startswith("B")  # 0x04 ‖ key
    assert log.signer_key() not in repr(log)


def test_two_known_keys_with_the_same_name_and_id_are_refused() -> None:
    peter = parse_vkey(PETER_VKEY)

    with pytest.raises(NoteError, match="share the name and id"):
        open_note(TEXT + "\n" + PETER_SIG, [peter, parse_vkey(PETER_VKEY)])


def test_signing_again_replaces_the_signers_earlier_signature() -> None:
    signer = parse_skey(PETER_SKEY)
    assert isinstance(signer, Ed25519Signer)
    stale = Signature("PeterNeumann", 0xC74F20A3, b"stale")
    enoch = parse_note(TEXT + "\n" + ENOCH_SIG).signatures[0]

    note = sign_note(TEXT, [signer], keep=[enoch, stale])

    assert note == TEXT + "\n" + ENOCH_SIG + PETER_SIG


@pytest.mark.parametrize(
    ("text", "reason"),
    [("no newline", "ends with a newline"), ("tab\there\n", "control character")],
)
def test_a_text_that_cannot_be_a_note_is_not_signed(text: str, reason: str) -> None:
    with pytest.raises(NoteError, match=reason):
        sign_note(text, [Ed25519Signer.generate("log")])


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\tname", "nbsp\u00a0name"])
def test_a_key_name_with_a_space_or_plus_is_refused(name: str) -> None:
    with pytest.raises(NoteError, match="key name"):
        Ed25519Verifier(name, b"\x00" * 32)


def test_a_text_with_empty_lines_is_separated_at_the_last_one() -> None:
    signer = Ed25519Signer.generate("quasimodo.example/salvatore")
    text = (
        "Ognuno sta solo sul cuor della terra\n"
        "trafitto da un raggio di sole:\n"
        "\n"
        "ed è subito sera.\n"
    )

    opened = open_note(sign_note(text, [signer]), [signer.verifier()])

    assert opened.text == text


def test_a_refused_signer_key_is_never_echoed_in_the_error() -> None:
    secret = PETER_SKEY.split("+", 4)[4]  # base64 of the type byte and the seed
    mangled = PETER_SKEY[:-1] + "!"

    with pytest.raises(NoteError) as refused:
        parse_skey(mangled)

    assert secret[:12] not in str(refused.value)
