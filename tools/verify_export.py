#!/usr/bin/env python3
"""Verify a Tumbuh event-log export without trusting the server, or this project's code.

Needs only the Python standard library and an RFC 8785 encoder (``pip install rfc8785``);
``orjson``, if installed, makes it faster and changes nothing else (``--pure`` leaves it out).
Given the NDJSON export (``GET /v1/events`` with ``Accept: application/x-ndjson``) it
rebuilds each event's hashed body from its envelope, recomputes every hash of the chain
and reports the first break. Given a signed head (the JSON of ``GET /v1/audit/head``) and
the installation's JWK Set (``/.well-known/jwks.json``) it also checks the head's
signature and that the export contains the head's position with the head's hash: the
check that catches a log truncated and re-grown with a recomputed chain.

    python tools/verify_export.py export.ndjson --head head.json --jwks jwks.json

Exit status: 0 verified, 1 broken (the first bad position is printed), 2 unusable input.
The canonical form checked here is spelled out in docs/audit.md.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import multiprocessing
import os
import sys
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from hashlib import sha256
from itertools import islice
from typing import Any, TextIO

import rfc8785

orjson: Any
try:  # optional: a faster first try; without it the standard library's json does the same
    import orjson
except ImportError:  # pragma: no cover - depends on what the auditor installed
    orjson = None

GENESIS = "0" * 64
BLOCK = 5000  # lines per job when several processes recompute the hashes
# Envelope member -> body member; the rest have the same name in both.
RENAMED = {"type": "event_type", "version": "stream_version"}
NOT_IN_BODY = frozenset({"hash", "withheld"})
BODY_MEMBERS = frozenset({
    "event_id", "event_type", "schema_version", "stream_id", "stream_type", "stream_version",
    "position", "occurred_at", "recorded_at", "wilayah", "payload", "personal", "meta",
    "prev_hash",
})  # fmt: skip


# -- the canonical body --------------------------------------------------------------------


def _int(text: str) -> int | float:
    # JSON numbers are IEEE doubles (RFC 8785 3.2.2.3): beyond 2**53 an integer is a double.
    value = int(text)
    return value if abs(value) < 2**53 else float(value)


_DECODER = json.JSONDecoder()
_DOUBLES = json.JSONDecoder(parse_int=_int)
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
ACCELERATED = [orjson is not None]  # main(--pure) turns it off


def _decode(line: str) -> Any:
    return orjson.loads(line) if ACCELERATED[0] else _DECODER.decode(line)


def _encode(body: dict[str, Any]) -> bytes:
    if ACCELERATED[0]:
        encoded: bytes = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
        return encoded
    return _ENCODER.encode(body).encode()


def canonical_body(envelope: dict[str, Any], *, reference: bool = True) -> bytes:
    """The RFC 8785 bytes of the body an envelope shows (``envelope`` becomes the body).

    Without ``reference`` the body is written by ``json`` (or ``orjson`` if installed;
    sorted keys, no spaces), which equals RFC 8785 for the values the log holds (ASCII
    keys, shortest float forms); the walk uses that first and the reference encoder only
    when the hash does not match.
    """
    for shown, stored in RENAMED.items():
        if shown in envelope:
            envelope[stored] = envelope.pop(shown)
    for name in NOT_IN_BODY:
        envelope.pop(name, None)
    if envelope.keys() != BODY_MEMBERS:
        missing = sorted(BODY_MEMBERS - envelope.keys())
        extra = sorted(envelope.keys() - BODY_MEMBERS)
        raise ValueError(f"the envelope's members are wrong (missing {missing}, extra {extra})")
    if not reference:
        return _encode(envelope)
    encoded: bytes = rfc8785.dumps(envelope)
    return encoded


def link_hash(prev_hash: str, body: bytes) -> str:
    """hash = hex(SHA-256(ASCII(prev_hash) ‖ body))."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(body)
    return digest.hexdigest()


