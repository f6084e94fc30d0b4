"""C2SP signed-note v1.0.0: a text signed by one or more keys.

A note is its text (ending in a newline), a blank line, then one signature line per
signature: ``— <key name> <base64(4-byte key id ‖ signature)>``. The whole note is UTF-8
with no control character but the newline; the text is what precedes the *last* blank
line. A key is known by its (name, key id) pair; the key id is
``SHA-256(name ‖ 0x0A ‖ signature type ‖ public key)[:4]`` read big-endian
(``key_id``), so the same name with another algorithm or key is another key.

Opening a note (``open_note``) follows the spec's rules: signatures by unknown keys are
kept aside unverified; a signature by a known key that fails rejects the whole note
(``InvalidSignature``); a note with no verified signature is refused (``UnverifiedNote``).
Signers and verifiers are small protocols; ``events.tlog.keys`` gives the Ed25519 ones.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from events.tlog.errors import InvalidSignature, NoteError, UnverifiedNote

SIG_ED25519: Final = 0x01
SIG_COSIGNATURE_V1: Final = 0x04
MAX_SIGNATURES: Final = 100  # the spec asks for at least 16; Go's note package stops at 100
_DASH: Final = "\u2014 "  # em dash, space
_CONTROL: Final = re.compile("[\x00-\x09\x0b-\x1f]")


def check_key_name(name: str) -> str:
    """Return ``name`` if it is a valid key name: non-empty, no space, no plus."""
    if not name or "+" in name or any(char.isspace() or char < " " for char in name):
        raise NoteError(f"a key name is non-empty, without spaces or '+': {name!r}")
    return name


def key_id(name: str, signature_type: int, public_key: bytes) -> int:
    """The recommended key id: SHA-256(name ‖ 0x0A ‖ type ‖ public key), first 4 bytes."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + public_key)
    return int.from_bytes(digest.digest()[:4], "big")


def b64decode(text: str, what: str) -> bytes:
    """Strict standard base64 (RFC 4648 §4), refusing anything else with a clear error."""
    try:
        value = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise NoteError(f"{what} is not standard base64: {text!r}") from None
    if base64.b64encode(value).decode() != text:
        raise NoteError(f"{what} is not canonical base64: {text!r}")
    return value


def b64encode(value: bytes) -> str:
    """Standard base64 (RFC 4648 §4) as text."""
    return base64.b64encode(value).decode()


@dataclass(frozen=True, slots=True)
class Signature:
    """One signature line: the key's name and id, and the signature bytes after the id."""

    name: str
    key_id: int
    signature: bytes

    @property
    def line(self) -> str:
        """The signature line, newline included."""
        raw = self.key_id.to_bytes(4, "big") + self.signature
        return f"{_DASH}{self.name} {b64encode(raw)}\n"

    @classmethod
    def parse(cls, line: str) -> Signature:
        """The signature of one line (without its newline)."""
        if not line.startswith(_DASH):
            raise NoteError(f"a signature line starts with an em dash and a space: {line!r}")
        name, space, encoded = line[len(_DASH) :].partition(" ")
        if not space or " " in encoded:
            raise NoteError(f"a signature line is '— <name> <signature>': {line!r}")
        raw = b64decode(encoded, "a signature")
        if len(raw) < 5:
            raise NoteError(f"a signature is a 4-byte key id and a signature: {line!r}")
        return cls(check_key_name(name), int.from_bytes(raw[:4], "big"), raw[4:])


@dataclass(frozen=True, slots=True)
class Note:
    """A note's text and its signature lines, in order (not yet verified)."""

    text: str
    signatures: tuple[Signature, ...]

    def format(self) -> str:
        """The note as it is sent: text, blank line, signature lines."""
        return self.text + "\n" + "".join(signature.line for signature in self.signatures)


def _decode(message: str | bytes) -> str:
    if isinstance(message, bytes):
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError as error:
            raise NoteError(f"a note is UTF-8; byte {error.start} is not") from None
    elif not message.isascii():
        try:
            message.encode("utf-8")
        except UnicodeEncodeError as error:
            raise NoteError(f"a note is UTF-8; character {error.start} cannot be") from None
    control = _CONTROL.search(message)
    if control:
        raise NoteError(f"a note has no control character but newline; #{control.start()} is one")
    return message


