"""Inclusion and consistency proofs (RFC 9162 §2.1.3.1 and §2.1.4.1) from stored nodes.

The RFC defines both proofs recursively over ranges of leaves, splitting a range of n
leaves at k, the largest power of two below n. Every range the recursion meets starts on
a multiple of a power of two at least its length, so its MTH is either one stored complete
node or, on the right edge of a tree whose size is not a power of two, the fold of the
complete subtrees covering it (``merkle.range_nodes``). Walking the recursion from the root
down therefore turns a proof into a *plan*: a list of elements, each a short list of node
ids whose hashes fold into one proof hash. At most one element of a plan is an ephemeral
range (a left turn taken on the tree's right edge leaves that edge for good), so a proof
for a tree of n leaves reads at most ``2·log2(n)`` nodes, in one batch, whatever the tree
size asked for, as long as it is not beyond the stored tree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from events.tlog.errors import OutOfRange
from events.tlog.merkle import NodeId, NodeReader, fold, largest_power_of_two_below, range_nodes

Range = tuple[int, int]


@dataclass(frozen=True, slots=True)
class ProofPlan:
    """A proof as the nodes it reads: element i of the proof folds ``elements[i]``."""

    elements: tuple[tuple[NodeId, ...], ...]

    def node_ids(self) -> list[NodeId]:
        """Every node the proof reads, each once, in proof order."""
        return list(dict.fromkeys(node for element in self.elements for node in element))

    def assemble(self, hashes: Mapping[NodeId, bytes]) -> list[bytes]:
        """The proof's hashes, given the hashes of ``node_ids()``."""
        return [fold([hashes[node] for node in element]) for element in self.elements]

    def read(self, reader: NodeReader) -> list[bytes]:
        """Read the plan's nodes in one batch and assemble the proof."""
        ids = self.node_ids()
        return self.assemble(dict(zip(ids, reader.read_nodes(ids), strict=True)))


def _plan(ranges: Sequence[Range]) -> ProofPlan:
    return ProofPlan(tuple(tuple(range_nodes(start, end)) for start, end in ranges))


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The leaf ranges whose MTHs make up PATH(index, D[0:size]), deepest first."""
    if not 0 <= index < size:
        raise OutOfRange(f"leaf index {index} is not in a tree of {size} leaves")
    start, end = 0, size
    siblings: list[Range] = []
    while end - start > 1:
        middle = start + largest_power_of_two_below(end - start)
        if index < middle:
            siblings.append((middle, end))
            end = middle
        else:
            siblings.append((start, middle))
            start = middle
    siblings.reverse()  # PATH appends a sibling after the deeper path
    return siblings


def consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    """The leaf ranges whose MTHs make up PROOF(old_size, D[0:new_size]), in proof order."""
    if not 0 < old_size <= new_size:
        raise OutOfRange(
            f"a consistency proof needs 0 < from <= to, not from={old_size}, to={new_size}"
        )
    start, end = 0, new_size
    whole = True  # SUBPROOF's b: the old tree is the whole range so far, its root is known
    parts: list[Range] = []
    while old_size != end:
        middle = start + largest_power_of_two_below(end - start)
        if old_size <= middle:
            parts.append((middle, end))
            end = middle
        else:
            parts.append((start, middle))
            start = middle
            whole = False
    if not whole:
        parts.append((start, end))
    parts.reverse()  # SUBPROOF appends each sibling after the deeper subproof
    return parts


def inclusion_plan(index: int, size: int) -> ProofPlan:
    """The nodes of the audit path of leaf ``index`` in the tree of ``size`` leaves."""
    return _plan(inclusion_ranges(index, size))


def consistency_plan(old_size: int, new_size: int) -> ProofPlan:
    """The nodes of the consistency proof from the tree of ``old_size`` to ``new_size``."""
    return _plan(consistency_ranges(old_size, new_size))


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    """The audit path (RFC 9162 §2.1.3.1) of leaf ``index`` in the tree of ``size`` leaves."""
    return inclusion_plan(index, size).read(reader)


def consistency_proof(reader: NodeReader, old_size: int, new_size: int) -> list[bytes]:
    """The consistency proof (RFC 9162 §2.1.4.1) from ``old_size`` leaves to ``new_size``."""
    return consistency_plan(old_size, new_size).read(reader)