# -- the chain -----------------------------------------------------------------------------


@dataclass
class Verdict:
    """What the walk found."""

    ok: bool = True
    checked: int = 0
    withheld: int = 0
    first_position: int | None = None
    last_position: int | None = None
    last_hash: str | None = None
    first_bad_position: int | None = None
    reason: str | None = None
    hashes: dict[int, str] = field(default_factory=dict)

    def broken(self, position: int | None, reason: str) -> Verdict:
        self.ok, self.first_bad_position, self.reason = False, position, reason
        return self


def _fast_body(envelope: dict[str, Any]) -> bytes:
    # canonical_body(envelope, reference=False) for a well-formed envelope, with less work
    try:
        envelope["event_type"] = envelope.pop("type")
        envelope["stream_version"] = envelope.pop("version")
        del envelope["hash"]
    except KeyError:
        return canonical_body(envelope, reference=False)  # says what is wrong
    if envelope.keys() != BODY_MEMBERS:
        return canonical_body(envelope, reference=False)
    return _encode(envelope)


# position, prev_hash, hash, problem, withheld: what one line says, checked on its own
Checked = tuple[int | None, str | None, str | None, str | None, bool]


def check_line(line: str) -> Checked | None:
    """One line's event with its own hash recomputed (None for a blank line)."""
    if not line or line.isspace():
        return None
    try:
        envelope = _decode(line)
    except ValueError:
        return None, None, None, "is not JSON", False
    if type(envelope) is not dict:
        return None, None, None, "is not an envelope", False
    position, digest = envelope.get("position"), envelope.get("hash")
    prev_hash = envelope.get("prev_hash")
    if type(position) is not int or type(digest) is not str:
        return None, None, None, "has no position or hash", False
    if type(prev_hash) is not str or "unreadable_body" in envelope:
        return position, None, digest, "changed content: the stored body is not readable", False
    if "withheld" in envelope:
        return position, prev_hash, digest, None, True  # its own hash cannot be recomputed
    prefix = prev_hash.encode()
    try:
        if sha256(prefix + _fast_body(envelope)).hexdigest() == digest:
            return position, prev_hash, digest, None, False
        # A match above proves the content; without one, the reference encoding decides.
        body = canonical_body(_DOUBLES.decode(line))
    except (ValueError, TypeError) as wrong:
        return position, prev_hash, digest, f"changed content: {wrong}", False
    if sha256(prefix + body).hexdigest() != digest:
        return position, prev_hash, digest, "changed content: the hash does not match", False
    return position, prev_hash, digest, None, False


def _check_block(lines: list[str]) -> list[Checked | None]:
    return [check_line(line) for line in lines]


def _checked(lines: Iterable[str], jobs: int) -> Iterator[Checked | None]:
    """Each line checked on its own, in order; by ``jobs`` processes if more than one."""
    if jobs <= 1:
        yield from map(check_line, lines)
        return
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for block in pool.imap(_check_block, _blocks(lines)):
            yield from block


def _blocks(lines: Iterable[str]) -> Iterator[list[str]]:
    remaining = iter(lines)
    while block := list(islice(remaining, BLOCK)):
        yield block


