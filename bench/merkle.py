"""Merkle tree benchmarks (issue #33): the pure core of ``events.tlog``, in memory.

Prints the medians of ``--runs`` runs of:

1. Appending ``--leaves`` (1M) leaves incrementally, the new nodes kept in a dict: one
   leaf per ``append_leaves`` call (the frontier carried from call to call, as one event
   per append transaction), and in batches of 100 (as a batched append); then the batches
   again without keeping the nodes, the hashing alone. Leaf hashing included, SQL
   excluded: what the append transaction adds in Python.
2. At ``--size`` (10M) leaves, from an in-memory ``NodeReader`` (one bytes array per tree
   level, filled bottom-up before the runs): producing and verifying ``--proofs`` inclusion
   proofs of random leaves and consistency proofs from random earlier sizes, p50 and p99
   per proof, and the nodes each proof reads. Reading the nodes from a table is not
   included; it is one indexed batch read of at most 2·log2(n) rows per proof.

Wall and CPU time are both printed: on a machine shared with other work the CPU time is
what this code costs, the wall time what a caller waited.

Run: ``python bench/merkle.py [--leaves 1000000] [--size 10000000] [--runs 5]``.
"""

from __future__ import annotations

import hashlib
import random
import statistics
import time
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

from arguments import arguments

from events.tlog.merkle import (
    HASH_SIZE,
    Frontier,
    MemoryNodes,
    NodeId,
    append_leaves,
    leaf_hash,
    node_hash,
    tree_hash,
)
from events.tlog.proofs import (
    consistency_plan,
    consistency_proof,
    inclusion_plan,
    inclusion_proof,
)
from events.tlog.verify import verify_consistency, verify_inclusion


def _entries(count: int, seed: int) -> list[bytes]:
    return [hashlib.sha256(b"%d.%d" % (seed, i)).digest() for i in range(count)]


Clock = tuple[float, float]  # wall and CPU seconds
P = ParamSpec("P")
T = TypeVar("T")


def _now() -> Clock:
    return time.perf_counter(), time.process_time()


def _since(start: Clock) -> Clock:
    wall, cpu = _now()
    return wall - start[0], cpu - start[1]


def _timed(into: list[Clock], call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """What ``call`` returns; its wall and CPU seconds are added to ``into``."""
    start = _now()
    result = call(*args, **kwargs)
    into.append(_since(start))
    return result


def append_one_by_one(entries: Sequence[bytes]) -> tuple[Clock, int]:
    """Wall and CPU seconds to append ``entries`` one call each, and the nodes stored."""
    nodes = MemoryNodes()
    frontier = Frontier.empty()
    start = _now()
    for entry in entries:
        appended = append_leaves(frontier, (leaf_hash(entry),))
        nodes.nodes.update(appended.nodes)
        frontier = appended.frontier
    return _since(start), len(nodes.nodes)


def append_in_batches(entries: Sequence[bytes], batch: int, keep: bool = True) -> Clock:
    """Wall and CPU seconds to append ``entries`` ``batch`` per call, keeping the nodes or not."""
    nodes = MemoryNodes()
    frontier = Frontier.empty()
    start = _now()
    for first in range(0, len(entries), batch):
        appended = append_leaves(frontier, map(leaf_hash, entries[first : first + batch]))
        if keep:
            nodes.nodes.update(appended.nodes)
        frontier = appended.frontier
    return _since(start)


class LevelArrays:
    """A ``NodeReader`` over one bytes array per level: 10M leaves fit in about 640 MB."""

    def __init__(self, size: int) -> None:
        self.size = size
        level = bytearray()
        for chunk in range(0, size, 1 << 16):
            level += b"".join(map(leaf_hash, _entries(min(1 << 16, size - chunk), chunk)))
        self.levels = [bytes(level)]
        while len(self.levels[-1]) >= 2 * HASH_SIZE:
            below = self.levels[-1]
            pairs = len(below) // (2 * HASH_SIZE)
            self.levels.append(
                b"".join(
                    node_hash(below[64 * i : 64 * i + 32], below[64 * i + 32 : 64 * i + 64])
                    for i in range(pairs)
                )
            )

    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """The hashes of ``ids``."""
        return [self.levels[lv][HASH_SIZE * i : HASH_SIZE * (i + 1)] for lv, i in ids]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.99)]