def check_text(text: str) -> str:
    """Return ``text`` if it can be a note's text: valid characters, ending in a newline."""
    _decode(text)
    if not text.endswith("\n"):
        raise NoteError("a note's text ends with a newline")
    return text


def parse_note(message: str | bytes) -> Note:
    """The text and signature lines of a note, refusing any malformed part."""
    message = _decode(message)
    split = message.rfind("\n\n")
    if split < 0:
        raise NoteError("a note has a blank line between its text and its signatures")
    text, block = message[: split + 1], message[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("a note ends with at least one signature line and a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"a note has at most {MAX_SIGNATURES} signatures, not {len(lines)}")
    return Note(text, tuple(Signature.parse(line) for line in lines))


class Verifier(Protocol):
    """A known key: its name and id, and how it checks a signature of a note's text."""

    @property
    def name(self) -> str:
        """The key's name."""
        ...

    @property
    def key_id(self) -> int:
        """The key's id."""
        ...

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` (after the key id) signs ``text``."""
        ...


class Signer(Protocol):
    """A private key: its name and id, and how it signs a note's text."""

    @property
    def name(self) -> str:
        """The key's name."""
        ...

    @property
    def key_id(self) -> int:
        """The key's id."""
        ...

    def sign(self, text: bytes) -> bytes:
        """The signature of ``text`` (without the key id)."""
        ...


@dataclass(frozen=True, slots=True)
class OpenedNote:
    """A note whose signatures by known keys all verified; the others are kept apart."""

    text: str
    verified: tuple[Signature, ...]
    unverified: tuple[Signature, ...]

    def signed_by(self, name: str, key: int) -> bool:
        """Whether the key (name, key id) signed the note."""
        return any(s.name == name and s.key_id == key for s in self.verified)


def _index(verifiers: Sequence[Verifier]) -> dict[tuple[str, int], Verifier]:
    known: dict[tuple[str, int], Verifier] = {}
    for verifier in verifiers:
        pair = (verifier.name, verifier.key_id)
        if pair in known:
            raise NoteError(f"two known keys share the name and id {pair[0]}+{pair[1]:08x}")
        known[pair] = verifier
    return known


def open_note(message: str | bytes, verifiers: Sequence[Verifier]) -> OpenedNote:
    """Parse a note and verify every signature by a known key (C2SP signed-note rules)."""
    note = parse_note(message)
    known = _index(verifiers)
    text = note.text.encode()
    verified: list[Signature] = []
    unverified: list[Signature] = []
    for signature in note.signatures:
        verifier = known.get((signature.name, signature.key_id))
        if verifier is None:
            unverified.append(signature)
        elif not verifier.verify(text, signature.signature):
            raise InvalidSignature(
                f"the signature of {signature.name}+{signature.key_id:08x} does not verify"
            )
        elif signature not in verified:
            verified.append(signature)
    if not verified:
        raise UnverifiedNote("no known key signed this note")
    return OpenedNote(note.text, tuple(verified), tuple(unverified))


def sign_note(text: str, signers: Sequence[Signer], keep: Sequence[Signature] = ()) -> str:
    """The note of ``text`` with the signatures in ``keep`` and new ones by ``signers``.

    A kept signature by a key that signs anew is replaced, so a key signs once.
    """
    raw = check_text(text).encode()
    fresh = [Signature(check_key_name(s.name), s.key_id, s.sign(raw)) for s in signers]
    renewed = {(s.name, s.key_id) for s in fresh}
    kept = [s for s in keep if (s.name, s.key_id) not in renewed]
    if len(kept) + len(fresh) > MAX_SIGNATURES:
        raise NoteError(f"a note has at most {MAX_SIGNATURES} signatures")
    if not kept and not fresh:
        raise NoteError("a note has at least one signature")
    return Note(text, (*kept, *fresh)).format()