def walk(
    lines: Iterable[str], *, partial: bool = False, keep: Collection[int] = (), jobs: int = 1
) -> Verdict:
    """Walk the export in order; ``partial`` for a filtered export (no link between events).

    ``keep``: positions whose hash to remember (the signed head's); ``jobs``: processes
    that recompute the hashes (the links are checked here, in order).
    """
    verdict = Verdict()
    last_position, last_hash, checked_count, withheld_count = -1, "", 0, 0
    try:
        for number, checked in enumerate(_checked(lines, jobs), start=1):
            if checked is None:
                continue
            position, prev_hash, digest, problem, withheld = checked
            if not (  # the common case, an intact next event, with the least work
                problem is None and position == last_position + 1 and prev_hash == last_hash
                and not partial and digest is not None
            ):  # fmt: skip
                if position is None or digest is None:
                    return verdict.broken(None, f"line {number} {problem}")
                previous = (last_position, last_hash) if checked_count else None
                problem = problem or _link_problem(position, prev_hash, previous, partial)
                if problem is not None:
                    return verdict.broken(position, problem)
                if verdict.first_position is None:
                    verdict.first_position = position
            last_position, last_hash = position, digest
            checked_count += 1
            withheld_count += withheld
            if keep and position in keep:
                verdict.hashes[position] = digest
    finally:
        verdict.checked, verdict.withheld = checked_count, withheld_count
        if checked_count:
            verdict.last_position, verdict.last_hash = last_position, last_hash
    return verdict


def _link_problem(
    position: int, prev_hash: str | None, previous: tuple[int, str] | None, partial: bool
) -> str | None:
    if previous is None:
        if position == 1 and prev_hash != GENESIS:
            return "broken link: the first event does not follow the genesis hash"
        return None
    last_position, last_hash = previous
    if partial:
        return None if position > last_position else "reordered: positions do not increase"
    if position != last_position + 1:
        if position <= last_position:
            return f"reordered: position {position} follows {last_position}"
        return f"missing or moved row: position {last_position + 1} is not next in the export"
    if prev_hash != last_hash:
        return "broken link: prev_hash is not the previous event's hash"
    return None


# -- the signed head (JWS ES256 / RS256, verified with the standard library) ---------------


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64_int(text: str) -> int:
    return int.from_bytes(_b64(text), "big")


# NIST P-256 (FIPS 186-4, D.1.2.3)
_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_A = _P - 3
_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_G = (
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
)
Point = tuple[int, int] | None


def _add(p: Point, q: Point) -> Point:
    if p is None:
        return q
    if q is None:
        return p
    (x1, y1), (x2, y2) = p, q
    if x1 == x2 and (y1 + y2) % _P == 0:
        return None
    if p == q:
        slope = (3 * x1 * x1 + _A) * pow(2 * y1, -1, _P) % _P
    else:
        slope = (y2 - y1) * pow(x2 - x1, -1, _P) % _P
    x3 = (slope * slope - x1 - x2) % _P
    return x3, (slope * (x1 - x3) - y1) % _P


def _times(k: int, p: Point) -> Point:
    result: Point = None
    while k:
        if k & 1:
            result = _add(result, p)
        p = _add(p, p)
        k >>= 1
    return result


def _es256(key: dict[str, Any], signed: bytes, signature: bytes) -> bool:
    x, y = _b64_int(key["x"]), _b64_int(key["y"])
    if len(signature) != 64 or (y * y - x * x * x - _A * x - _B) % _P != 0:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (0 < r < _N and 0 < s < _N):
        return False
    e = int.from_bytes(hashlib.sha256(signed).digest(), "big")
    w = pow(s, -1, _N)
    point = _add(_times(e * w % _N, _G), _times(r * w % _N, (x, y)))
    return point is not None and point[0] % _N == r


_SHA256_INFO = bytes.fromhex("3031300d060960864801650304020105000420")  # RFC 8017, 9.2


def _rs256(key: dict[str, Any], signed: bytes, signature: bytes) -> bool:
    n, e = _b64_int(key["n"]), _b64_int(key["e"])
    size = (n.bit_length() + 7) // 8
    if len(signature) != size:
        return False
    expected_tail = _SHA256_INFO + hashlib.sha256(signed).digest()
    expected = b"\x00\x01" + b"\xff" * (size - 3 - len(expected_tail)) + b"\x00" + expected_tail
    return pow(int.from_bytes(signature, "big"), e, n).to_bytes(size, "big") == expected