def proofs_run(reader: LevelArrays, count: int, rng: random.Random) -> dict[str, float]:
    """p50/p99 wall and CPU microseconds to produce and to verify ``count`` proofs of each kind."""
    size = reader.size
    root = tree_hash(reader, size)
    samples: dict[str, list[Clock]] = {
        f"{kind} {step}": [] for kind in ("inclusion", "consistency") for step in ("make", "verify")
    }
    for _ in range(count):
        index = rng.randrange(size)
        leaf = reader.read_nodes([(0, index)])[0]
        path = _timed(samples["inclusion make"], inclusion_proof, reader, index, size)
        _timed(samples["inclusion verify"], verify_inclusion, index, size, leaf, path, root)

        old = rng.randrange(1, size)
        old_root = tree_hash(reader, old)
        proof = _timed(samples["consistency make"], consistency_proof, reader, old, size)
        _timed(samples["consistency verify"], verify_consistency, old, size, old_root, root, proof)
    figures: dict[str, float] = {}
    for name, values in samples.items():
        for clock, column in (("wall", 0), ("cpu", 1)):
            p50, p99 = _percentiles([value[column] for value in values])
            figures[f"{name} {clock} p50"] = p50 * 1e6
            figures[f"{name} {clock} p99"] = p99 * 1e6
    return figures


def most_reads(size: int, count: int, rng: random.Random) -> tuple[int, int]:
    """The most nodes an inclusion and a consistency proof read, over random arguments."""
    inclusion = max(len(inclusion_plan(rng.randrange(size), size).node_ids()) for _ in range(count))
    consistency = max(
        len(consistency_plan(rng.randrange(1, size + 1), size).node_ids()) for _ in range(count)
    )
    return inclusion, consistency


def main() -> None:
    """Run the benchmarks and print the medians."""
    args = arguments(__doc__, leaves=1_000_000, size=10_000_000, proofs=1000, runs=5).parse_args()

    entries = _entries(args.leaves, 0)
    singles: list[Clock] = []
    batches: list[Clock] = []
    computed: list[Clock] = []
    for run in range(args.runs):
        clock, stored = append_one_by_one(entries)
        singles.append(clock)
        batches.append(append_in_batches(entries, 100))
        computed.append(append_in_batches(entries, 100, keep=False))
        print(f"  run {run + 1}: one by one {singles[-1][0]:.2f} s, batches {batches[-1][0]:.2f} s")
    print(f"\nappend {args.leaves:,} leaves (nodes in a dict), medians of {args.runs} runs")
    variants = (
        ("one leaf per call", singles),
        ("100 leaves per call", batches),
        ("100, nodes not kept", computed),
    )
    for name, clocks in variants:
        for label, column in (("wall", 0), ("CPU", 1)):
            median = statistics.median(clock[column] for clock in clocks)
            per = median / args.leaves * 1e6
            print(f"  {name:<20} {label:<4} {median:>7.2f} s   {per:>6.2f} µs/leaf")
    print(f"  nodes stored           {stored:>10,}   {stored / args.leaves:.5f} per leaf")

    start = time.perf_counter()
    reader = LevelArrays(args.size)
    print(f"\n{args.size:,} leaves built in {time.perf_counter() - start:.0f} s (not measured)")
    rng = random.Random(33)
    runs = [proofs_run(reader, args.proofs, rng) for _ in range(args.runs)]
    print(f"proofs at {args.size:,} leaves, {args.proofs} each, medians of {args.runs} runs")
    for key in runs[0]:
        print(f"  {key:<30} {statistics.median(r[key] for r in runs):>8.1f} µs")
    inclusion, consistency = most_reads(args.size, 10_000, rng)
    print(
        f"  nodes read per proof (most of 10,000): inclusion {inclusion}, consistency {consistency}"
    )


if __name__ == "__main__":
    main()
