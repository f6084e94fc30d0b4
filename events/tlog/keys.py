"""Ed25519 keys for C2SP signed-note and C2SP tlog-cosignature v1, and their key strings.

Two signature types:

- 0x01, Ed25519 (signed-note §"Ed25519 signatures"): the signature is Ed25519 over the
  note text. The log signs its checkpoints with such a key (``Ed25519Signer``).
- 0x04, timestamped Ed25519 cosignature/v1 (tlog-cosignature §"Ed25519 signed message"):
  the signature is ``timestamp (u64, big-endian) ‖ Ed25519(message)``, where the message
  is ``"cosignature/v1\\n" + "time <timestamp>\\n" + the note text``. A witness signs
  with such a key (``Cosigner``); its key id is computed with the byte 0x04, so a cosigner
  key is never mistaken for a log key.

Key strings, as Go's ``golang.org/x/mod/sumdb/note`` writes them:
the verifier key ``<name>+<hex key id>+<base64(type ‖ 32-byte public key)>`` (public), and
the signer key ``PRIVATE+KEY+<name>+<hex key id>+<base64(type ‖ 32-byte seed)>`` (secret).
Parsing checks the key id against the name and key, so a mangled string is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Final, Self, TypeVar

from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from events.tlog.errors import NoteError
from events.tlog.notes import (
    SIG_COSIGNATURE_V1,
    SIG_ED25519,
    b64decode,
    b64encode,
    check_key_name,
    key_id,
)

KEY_SIZE: Final = 32
SIGNATURE_SIZE: Final = 64
MAX_TIMESTAMP: Final = 2**63 - 1
_HEX_ID: Final = re.compile(r"[0-9a-f]{8}")
_PRIVATE: Final = "PRIVATE+KEY+"


def cosignature_message(text: bytes, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: the header line, the time line, then the note text."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise NoteError(f"a cosignature's time is 0 to 2^63-1 seconds, not {timestamp}")
    return b"cosignature/v1\ntime %d\n" % timestamp + text


def _verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except CryptoInvalidSignature:
        return False
    return True


def _key_string(name: str, key: int, signature_type: int, material: bytes) -> str:
    return f"{name}+{key:08x}+{b64encode(bytes([signature_type]) + material)}"


@dataclass(frozen=True, slots=True)
class _PublicKey:
    """An Ed25519 public key with a name, and the key id its signature type gives it."""

    signature_type: ClassVar[int] = SIG_ED25519
    name: str
    public_key: bytes
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if len(self.public_key) != KEY_SIZE:
            raise NoteError(f"an Ed25519 public key is {KEY_SIZE} bytes")
        object.__setattr__(self, "key_id", key_id(self.name, self.signature_type, self.public_key))

    @property
    def vkey(self) -> str:
        """The verifier key string."""
        return _key_string(self.name, self.key_id, self.signature_type, self.public_key)


@dataclass(frozen=True, slots=True)
class Ed25519Verifier(_PublicKey):
    """A log's public key (type 0x01): verifies plain Ed25519 note signatures."""

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's Ed25519 signature of ``text``."""
        return len(signature) == SIGNATURE_SIZE and _verify(self.public_key, signature, text)


@dataclass(frozen=True, slots=True)
class CosignatureVerifier(_PublicKey):
    """A witness's public key (type 0x04): verifies timestamped cosignature/v1 signatures."""

    signature_type: ClassVar[int] = SIG_COSIGNATURE_V1

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this witness's timestamped cosignature of ``text``."""
        if len(signature) != 8 + SIGNATURE_SIZE:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            return False
        message = cosignature_message(text, timestamp)
        return _verify(self.public_key, signature[8:], message)

    @staticmethod
    def timestamp(signature: bytes) -> int:
        """The POSIX time a cosignature states (check it verified first)."""
        if len(signature) != 8 + SIGNATURE_SIZE:
            raise NoteError("a cosignature/v1 is an 8-byte time and a 64-byte signature")
        return int.from_bytes(signature[:8], "big")


class _PrivateKey:
    """An Ed25519 private key with a name, and the key id its signature type gives it."""

    signature_type: int = SIG_ED25519

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self.name = check_key_name(name)
        self._private = private_key
        self.public_key = private_key.public_key().public_bytes_raw()
        self.key_id = key_id(name, self.signature_type, self.public_key)

    @classmethod
    def generate(cls, name: str) -> Self:
        """A new random key named ``name``."""
        return cls(name, Ed25519PrivateKey.generate())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name}+{self.key_id:08x})"  # never the seed

    def signer_key(self) -> str:
        """The SECRET signer key string; store it as a secret, never log it."""
        seed = self._private.private_bytes_raw()
        return _PRIVATE + _key_string(self.name, self.key_id, self.signature_type, seed)


