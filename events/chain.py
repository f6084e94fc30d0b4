"""Canonical encoding (RFC 8785) and the hash chain over the event log.

Each stored event keeps the exact bytes that were hashed (``body``), so verifying the log is
hashing, not re-encoding. ``hash = SHA-256(prev_hash ‖ body)``, where ``prev_hash`` is the
previous event's hash as 64 lowercase hex characters (64 zeros for the first event) and
``body`` is the RFC 8785 canonical JSON of the event without its hash. ``docs/audit.md``
spells the form out for verifiers written in other languages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Final

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
    if isinstance(value, str | bool) or value is None:
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
        # RFC 8785 sorts keys by UTF-16 code units; for ASCII keys that is the sort json uses.
        if not all(isinstance(k, str) and k.isascii() for k in value):
            raise _NeedsReference
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def canonical(value: JsonValue | Mapping[str, JsonValue]) -> bytes:
    """RFC 8785 canonical JSON bytes of ``value``."""
    try:
        text = json.dumps(
            _normalise(value),
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )
        return text.encode("utf-8")  # a lone surrogate raises here and takes the slow path
    except (_NeedsReference, UnicodeEncodeError):
        result: bytes = rfc8785.dumps(value)
        return result


# Members known only under the append lock; the rest is encoded before it is taken.
LOCKED_MEMBERS: Final = frozenset({"position", "prev_hash", "recorded_at", "stream_version"})


class BodyTemplate:
    """An event's canonical body with the lock-time members still to be filled in.

    The members are laid out in RFC 8785 order; each run of members known beforehand is
    encoded once, so filling in is string joining. Composing canonical encodings of the
    members this way is exactly the RFC 8785 encoding of the whole object.
    """

    __slots__ = ("_parts",)

    def __init__(self, content: Mapping[str, JsonValue]) -> None:
        keys = sorted(set(content) | LOCKED_MEMBERS)
        parts: list[bytes | str] = []
        run: dict[str, JsonValue] = {}
        for key in keys:
            if key in LOCKED_MEMBERS:
                if run:
                    parts.append(_run(run))
                    run = {}
                parts.append(key)
            else:
                run[key] = content[key]
        if run:
            parts.append(_run(run))
        self._parts = parts

    def fill(self, locked: Mapping[str, int | str]) -> bytes:
        """The complete canonical body, given the values fixed under the append lock."""
        members = [
            part if isinstance(part, bytes) else _member(part, locked[part]) for part in self._parts
        ]
        return b"{" + b",".join(members) + b"}"


def _run(members: dict[str, JsonValue]) -> bytes:
    """Members encoded canonically, without the braces; scalars without a full encoder run."""
    if all(isinstance(v, str | int | None) and k.isascii() for k, v in members.items()):
        try:
            text = ",".join(f'"{k}":{_scalar(v)}' for k, v in sorted(members.items()))
            return text.encode("utf-8")
        except (_NeedsReference, UnicodeEncodeError):
            pass
    return canonical(members)[1:-1]


def _scalar(value: JsonValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if abs(value) >= _EXACT_INT_FLOAT_MAX:
            raise _NeedsReference
        return str(value)
    # Python's escaping of a string equals RFC 8785's (mandatory escapes, lowercase \u).
    return json.dumps(value, ensure_ascii=False)


def _member(key: str, value: int | str) -> bytes:
    # Locked values are ints, hex digests and timestamps: ASCII with nothing to escape.
    shown = str(value) if isinstance(value, int) else f'"{value}"'
    return f'"{key}":{shown}'.encode("ascii")


def link_hash(prev_hash: str, body: bytes) -> str:
    """SHA-256 over the previous hash (hex ASCII) followed by the canonical body."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(body)
    return digest.hexdigest()
