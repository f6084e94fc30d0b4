"""C2SP tlog-tiles: paths, the tiles of a tree size, their contents, entry bundles."""

from __future__ import annotations

import hashlib
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.tlog.errors import OutOfRange, TileError
from events.tlog.merkle import Frontier, MemoryNodes, append_leaves, leaf_hash, tree_hash
from events.tlog.proofs import consistency_proof, inclusion_proof
from events.tlog.tiles import (
    EntryBundle,
    Tile,
    TileNodes,
    encode_entry_bundle,
    encode_tile_index,
    new_tiles,
    parse_entry_bundle,
    parse_tile_path,
    read_tile,
    tile_hashes,
    tiles_for_size,
)
from tests.unit.events.tlog import reference

SIZE = 70_000  # the tree size of the C2SP tlog-tiles example
ENTRIES = [hashlib.sha256(b"event %d" % i).digest() for i in range(SIZE)]


@cache
def _stored() -> MemoryNodes:
    nodes = MemoryNodes()
    nodes.store(append_leaves(Frontier.empty(), map(leaf_hash, ENTRIES)).nodes)
    return nodes


def test_an_index_is_written_in_3_digit_elements_as_the_spec_example() -> None:
    encoded = encode_tile_index(1234067)

    assert encoded == "x001/x234/067"
    assert encode_tile_index(0) == "000"
    assert encode_tile_index(1000) == "x001/000"


# The levels, indexes and widths of golang.org/x/mod sumdb/tlog/tlog_test.go's tilePaths
# (BSD-3-Clause, Copyright 2019 The Go Authors), without Go's height element: C2SP fixes
# the height at 8 and leaves it out of the path.
@pytest.mark.parametrize(
    ("path", "tile"),
    [
        ("tile/0/001", Tile(0, 1)),
        ("tile/0/001.p/5", Tile(0, 1, 5)),
        ("tile/5/x123/x456/078", Tile(5, 123456078)),
        ("tile/5/x123/x456/078.p/2", Tile(5, 123456078, 2)),
        ("tile/0/x003/x057/500", Tile(0, 3057500)),
        ("tile/63/000.p/255", Tile(63, 0, 255)),
    ],
)
def test_a_tile_path_names_its_tile_both_ways(path: str, tile: Tile) -> None:
    parsed = parse_tile_path(path)

    assert parsed == tile
    assert tile.path == path


def test_an_entry_bundle_path_names_its_bundle_both_ways() -> None:
    parsed = parse_tile_path("tile/entries/x001/234.p/7")

    assert parsed == EntryBundle(1234, 7)
    assert EntryBundle(1234, 7).path == "tile/entries/x001/234.p/7"
    assert EntryBundle(2).leaves() == range(512, 768)


@pytest.mark.parametrize(
    "path",
    [
        "tile/3/5/123/456/078",  # Go's refused example: elements without x
        "tile/3/-1/123/456/078",
        "tile/01/000",  # a level with a leading zero
        "tile/64/000",  # a level above 63
        "tile/0/x000/001",  # a leading zero element
        "tile/0/1",  # fewer than 3 digits
        "tile/0/0001",
        "tile/0/x1/001",
        "tile/0/001.p/0",
        "tile/0/001.p/256",  # a full tile has no .p
        "tile/0/001.p/05",
        "tile/0/001.p/",
        "tile/0/001.q/5",
        "tiles/0/000",
        "tile/0",
        "tile/x.p/5",
        "tile/data/000",
        "tile/entries/1",
    ],
)
def test_a_path_tlog_tiles_does_not_allow_is_refused(path: str) -> None:
    with pytest.raises(TileError):
        parse_tile_path(path)


def test_the_tiles_of_70000_leaves_are_those_the_spec_lists() -> None:
    tiles = list(tiles_for_size(SIZE))

    level0 = [t for t in tiles if t.level == 0]
    assert len(level0) == 274
    assert all(t == Tile(0, n) for n, t in enumerate(level0[:273]))
    assert level0[-1] == Tile(0, 273, 112)
    assert [t for t in tiles if t.level > 0] == [Tile(1, 0), Tile(1, 1, 17), Tile(2, 0, 1)]


