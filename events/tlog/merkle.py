"""RFC 9162 §2.1 Merkle tree: hashing, node addressing, the tree head, incremental append.

Hashing (RFC 9162 §2.1.1): ``leaf_hash(d) = SHA-256(0x00 ‖ d)``,
``node_hash(l, r) = SHA-256(0x01 ‖ l ‖ r)``, the empty tree's head is ``SHA-256("")``. In
Tumbuh a leaf's bytes ``d`` are the 32 raw bytes of the event's chain hash, and leaf ``i``
(0-based) is the event at position ``i + 1``: tree size N covers positions 1..N.

Node addressing, as C2SP tlog-tiles and Go's ``sumdb/tlog`` address hashes: node
``(level, index)`` is the root of the *complete* (perfect) subtree over the leaves
``[index · 2^level, (index + 1) · 2^level)``; ``(0, i)`` is leaf ``i``'s hash. Such a node
exists in a tree of size n exactly when ``(index + 1) · 2^level <= n``, and once it exists
its hash never changes, so the stored nodes of today's tree hold every complete node of
every earlier tree. Nodes over a range that is not complete (the right edge of a tree
whose size is not a power of two) are never stored: they are "ephemeral", computed when
needed by folding the complete subtrees that cover the range (``range_nodes``, ``fold``).

Storage scheme: one row per complete node, keyed by (level, index), holding 32 bytes.
Appending leaf n stores ``(0, n)`` and one more node per trailing 1-bit of n (the subtrees
that leaf completes), so a tree of n leaves stores ``2n - popcount(n)`` nodes: fewer than
two rows per event. Level 0 can also be served from the event table itself (the leaf hash
is a function of the event hash), which leaves fewer than one row per event.

The *frontier* of a tree of size n is the list of complete subtrees that cover
``[0, n)``, one per 1-bit of n, largest first; folding it gives the tree head, and it is all
an append needs to know about the existing tree (``load_frontier`` reads it: popcount(n)
nodes). ``append_leaves`` returns the new frontier and exactly the new complete nodes to
store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from events.tlog.errors import MissingNode, OutOfRange

HASH_SIZE: Final = 32
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()
MAX_SIZE: Final = 2**63 - 1  # a checkpoint's tree size, as Go's and C2SP's clients read it

NodeId = tuple[int, int]
"""A complete node: ``(level, index)``, covering leaves ``[index·2^level, (index+1)·2^level)``."""

_LEAF_PREFIX: Final = b"\x00"
_NODE_PREFIX: Final = b"\x01"
_sha256 = hashlib.sha256


def leaf_hash(entry: bytes) -> bytes:
    """The RFC 9162 leaf hash of one entry: SHA-256(0x00 ‖ entry)."""
    return _sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The RFC 9162 interior node hash: SHA-256(0x01 ‖ left ‖ right)."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def event_leaf_hash(event_hash: str) -> bytes:
    """The leaf hash of a stored event, given its chain hash as 64 hex digits."""
    if len(event_hash) != 2 * HASH_SIZE:
        raise ValueError(f"an event hash has {2 * HASH_SIZE} hex digits, not {len(event_hash)}")
    return leaf_hash(bytes.fromhex(event_hash))


class NodeReader(Protocol):
    """Where the stored complete nodes are read from (a table, a dict, tiles)."""

    def read_nodes(self, ids: Sequence[NodeId]) -> Sequence[bytes]:
        """The hashes of ``ids``, in that order; raise ``MissingNode`` for one not stored."""
        ...


class MemoryNodes:
    """A ``NodeReader`` over a dict: for tests, benchmarks and rebuilds in memory."""

    def __init__(self, nodes: Mapping[NodeId, bytes] | None = None) -> None:
        self.nodes: dict[NodeId, bytes] = dict(nodes or {})

    def store(self, nodes: Iterable[tuple[NodeId, bytes]]) -> None:
        """Keep ``nodes`` (what ``append_leaves`` returned)."""
        self.nodes.update(nodes)

    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """The stored hashes of ``ids``."""
        try:
            return [self.nodes[node] for node in ids]
        except KeyError as missing:
            raise MissingNode(f"node {missing.args[0]} is not stored") from None


def largest_power_of_two_below(n: int) -> int:
    """The k of RFC 9162 §2.1.1: the largest power of two smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[NodeId]:
    """The complete subtrees covering ``[start, end)``, largest (leftmost) first.

    The range must be one the RFC's recursion produces: ``start`` a multiple of the
    largest power of two not above ``end - start``. Folding the nodes' hashes (``fold``)
    then gives MTH(D[start:end]).
    """
    size = end - start
    if size <= 0:
        raise OutOfRange(f"the range [{start}, {end}) is empty")
    top = size.bit_length() - 1
    if start % (1 << top):
        raise OutOfRange(f"the range [{start}, {end}) is not aligned on the tree")
    nodes: list[NodeId] = []
    for level in range(top, -1, -1):
        if size >> level & 1:
            nodes.append((level, start >> level))
            start += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from its covering subtrees' hashes: right to left, as MTH nests."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def frontier_ids(size: int) -> list[NodeId]:
    """The complete subtrees covering a tree of ``size`` leaves, largest first."""
    return range_nodes(0, size) if size else []


def tree_hash(reader: NodeReader, size: int) -> bytes:
    """MTH of the first ``size`` leaves, from popcount(size) stored nodes."""
    if size < 0:
        raise OutOfRange(f"a tree size is not negative: {size}")
    if size == 0:
        return EMPTY_ROOT
    return fold(reader.read_nodes(frontier_ids(size)))


@dataclass(frozen=True, slots=True)
class Frontier:
    """The right edge of a tree: its size and its covering subtrees' hashes, largest first."""

    size: int
    hashes: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if self.size < 0 or len(self.hashes) != self.size.bit_count():
            raise ValueError(f"a tree of {self.size} leaves has {self.size.bit_count()} edges")

    @classmethod
    def empty(cls) -> Frontier:
        """The frontier of the empty tree."""
        return cls(0, ())

    def root(self) -> bytes:
        """The tree head (MTH) of this tree."""
        return fold(self.hashes) if self.hashes else EMPTY_ROOT


def load_frontier(reader: NodeReader, size: int) -> Frontier:
    """Read the frontier of the tree of ``size`` leaves (popcount(size) nodes)."""
    return Frontier(size, tuple(reader.read_nodes(frontier_ids(size))))


@dataclass(frozen=True, slots=True)
class Appended:
    """What an append produced: the grown tree's frontier and the new nodes to store."""

    frontier: Frontier
    nodes: list[tuple[NodeId, bytes]]


def append_leaves(frontier: Frontier, leaf_hashes: Iterable[bytes]) -> Appended:
    """Append leaves (their RFC 9162 leaf hashes) to the tree whose right edge is ``frontier``.

    Returns every complete node the new leaves create, each exactly once: the leaf itself
    and, for leaf n, one parent per trailing 1-bit of n. Nothing is read.
    """
    edge = list(frontier.hashes)
    size = frontier.size
    nodes: list[tuple[NodeId, bytes]] = []
    store = nodes.append
    for leaf in leaf_hashes:
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes, not {len(leaf)}")
        store(((0, size), leaf))
        value = leaf
        level, index = 0, size
        while index & 1:  # this leaf completes the subtree its left neighbour started
            value = _sha256(_NODE_PREFIX + edge.pop() + value).digest()
            level += 1
            index >>= 1
            store(((level, index), value))
        edge.append(value)
        size += 1
    return Appended(Frontier(size, tuple(edge)), nodes)