def check_jws(jws: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """The payload of a compact JWS whose signature a key of ``jwks`` verifies."""
    try:
        header_part, payload_part, signature_part = jws.split(".")
        header = json.loads(_b64(header_part))
        payload: dict[str, Any] = json.loads(_b64(payload_part))
        signature = _b64(signature_part)
    except ValueError:
        raise ValueError("the head's jws is not a compact JWS") from None
    keys = [k for k in jwks.get("keys", []) if k.get("kid") == header.get("kid")]
    if not keys:
        raise ValueError("no key in the JWK Set has the jws's kid")
    verify = {"ES256": _es256, "RS256": _rs256}.get(header.get("alg"))
    if verify is None:
        raise ValueError("the jws's algorithm is neither ES256 nor RS256")
    signed = f"{header_part}.{payload_part}".encode("ascii")
    if not verify(keys[0], signed, signature):
        raise ValueError("the head's signature does not verify")
    return payload


# -- the command ---------------------------------------------------------------------------


def _lines(path: str) -> TextIO:
    if path == "-":
        return sys.stdin
    return open(path, encoding="utf-8", newline="\n")


def main(argv: list[str] | None = None) -> int:
    """Run the verifier; the exit status (0 ok, 1 broken, 2 unusable input)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", help="NDJSON export (- for standard input)")
    parser.add_argument("--head", help="JSON of GET /v1/audit/head to compare with")
    parser.add_argument("--jwks", help="the JWK Set that verifies the head's jws")
    parser.add_argument(
        "--partial", action="store_true", help="a filtered export: each event's hash, no links"
    )
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="processes recomputing hashes"
    )
    parser.add_argument(
        "--pure",
        action="store_true",
        help="use the standard library's json even if orjson is there",
    )
    args = parser.parse_args(argv)
    ACCELERATED[0] = orjson is not None and not args.pure
    head: dict[str, Any] | None = None
    try:
        if args.head:
            with open(args.head, encoding="utf-8") as handle:
                head = json.load(handle)
            assert head is not None
            if args.jwks:
                with open(args.jwks, encoding="utf-8") as handle:
                    signed = check_jws(head["jws"], json.load(handle))
                if any(signed.get(k) != head.get(k) for k in ("position", "hash", "at")):
                    raise ValueError("the head's fields differ from what its jws signs")
                print(f"head signature verified (kid of the JWK Set), at {signed['at']}")
            else:
                print("warning: no --jwks given, the head's signature is not checked")
        keep = {int(head["position"])} if head else set()
        with _lines(args.export) as lines:
            verdict = walk(lines, partial=args.partial, keep=keep, jobs=args.jobs)
    except (OSError, ValueError, KeyError, TypeError) as unusable:
        print(f"unusable input: {unusable}", file=sys.stderr)
        return 2
    if verdict.ok and head is not None and int(head["position"]) > 0:
        verdict = _compare_head(verdict, int(head["position"]), str(head["hash"]))
    return _report(verdict)


def _compare_head(verdict: Verdict, position: int, digest: str) -> Verdict:
    seen = verdict.hashes.get(position)
    if seen is None:
        if verdict.last_position is None or verdict.last_position < position:
            reason = f"truncated: the export ends before the signed head {position}"
            return verdict.broken(verdict.last_position, reason)
        return verdict.broken(position, "the signed head's position is not in the export")
    if seen != digest:
        return verdict.broken(position, "forged: the hash differs from the signed head's")
    return verdict


def _report(verdict: Verdict) -> int:
    if not verdict.ok:
        print(f"BROKEN at position {verdict.first_bad_position}: {verdict.reason} "
              f"({verdict.checked} events verified before it)")  # fmt: skip
        return 1
    withheld = ""
    if verdict.withheld:
        withheld = f", {verdict.withheld} with withheld members (links checked)"
    span = f"{verdict.first_position}..{verdict.last_position}"
    print(f"ok: {verdict.checked} events verified{withheld}; positions {span}, "
          f"last hash {verdict.last_hash}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
