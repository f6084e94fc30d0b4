"""Token signing keys as files: generated into the key folder, or configured PEM files.

The key folder holds PEM private keys and ``jwt-keys.json`` naming the current key and the
previous one with the time it was retired; ``tumbuh keys rotate`` writes a new key and moves
the current one to previous. Key material is never logged.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from api.settings import Settings
from events import timefmt

log = logging.getLogger("tumbuh.auth")
MANIFEST: Final = "jwt-keys.json"
_RSA_BITS: Final = 2048


@dataclass(frozen=True)
class PemKey:
    """One key as PEM bytes; ``retired_at`` is set on a previous key of the key folder."""

    pem: bytes
    retired_at: datetime | None = None


@dataclass(frozen=True)
class KeyMaterial:
    """The key that signs and the keys that still verify."""

    current: PemKey
    previous: tuple[PemKey, ...]
    stamp: int  # changes whenever the material on disk changes


class KeysAreConfigured(Exception):
    """Rotation asked for while the keys come from configured PEM files."""


class KeySource:
    """Reads (and on first use generates) the signing keys named by the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = settings.key_directory() / "jwt"

    @property
    def configured(self) -> bool:
        """Whether the keys come from PEM files named in the settings."""
        return self.settings.signing_key_file is not None

    def stamp(self) -> int:
        """A number that changes when the keys on disk change (cheap: one ``stat``)."""
        path = self.settings.signing_key_file or self.folder / MANIFEST
        try:
            return path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def load(self) -> KeyMaterial:
        """The current and previous keys, generating a first key if there is none."""
        if self.settings.signing_key_file is not None:
            return self._configured()
        manifest = self.folder / MANIFEST
        if not manifest.exists():
            self._first_key()
        doc = json.loads(manifest.read_text())
        previous: tuple[PemKey, ...] = ()
        if doc.get("previous"):
            retired = timefmt.from_text(doc["previous"]["retired_at"])
            previous = (PemKey(self._read(doc["previous"]["file"]), retired),)
        return KeyMaterial(PemKey(self._read(doc["current"])), previous, self.stamp())

    def rotate(self, now: datetime) -> None:
        """Make a new current key; the old one verifies until its tokens have expired."""
        if self.configured:
            raise KeysAreConfigured("the signing key comes from TUMBUH_SIGNING_KEY_FILE")
        self.load()
        doc = json.loads((self.folder / MANIFEST).read_text())
        stale = (doc.get("previous") or {}).get("file")
        self._write_manifest(
            self._new_key(), {"file": doc["current"], "retired_at": timefmt.to_text(now)}
        )
        if stale:
            (self.folder / stale).unlink(missing_ok=True)

    def _first_key(self) -> None:
        # Several workers may start at once; the lock lets exactly one of them generate.
        self._make_folder()
        with os.fdopen(
            os.open(self.folder / ".lock", os.O_WRONLY | os.O_CREAT, 0o600), "w"
        ) as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (self.folder / MANIFEST).exists():
                self._write_manifest(self._new_key(), None)

    def _configured(self) -> KeyMaterial:
        assert self.settings.signing_key_file is not None
        current = PemKey(self.settings.signing_key_file.read_bytes())
        previous = tuple(PemKey(path.read_bytes()) for path in self.settings.verify_key_files)
        return KeyMaterial(current, previous, self.stamp())

    def _read(self, name: str) -> bytes:
        return (self.folder / Path(name).name).read_bytes()

    def _make_folder(self) -> None:
        """The key folder and its jwt/ folder, readable by their owner only when created."""
        self.folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.folder.mkdir(mode=0o700, exist_ok=True)

    def _new_key(self) -> str:
        self._make_folder()
        name = f"signing-{secrets.token_hex(8)}.pem"
        descriptor = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(private_pem(self.settings.signing_algorithm))
        log.warning(
            "generated a new %s token signing key in %s: back it up with the database",
            self.settings.signing_algorithm,
            self.folder,
        )
        return name

    def _write_manifest(self, current: str, previous: dict[str, str] | None) -> None:
        # Written beside and renamed over, so a reader never sees half a manifest.
        staging = self.folder / f".{MANIFEST}.{secrets.token_hex(4)}"
        descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(json.dumps({"current": current, "previous": previous}, indent=2))
        os.replace(staging, self.folder / MANIFEST)


def private_pem(algorithm: str) -> bytes:
    """A fresh private key for ``algorithm`` (ES256: P-256; RS256: RSA 2048) as PEM."""
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if algorithm == "ES256":
        key = ec.generate_private_key(ec.SECP256R1())
    elif algorithm == "RS256":
        key = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
    else:
        raise ValueError(f"no key type for {algorithm}")
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def thumbprint(public_jwk: Mapping[str, object]) -> str:
    """The RFC 7638 thumbprint of a public JWK: the ``kid`` of a key."""
    members = ("crv", "kty", "x", "y") if public_jwk["kty"] == "EC" else ("e", "kty", "n")
    canonical = json.dumps(
        {m: public_jwk[m] for m in members}, separators=(",", ":"), sort_keys=True
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
