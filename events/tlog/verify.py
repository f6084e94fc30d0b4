"""Checking inclusion and consistency proofs: RFC 9162 §2.1.3.2 and §2.1.4.2.

The two algorithms are written as the RFC states them, step by step, on the bits of the
leaf index (``fn``) and of the last index (``sn``). Around them, the cases the RFC leaves
to its preconditions are decided as Go's ``transparency-dev/merkle`` decides them, so that
its published test probes give the same verdicts: a proof from a size to itself must be
empty and the roots equal; a proof from the empty tree proves nothing and is refused.
Every failure raises ``ProofError`` with the reason.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from events.tlog.errors import ProofError
from events.tlog.merkle import HASH_SIZE, node_hash


def _check_hashes(path: Sequence[bytes], *named: tuple[str, bytes]) -> None:
    for name, value in named:
        if len(value) != HASH_SIZE:
            raise ProofError(f"the {name} is {len(value)} bytes, not {HASH_SIZE}")
    for number, value in enumerate(path):
        if len(value) != HASH_SIZE:
            raise ProofError(f"proof hash #{number} is {len(value)} bytes, not {HASH_SIZE}")


def _same(calculated: bytes, expected: bytes, what: str) -> None:
    if not hmac.compare_digest(calculated, expected):
        raise ProofError(f"the proof leads to another {what}: {calculated.hex()}")


def _shift_to_odd(fn: int, sn: int) -> tuple[int, int]:
    """Right-shift both until LSB(fn) is set or fn is 0 (the RFC's inner loop)."""
    while not fn & 1 and fn:
        fn >>= 1
        sn >>= 1
    return fn, sn


def root_from_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 §2.1.3.2 steps 1-4, and sn == 0)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of {size} leaves")
    _check_hashes(path, ("leaf hash", leaf))
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ProofError(f"the proof is longer than a tree of {size} leaves is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                fn, sn = _shift_to_odd(fn, sn)
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"the proof is too short for a tree of {size} leaves")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> None:
    """Raise ``ProofError`` unless ``path`` proves leaf ``index`` in the tree with ``root``."""
    _check_hashes((), ("root hash", root))
    _same(root_from_inclusion(index, size, leaf, path), root, "root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> None:
    """Raise ``ProofError`` unless ``path`` proves the ``new_size`` tree extends the old one."""
    _check_hashes(path, ("old root hash", old_root), ("new root hash", new_root))
    if old_size > new_size:
        raise ProofError(f"a tree of {new_size} leaves cannot extend one of {old_size}")
    if old_size == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if old_size == new_size:
        if path:
            raise ProofError("a proof between two trees of the same size is empty")
        _same(old_root, new_root, "root for the same size")
        return
    if not path:  # step 1
        raise ProofError("the proof is empty")
    fr, sr = _consistency_roots(old_size, new_size, old_root, path)
    _same(fr, old_root, "old root")
    _same(sr, new_root, "new root")


def _consistency_roots(
    old_size: int, new_size: int, old_root: bytes, path: Sequence[bytes]
) -> tuple[bytes, bytes]:
    """Steps 2-6 of RFC 9162 §2.1.4.2, and the final ``sn == 0`` check of step 7."""
    hashes = list(path)
    if old_size & (old_size - 1) == 0:  # step 2: an exact power of two
        hashes.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = hashes[0]  # step 5
    for c in hashes[1:]:  # step 6
        if sn == 0:
            raise ProofError("the proof is longer than the trees allow")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                fn, sn = _shift_to_odd(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"the proof is too short to reach a tree of {new_size} leaves")
    return fr, sr
