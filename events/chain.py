"""Canonical encoding (RFC 8785) and the hash chain over the event log.

Each stored event keeps the exact bytes that were hashed (``body``), so verifying the log is
hashing, not re-encoding. ``hash = SHA-256(prev_hash ‖ body)``, where ``prev_hash`` is the
previous event's hash as 64 lowercase hex characters (64 zeros for the first event) and
``body`` is the RFC 8785 canonical JSON of the event without its hash. ``docs/audit.md``
spells the form out for verifiers written in other languages.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Final

import orjson
import rfc8785

from events.envelope import JsonValue

GENESIS_HASH: Final = "0" * 64

# Python's float repr equals ECMAScript's Number.prototype.toString for non-integral
# values in this range; outside it (and for huge integral floats) the reference encoder runs.
_FAST_FLOAT_MIN: Final = 1e-4
_FAST_FLOAT_MAX: Final = 1e16
_EXACT_INT_FLOAT_MAX: Final = 2.0**53


class _NeedsReference(Exception):
    """The fast path cannot prove its output equal to RFC 8785 for this value."""


def _normalise(value: object) -> object:
    """Turn integral floats into ints and refuse what the fast encoder might write differently."""
    if isinstance(value, str) or value is None:  # the commonest first: this runs per value
        return value
    if isinstance(value, dict):
        return {_key(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) >= _EXACT_INT_FLOAT_MAX:  # I-JSON: beyond 2**53 is not interoperable
            raise _NeedsReference
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _EXACT_INT_FLOAT_MAX:
            return int(value)
        if _FAST_FLOAT_MIN <= abs(value) < _FAST_FLOAT_MAX and not value.is_integer():
            return value
        raise _NeedsReference
    if isinstance(value, Mapping):
        return {_key(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _key(key: object) -> str:
    # RFC 8785 sorts keys by UTF-16 code units; for ASCII keys that is the sort orjson uses.
    if type(key) is not str or not key.isascii():
        raise _NeedsReference
    return key


def canonical(value: JsonValue | Mapping[str, JsonValue]) -> bytes:
    """RFC 8785 canonical JSON bytes of ``value``."""
    try:
        return orjson.dumps(_normalise(value), option=orjson.OPT_SORT_KEYS)
    except (_NeedsReference, orjson.JSONEncodeError):  # a lone surrogate raises the latter
        result: bytes = rfc8785.dumps(value)
        return result


# Members known only under the append lock; the rest is encoded before it is taken.
LOCKED_MEMBERS: Final = frozenset({"position", "prev_hash", "recorded_at", "stream_version"})
# A locked member stands in the encoded body as this string until it is filled in: a NUL
# (which no accepted field holds) and a secret drawn at start, so no content can forge it.
_MARK: Final = f"\x00{secrets.token_hex(16)}:"
_MARKERS: Final = {key: orjson.dumps(_MARK + key) for key in LOCKED_MEMBERS}


class BodyTemplate:
    """An event's canonical body with the lock-time members still to be filled in.

    The body is encoded once, before the lock, with a marker in place of each locked
    member's value; filling in replaces the markers. A locked value is an integer or a hex
    digest or timestamp, whose canonical form is its digits or itself in quotes, so the
    filled body is exactly the RFC 8785 encoding of the whole object.
    """

    __slots__ = ("_parts",)

    def __init__(self, content: Mapping[str, JsonValue]) -> None:
        marked = {**content, **{key: _MARK + key for key in LOCKED_MEMBERS}}
        body = canonical(marked)
        found = sorted((body.find(_MARKERS[key]), key) for key in LOCKED_MEMBERS)
        if any(at < 0 or body.count(_MARKERS[key]) != 1 for at, key in found):
            raise ValueError("a locked member's marker is missing or repeated")
        parts: list[bytes | str] = []
        start = 0
        for at, key in found:
            parts += [body[start:at], key]
            start = at + len(_MARKERS[key])
        parts.append(body[start:])
        self._parts = parts

    def fill(self, locked: Mapping[str, int | str]) -> bytes:
        """The complete canonical body, given the values fixed under the append lock."""
        return b"".join(
            part if isinstance(part, bytes) else _value(locked[part]) for part in self._parts
        )


def _value(value: int | str) -> bytes:
    # Locked values are ints, hex digests and timestamps: ASCII with nothing to escape.
    return str(value).encode("ascii") if isinstance(value, int) else f'"{value}"'.encode("ascii")


def link_hash(prev_hash: str, body: bytes) -> str:
    """SHA-256 over the previous hash (hex ASCII) followed by the canonical body."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(body)
    return digest.hexdigest()