def test_a_tree_of_256_leaves_has_a_full_level_0_tile_and_a_partial_level_1_tile() -> None:
    tiles = list(tiles_for_size(256))

    assert tiles == [Tile(0, 0), Tile(1, 0, 1)]
    assert list(tiles_for_size(0)) == []


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 300_000), st.integers(0, 300_000))
def test_new_tiles_are_exactly_the_tiles_that_growing_creates_or_widens(a: int, b: int) -> None:
    old, new = sorted((a, b))

    grown = list(new_tiles(old, new))

    assert set(grown) == set(tiles_for_size(new)) - set(tiles_for_size(old))
    assert len(grown) == len(set(grown))


def test_a_tree_does_not_grow_backwards() -> None:
    with pytest.raises(OutOfRange):
        new_tiles(5, 4)


def test_tile_contents_are_the_merkle_tree_hashes_the_spec_defines() -> None:
    nodes = _stored()

    level0 = tile_hashes(read_tile(nodes, Tile(0, 3), SIZE), 256)
    level1 = tile_hashes(read_tile(nodes, Tile(1, 1, 17), SIZE), 17)
    level2 = tile_hashes(read_tile(nodes, Tile(2, 0, 1), SIZE), 1)

    # MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]), tlog-tiles §"Merkle Tree"
    assert level0 == [leaf_hash(e) for e in ENTRIES[768:1024]]
    for i in (0, 9, 16):
        start = (256 + i) * 256
        assert level1[i] == reference.mth(ENTRIES[start : start + 256])
    assert level2 == [reference.mth(ENTRIES[:65536])]


def test_a_tile_beyond_the_tree_is_refused() -> None:
    with pytest.raises(OutOfRange, match=r"tile/0/273\.p/113"):
        read_tile(_stored(), Tile(0, 273, 113), SIZE)
    with pytest.raises(OutOfRange):
        read_tile(_stored(), Tile(2, 0, 1), 65535)


def test_tile_contents_of_the_wrong_length_are_refused() -> None:
    with pytest.raises(TileError, match="544 bytes"):
        tile_hashes(b"\x00" * 543, 17)


@pytest.mark.parametrize("size", [1, 255, 256, 257, 65535, 65536, 69_999, SIZE])
def test_proofs_from_mirrored_tiles_are_the_proofs_from_stored_nodes(size: int) -> None:
    fetched: list[Tile] = []

    def fetch(tile: Tile) -> bytes:
        fetched.append(tile)
        return read_tile(_stored(), tile, size)

    mirror = TileNodes(size, fetch)

    for index in {0, size // 2, size - 1}:
        assert inclusion_proof(mirror, index, size) == inclusion_proof(_stored(), index, size)
    for old in {1, size // 3 or 1, size - 1 or 1}:
        assert consistency_proof(mirror, old, size) == consistency_proof(_stored(), old, size)
    assert tree_hash(mirror, size) == tree_hash(_stored(), size)
    assert len(fetched) == len(set(fetched))  # each tile fetched once


def test_a_mirror_refuses_a_node_beyond_its_tree() -> None:
    mirror = TileNodes(100, lambda tile: read_tile(_stored(), tile, 100))

    with pytest.raises(OutOfRange):
        mirror.read_nodes([(2, 25)])


def test_an_entry_bundle_holds_length_prefixed_entries() -> None:
    entries = ENTRIES[:3]

    bundle = encode_entry_bundle(entries)

    assert bundle[:2] == b"\x00\x20"
    assert len(bundle) == 3 * 34
    assert parse_entry_bundle(bundle) == entries


@pytest.mark.parametrize("data", [b"\x00", b"\x00\x20" + b"\x00" * 31, b""])
def test_a_truncated_entry_bundle_is_refused(data: bytes) -> None:
    with pytest.raises(TileError):
        parse_entry_bundle(data)


def test_a_bundle_of_more_than_256_entries_is_refused() -> None:
    with pytest.raises(TileError):
        encode_entry_bundle(ENTRIES[:257])
