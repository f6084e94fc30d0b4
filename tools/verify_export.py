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

An export filtered by the reader's reach (or by ``?wilayah=``, ``?type=``) leaves positions
out: the walk names the absent positions, says what the export holds, and checks the rest
(each event's own hash, and its link wherever its predecessor is present); ``--partial``
accepts such an export as what it is.

Exit status: 0 verified (with ``--partial``: what the export holds), 1 broken (the first bad
position is printed), 2 unusable input, 3 incomplete: positions are absent (``--partial``
checks a filtered export). The canonical form checked here is spelled out in docs/audit.md.
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
SHOWN_GAPS = 5  # absent ranges named in a report; the rest are counted
INCOMPLETE = 3  # the exit status of an export with absent positions, without --partial
# Envelope member -> body member; the rest have the same name in both.
RENAMED = {"type": "event_type", "version": "stream_version"}
NOT_IN_BODY = frozenset({"hash", "withheld"})
BODY_MEMBERS = frozenset(
    {
        "event_id",
        "event_type",
        "schema_version",
        "stream_id",
        "stream_type",
        "stream_version",
        "position",
        "occurred_at",
        "recorded_at",
        "wilayah",
        "payload",
        "personal",
        "meta",
        "prev_hash",
    }
)


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
    absent: list[tuple[int, int]] = field(default_factory=list)  # first..last of each gap
    incomplete: bool = False  # positions are absent and the walk was not told --partial
    beyond: bool = False  # the last absent range runs from the export's end to the head
    unplaced: int = 0  # events without a wilayah (the principals')
    areas: str | None = None  # the code prefix every event's wilayah shares
    notes: list[str] = field(default_factory=list)  # what could not be checked, and why

    def broken(self, position: int | None, reason: str) -> Verdict:
        self.ok, self.first_bad_position, self.reason = False, position, reason
        return self

    @property
    def absent_count(self) -> int:
        """How many positions between the first and the last are not in the export."""
        return sum(last - first + 1 for first, last in self.absent)

    def gaps(self) -> str:
        """The absent ranges, the first few named."""
        named = [f"{a}" if a == b else f"{a}..{b}" for a, b in self.absent]
        if self.beyond:
            named[-1] += " (after the export's last event, up to the signed head)"
        shown = named[: SHOWN_GAPS - 1] + named[-1:] if len(named) > SHOWN_GAPS else named
        more = len(named) - len(shown)
        return ", ".join(shown[:-1] + ([f"{more} more"] if more else []) + shown[-1:])


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


# position, prev_hash, hash, problem, withheld, wilayah: what one line says, on its own
Checked = tuple[int | None, str | None, str | None, str | None, bool, str | None]


def check_line(line: str) -> Checked | None:
    """One line's event with its own hash recomputed (None for a blank line)."""
    if not line or line.isspace():
        return None
    try:
        envelope = _decode(line)
    except ValueError:
        return None, None, None, "is not JSON", False, None
    if type(envelope) is not dict:
        return None, None, None, "is not an envelope", False, None
    position, digest = envelope.get("position"), envelope.get("hash")
    prev_hash, wilayah = envelope.get("prev_hash"), envelope.get("wilayah")
    wilayah = wilayah if type(wilayah) is str else None
    if type(position) is not int or type(digest) is not str:
        return None, None, None, "has no position or hash", False, None
    if type(prev_hash) is not str or "unreadable_body" in envelope:
        unreadable = "changed content: the stored body is not readable"
        return position, None, digest, unreadable, False, wilayah
    if "withheld" in envelope:  # its own hash cannot be recomputed
        return position, prev_hash, digest, None, True, wilayah
    prefix = prev_hash.encode()
    try:
        if sha256(prefix + _fast_body(envelope)).hexdigest() == digest:
            return position, prev_hash, digest, None, False, wilayah
        # A match above proves the content; without one, the reference encoding decides.
        body = canonical_body(_DOUBLES.decode(line))
    except (ValueError, TypeError) as wrong:
        return position, prev_hash, digest, f"changed content: {wrong}", False, wilayah
    if sha256(prefix + body).hexdigest() != digest:
        mismatch = "changed content: the hash does not match"
        return position, prev_hash, digest, mismatch, False, wilayah
    return position, prev_hash, digest, None, False, wilayah


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
    """Walk the export in order; ``partial`` for a filtered export, whose absent positions
    are then expected rather than a finding.

    Every event's own hash is recomputed, and its link checked wherever the position before
    it is in the export. ``keep``: positions whose hash to remember (the signed head's);
    ``jobs``: processes that recompute the hashes (the links are checked here, in order).
    """
    verdict = Verdict()
    last_position, last_hash, checked_count, withheld_count = -1, "", 0, 0
    try:
        for number, checked in enumerate(_checked(lines, jobs), start=1):
            if checked is None:
                continue
            position, prev_hash, digest, problem, withheld, wilayah = checked
            if position is None or digest is None:
                return verdict.broken(None, f"line {number} {problem}")
            if problem or position != last_position + 1 or prev_hash != last_hash:
                previous = (last_position, last_hash) if checked_count else None
                problem = problem or _link_problem(position, prev_hash, previous)
                if problem is not None:
                    return verdict.broken(position, problem)
                if previous is None:
                    verdict.first_position = position
                elif position > last_position + 1:
                    verdict.absent.append((last_position + 1, position - 1))
            last_position, last_hash = position, digest
            checked_count += 1
            withheld_count += withheld
            _place(verdict, wilayah)
            if keep and position in keep:
                verdict.hashes[position] = digest
    finally:
        verdict.checked, verdict.withheld = checked_count, withheld_count
        if checked_count:
            verdict.last_position, verdict.last_hash = last_position, last_hash
    if verdict.absent and not partial:
        first, _ = verdict.absent[0]
        verdict.broken(first, f"absent: position {first} is not in the export")
        verdict.incomplete = True
    return verdict


def _place(verdict: Verdict, wilayah: str | None) -> None:
    """Keep what the export's events have in common: how many have no wilayah, and the
    code prefix the others share."""
    if wilayah is None:
        verdict.unplaced += 1
    elif verdict.areas is None:
        verdict.areas = wilayah
    elif wilayah != verdict.areas and not wilayah.startswith(verdict.areas + "."):
        shared = []
        for mine, theirs in zip(verdict.areas.split("."), wilayah.split("."), strict=False):
            if mine != theirs:
                break
            shared.append(mine)
        verdict.areas = ".".join(shared)


def _link_problem(
    position: int, prev_hash: str | None, previous: tuple[int, str] | None
) -> str | None:
    if previous is None:
        if position == 1 and prev_hash != GENESIS:
            return "broken link: the first event does not follow the genesis hash"
        return None
    last_position, last_hash = previous
    if position <= last_position:
        return f"reordered: position {position} follows position {last_position}"
    if position == last_position + 1 and prev_hash != last_hash:
        return f"broken link: prev_hash is not the hash of position {last_position}"
    return None  # consistent, or after absent positions: the link cannot be checked


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
        "--partial",
        action="store_true",
        help="a filtered export: absent positions are expected, the rest is checked",
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
    if (verdict.ok or verdict.incomplete) and head is not None and int(head["position"]) > 0:
        verdict = _compare_head(verdict, int(head["position"]), str(head["hash"]), args.partial)
    script = sys.argv[0] if argv is None and sys.argv[0].endswith(".py") else "verify_export.py"
    again = " ".join(["python3", script, *(sys.argv[1:] if argv is None else argv), "--partial"])
    return _report(verdict, args.partial, again)


def _compare_head(verdict: Verdict, position: int, digest: str, partial: bool) -> Verdict:
    seen = verdict.hashes.get(position)
    last = verdict.last_position
    if seen is None and partial:  # a filtered export need not hold the head's event
        end = f"ends at position {last}, before" if last is None or last < position else "skips"
        verdict.notes.append(
            f"the export {end} the signed head's position {position}: the head was not "
            "compared, so a truncated log is not ruled out (a reader with reach * can check it)"
        )
        return verdict
    if seen is None and last is not None and last < position:  # absent up to the head
        verdict.absent.append((last + 1, position))
        verdict.beyond = True
        if not verdict.incomplete:
            verdict.broken(last + 1, f"absent: position {last + 1} is not in the export")
            verdict.incomplete = True
        return verdict
    if seen is None:
        return verdict.broken(position, "the signed head's position is not in the export")
    if seen != digest:
        return verdict.broken(position, "forged: the hash differs from the signed head's")
    return verdict


def _report(verdict: Verdict, partial: bool, again: str) -> int:
    if verdict.incomplete:
        print(_incomplete(verdict, again))
        return INCOMPLETE
    if not verdict.ok:
        print(
            f"BROKEN at position {verdict.first_bad_position}: {verdict.reason} "
            f"({verdict.checked} events verified before it)"
        )
        return 1
    withheld = ""
    if verdict.withheld:
        withheld = f", {verdict.withheld} with withheld members (links checked)"
    span = f"{verdict.first_position}..{verdict.last_position}"
    kind = "ok (partial)" if partial else "ok"
    if verdict.absent:
        span += f" with {verdict.absent_count} absent ({verdict.gaps()})"
    print(
        f"{kind}: {verdict.checked} events verified{withheld}; positions {span}, "
        f"last hash {verdict.last_hash}"
    )
    for note in verdict.notes:
        print(f"note: {note}")
    return 0


def _incomplete(verdict: Verdict, again: str) -> str:
    """Which positions are absent, what the export holds, and how to check it."""
    count, gaps = verdict.absent_count, len(verdict.absent)
    if verdict.unplaced == 0 and verdict.areas:
        holds = (
            f"It holds no event without a wilayah, and all its events lie under "
            f"{verdict.areas}, as in an export for a reader whose reach is such an area"
        )
    elif verdict.unplaced == 0:
        holds = "It holds no event without a wilayah, as an export for a reader without reach *"
    else:
        holds = (
            f"It holds {verdict.unplaced} events without a wilayah, so its reader's reach was *: "
            "only a ?wilayah= or ?type= filter leaves positions out of such an export"
        )
    return "\n".join(
        [
            f"INCOMPLETE: {count} positions are absent from the export, in {gaps} "
            f"{'gap' if gaps == 1 else 'gaps'}: {verdict.gaps()}. The {verdict.checked} events "
            "present verified: each its own hash, and its link wherever the position before it "
            "is present.",
            "  Why: an export leaves out the events outside its reader's reach (the principals', "
            "which have no wilayah, unless the reach is *) and those a ?wilayah= or ?type= filter "
            f"did not select. {holds}. An export meant to hold the whole log was truncated or "
            "has lost rows.",
            f"  A filtered export is checked as such with: {again}",
            "  The whole chain is checked with an export by a reader whose reach is * "
            "(docs/audit.md).",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