class Ed25519Signer(_PrivateKey):
    """A log's private key (type 0x01): signs note texts with plain Ed25519."""

    def verifier(self) -> Ed25519Verifier:
        """The matching public key."""
        return Ed25519Verifier(self.name, self.public_key)

    def sign(self, text: bytes) -> bytes:
        """The Ed25519 signature of ``text``."""
        return self._private.sign(text)


class Cosigner(_PrivateKey):
    """A witness's private key (type 0x04); ``at(time)`` gives the signer for one cosignature."""

    signature_type = SIG_COSIGNATURE_V1

    def verifier(self) -> CosignatureVerifier:
        """The matching public key."""
        return CosignatureVerifier(self.name, self.public_key)

    def at(self, timestamp: int) -> TimedCosigner:
        """The signer of cosignatures stating ``timestamp`` (POSIX seconds)."""
        cosignature_message(b"", timestamp)  # refuses a time out of range now
        return TimedCosigner(self, timestamp)

    def cosign(self, text: bytes, timestamp: int) -> bytes:
        """The cosignature/v1 of ``text`` at ``timestamp``: the time, then the signature."""
        message = cosignature_message(text, timestamp)
        return timestamp.to_bytes(8, "big") + self._private.sign(message)


@dataclass(frozen=True, slots=True)
class TimedCosigner:
    """A ``notes.Signer`` that cosigns at one fixed time."""

    cosigner: Cosigner
    timestamp: int

    @property
    def name(self) -> str:
        """The witness's key name."""
        return self.cosigner.name

    @property
    def key_id(self) -> int:
        """The witness's key id (type 0x04)."""
        return self.cosigner.key_id

    def sign(self, text: bytes) -> bytes:
        """The timestamped cosignature of ``text``."""
        return self.cosigner.cosign(text, self.timestamp)


def _split_key(text: str, what: str) -> tuple[str, int, int, bytes]:
    """Name, key id, signature type and key material of ``<name>+<hex id>+<base64>``."""
    parts = text.split("+", 2)  # base64 has pluses of its own
    if len(parts) != 3:
        raise NoteError(f"{what} is '<name>+<hex key id>+<base64 key>'")
    name, hex_id, encoded = parts
    if not _HEX_ID.fullmatch(hex_id):
        raise NoteError(f"{what}'s key id is 8 lowercase hex digits, not {hex_id!r}")
    try:
        raw = b64decode(encoded, "key")
    except NoteError:  # never echo the key: in a signer key it is the secret seed
        raise NoteError(f"{what}'s key is not canonical standard base64") from None
    if len(raw) != 1 + KEY_SIZE:
        raise NoteError(f"{what}'s key is a type byte and {KEY_SIZE} bytes")
    return check_key_name(name), int(hex_id, 16), raw[0], raw[1:]


_VERIFIERS: Final[Mapping[int, type[Ed25519Verifier | CosignatureVerifier]]] = {
    SIG_ED25519: Ed25519Verifier,
    SIG_COSIGNATURE_V1: CosignatureVerifier,
}
_SIGNERS: Final[Mapping[int, type[Ed25519Signer | Cosigner]]] = {
    SIG_ED25519: Ed25519Signer,
    SIG_COSIGNATURE_V1: Cosigner,
}
KindT = TypeVar("KindT")
KeyT = TypeVar("KeyT", bound=_PublicKey | _PrivateKey)


def parse_vkey(vkey: str) -> Ed25519Verifier | CosignatureVerifier:
    """The public key of a verifier key string (type 0x01 or 0x04), checking its key id."""
    name, key, signature_type, material = _split_key(vkey, "a verifier key")
    return _checked(_kind(_VERIFIERS, signature_type)(name, material), key)


def parse_skey(skey: str) -> Ed25519Signer | Cosigner:
    """The private key of a signer key string: ``Ed25519Signer`` (0x01) or ``Cosigner`` (0x04)."""
    if not skey.startswith(_PRIVATE):
        raise NoteError("a signer key starts with 'PRIVATE+KEY+'")
    name, key, signature_type, seed = _split_key(skey[len(_PRIVATE) :], "a signer key")
    private = Ed25519PrivateKey.from_private_bytes(seed)
    return _checked(_kind(_SIGNERS, signature_type)(name, private), key)


def _kind(kinds: Mapping[int, KindT], signature_type: int) -> KindT:
    """The key class of ``signature_type`` among ``kinds``, or a refusal."""
    kind = kinds.get(signature_type)
    if kind is None:
        raise NoteError(f"signature type 0x{signature_type:02x} is not supported (0x01, 0x04)")
    return kind


def _checked(made: KeyT, key: int) -> KeyT:
    """``made``, if its key id is the one the key string states."""
    if made.key_id != key:
        raise NoteError(f"the key id {key:08x} does not match the name and key")
    return made
