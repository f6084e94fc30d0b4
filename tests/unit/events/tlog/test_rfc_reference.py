"""Proofs from stored nodes equal the RFC 9162 text's recursive definitions, and verify."""

from __future__ import annotations

import hashlib
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.tlog.errors import ProofError
from events.tlog.merkle import Frontier, MemoryNodes, append_leaves, leaf_hash, tree_hash
from events.tlog.proofs import consistency_proof, inclusion_proof
from events.tlog.verify import verify_consistency, verify_inclusion
from tests.unit.events.tlog import reference

BIG = 3000
SMALL = 40


def _entry(index: int) -> bytes:
    return hashlib.sha256(b"event %d" % index).digest()  # an event hash: the leaf's bytes


ENTRIES = [_entry(i) for i in range(BIG)]


@cache
def _stored() -> MemoryNodes:
    """One tree of BIG leaves: its stored nodes serve every smaller tree too."""
    nodes = MemoryNodes()
    nodes.store(append_leaves(Frontier.empty(), map(leaf_hash, ENTRIES)).nodes)
    return nodes


@cache
def _root(size: int) -> bytes:
    return reference.mth(ENTRIES[:size])


def _flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_an_inclusion_proof_is_the_rfc_path_for_any_size(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, BIG), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")

    path = inclusion_proof(_stored(), index, size)

    assert path == reference.path(index, ENTRIES[:size])
    assert tree_hash(_stored(), size) == _root(size)
    verify_inclusion(index, size, leaf_hash(ENTRIES[index]), path, _root(size))


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_a_consistency_proof_is_the_rfc_proof_for_any_sizes(data: st.DataObject) -> None:
    new = data.draw(st.integers(1, BIG), label="new")
    old = data.draw(st.integers(1, new), label="old")

    proof = consistency_proof(_stored(), old, new)

    assert proof == reference.proof(old, ENTRIES[:new])
    verify_consistency(old, new, _root(old), _root(new), proof)


def test_every_inclusion_proof_of_small_trees_is_the_rfc_path_and_only_it_verifies() -> None:
    for size in range(1, SMALL + 1):
        for index in range(size):
            leaf = leaf_hash(ENTRIES[index])

            path = inclusion_proof(_stored(), index, size)

            assert path == reference.path(index, ENTRIES[:size]), (index, size)
            verify_inclusion(index, size, leaf, path, _root(size))
            for wrong in range(len(path)):
                tampered = [*path[:wrong], _flip(path[wrong]), *path[wrong + 1 :]]
                with pytest.raises(ProofError):
                    verify_inclusion(index, size, leaf, tampered, _root(size))
            for other in {index - 1, index + 1} & set(range(size)):
                with pytest.raises(ProofError):
                    verify_inclusion(other, size, leaf, path, _root(size))
            with pytest.raises(ProofError):
                verify_inclusion(index, size, _flip(leaf), path, _root(size))
            with pytest.raises(ProofError, match="longer"):
                verify_inclusion(index, size, leaf, [*path, leaf], _root(size))


def test_every_consistency_proof_of_small_trees_is_the_rfc_proof_and_only_it_verifies() -> None:
    for new in range(1, SMALL + 1):
        for old in range(1, new + 1):
            proof = consistency_proof(_stored(), old, new)

            assert proof == reference.proof(old, ENTRIES[:new]), (old, new)
            verify_consistency(old, new, _root(old), _root(new), proof)
            for wrong in range(len(proof)):
                tampered = [*proof[:wrong], _flip(proof[wrong]), *proof[wrong + 1 :]]
                with pytest.raises(ProofError):
                    verify_consistency(old, new, _root(old), _root(new), tampered)
            if old < new:
                with pytest.raises(ProofError):
                    verify_consistency(old, new, _flip(_root(old)), _root(new), proof)
                with pytest.raises(ProofError):
                    verify_consistency(old, new, _root(old), _flip(_root(new)), proof)
                with pytest.raises(ProofError):
                    verify_consistency(old, new, _root(old), _root(new), proof[:-1] or [b"x" * 32])
                with pytest.raises(ProofError, match="longer"):
                    verify_consistency(old, new, _root(old), _root(new), [*proof, proof[-1]])


def test_a_log_rewritten_in_the_middle_fails_the_consistency_proof_from_before() -> None:
    seen_size = 1000
    seen_root = _root(seen_size)
    rewritten = [*ENTRIES[:500], _entry(-1), *ENTRIES[501:]]  # one event changed, regrown
    nodes = MemoryNodes()
    nodes.store(append_leaves(Frontier.empty(), map(leaf_hash, rewritten)).nodes)

    proof = consistency_proof(nodes, seen_size, BIG)

    with pytest.raises(ProofError, match="old root"):
        verify_consistency(seen_size, BIG, seen_root, tree_hash(nodes, BIG), proof)


def test_a_log_truncated_and_regrown_fails_the_consistency_proof_from_before() -> None:
    seen_size = 1000
    seen_root = _root(seen_size)
    regrown = [*ENTRIES[:900], *(_entry(-i) for i in range(1, 2101))]
    nodes = MemoryNodes()
    nodes.store(append_leaves(Frontier.empty(), map(leaf_hash, regrown)).nodes)

    proof = consistency_proof(nodes, seen_size, BIG)

    with pytest.raises(ProofError, match="old root"):
        verify_consistency(seen_size, BIG, seen_root, tree_hash(nodes, BIG), proof)
