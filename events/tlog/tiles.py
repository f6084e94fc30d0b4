"""The tree as C2SP tlog-tiles: tile paths, tile contents, entry bundles, tiles of a size.

A tile at tlog-tiles level L, index N holds up to 256 consecutive Merkle tree hashes at
tree level 8·L, starting at node index N·256: in ``merkle``'s addressing, the nodes
``(8L, N·256 + i)`` for i < W. Level-0 tiles hold leaf hashes. A full tile has W = 256
(8,192 bytes); the rightmost tile of a level in a tree of size s is partial, of width
``floor(s / 256^L) mod 256``, and is served at ``tile/<L>/<N>.p/<W>``. N is written in
3-digit path elements, all but the last prefixed ``x`` (1234067 → ``x001/x234/067``).

Because every tile hash is a complete node, serving a tile is one batch read of stored
nodes (``read_tile``), and a tile once full never changes (immutable, cacheable). The
other way round, ``TileNodes`` is a ``NodeReader`` over tiles fetched from a log, so an
auditor who mirrored the tiles computes any proof with ``events.tlog.proofs``.

Entry bundles (``tile/entries/<N>[.p/<W>]``) hold the leaves' entries, each prefixed by
its length as a big-endian uint16; in Tumbuh an entry is the 32-byte event hash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from events.tlog.errors import OutOfRange, TileError
from events.tlog.merkle import HASH_SIZE, NodeId, NodeReader, node_hash

TILE_HEIGHT: Final = 8
TILE_WIDTH: Final = 1 << TILE_HEIGHT
MAX_TILE_LEVEL: Final = 63
_MAX_ENTRY: Final = 0xFFFF
_LEVEL: Final = re.compile(r"0|[1-9][0-9]?")
_WIDTH: Final = re.compile(r"[1-9][0-9]{0,2}")
_GROUP: Final = re.compile(r"x[0-9]{3}")
_LAST_GROUP: Final = re.compile(r"[0-9]{3}")


def _check_width(width: int) -> None:
    if not 1 <= width <= TILE_WIDTH:
        raise TileError(f"a tile holds 1 to {TILE_WIDTH} hashes, not {width}")


def encode_tile_index(index: int) -> str:
    """N in 3-digit path elements, all but the last prefixed ``x``: 1234067 → x001/x234/067."""
    if index < 0:
        raise TileError(f"a tile index is not negative: {index}")
    digits = str(index)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join([*(f"x{group}" for group in groups[:-1]), groups[-1]])


def _suffix(width: int) -> str:
    return "" if width == TILE_WIDTH else f".p/{width}"


@dataclass(frozen=True, slots=True, order=True)
class Tile:
    """Hash tile ``index`` of tlog-tiles level ``level``, ``width`` hashes wide."""

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not 0 <= self.level <= MAX_TILE_LEVEL:
            raise TileError(f"a tile level is 0 to {MAX_TILE_LEVEL}, not {self.level}")
        if self.index < 0:
            raise TileError(f"a tile index is not negative: {self.index}")
        _check_width(self.width)

    @property
    def path(self) -> str:
        """The tile's path below the log's prefix."""
        return f"tile/{self.level}/{encode_tile_index(self.index)}{_suffix(self.width)}"

    def node_ids(self) -> list[NodeId]:
        """The complete nodes whose hashes the tile lists, in order."""
        level, first = TILE_HEIGHT * self.level, self.index * TILE_WIDTH
        return [(level, first + i) for i in range(self.width)]

    def fits(self, size: int) -> bool:
        """Whether every hash of the tile exists in the tree of ``size`` leaves."""
        return (self.index * TILE_WIDTH + self.width) << (TILE_HEIGHT * self.level) <= size


@dataclass(frozen=True, slots=True, order=True)
class EntryBundle:
    """Entry bundle ``index``: the entries of leaves ``[index·256, index·256 + width)``."""

    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if self.index < 0:
            raise TileError(f"a bundle index is not negative: {self.index}")
        _check_width(self.width)

    @property
    def path(self) -> str:
        """The bundle's path below the log's prefix."""
        return f"tile/entries/{encode_tile_index(self.index)}{_suffix(self.width)}"

    def leaves(self) -> range:
        """The leaf indexes whose entries the bundle holds."""
        first = self.index * TILE_WIDTH
        return range(first, first + self.width)


def parse_tile_path(path: str) -> Tile | EntryBundle:
    """The tile or bundle that ``path`` (``tile/...`` below the prefix) names, exactly."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise TileError(f"not a tile path: {path!r}")
    width = TILE_WIDTH
    if parts[-2].endswith(".p"):
        if not _WIDTH.fullmatch(parts[-1]) or int(parts[-1]) >= TILE_WIDTH:
            raise TileError(f"a partial tile's width is 1 to {TILE_WIDTH - 1}: {path!r}")
        width = int(parts[-1])
        parts = [*parts[:-2], parts[-2][:-2]]
    groups = parts[2:]
    if not groups:
        raise TileError(f"not a tile path: {path!r}")
    if not all(_GROUP.fullmatch(g) for g in groups[:-1]) or not _LAST_GROUP.fullmatch(groups[-1]):
        raise TileError(f"a tile index is written in x-prefixed 3-digit elements: {path!r}")
    index = int("".join(g.removeprefix("x") for g in groups))
    if encode_tile_index(index) != "/".join(groups):
        raise TileError(f"a tile index has no leading zero elements: {path!r}")
    if parts[1] == "entries":
        return EntryBundle(index, width)
    if not _LEVEL.fullmatch(parts[1]) or int(parts[1]) > MAX_TILE_LEVEL:
        raise TileError(f"a tile level is 0 to {MAX_TILE_LEVEL} without leading zeros: {path!r}")
    return Tile(int(parts[1]), index, width)


def _level_tiles(level: int, first: int, count: int) -> Iterator[Tile]:
    """The tiles of ``level`` holding hashes ``[first, count)`` of that level."""
    for index in range(first // TILE_WIDTH, (count - 1) // TILE_WIDTH + 1):
        yield Tile(level, index, min(TILE_WIDTH, count - index * TILE_WIDTH))


def tiles_for_size(size: int) -> Iterator[Tile]:
    """Every tile of the tree of ``size`` leaves: per level, the full tiles, then the partial."""
    return new_tiles(0, size)


def new_tiles(old_size: int, new_size: int) -> Iterator[Tile]:
    """The tiles that growing the tree from ``old_size`` to ``new_size`` creates or widens."""
    if not 0 <= old_size <= new_size:
        raise OutOfRange(f"a tree grows, it does not go from {old_size} to {new_size} leaves")
    return _grown(old_size, new_size)


def _grown(old_size: int, new_size: int) -> Iterator[Tile]:
    level = 0
    while new_size >> (TILE_HEIGHT * level):
        old = old_size >> (TILE_HEIGHT * level)
        new = new_size >> (TILE_HEIGHT * level)
        if new > old:
            yield from _level_tiles(level, old, new)
        level += 1


def read_tile(reader: NodeReader, tile: Tile, size: int) -> bytes:
    """The contents of ``tile`` in the tree of ``size`` leaves: its hashes, concatenated."""
    if not tile.fits(size):
        raise OutOfRange(f"{tile.path} lies beyond a tree of {size} leaves")
    return b"".join(reader.read_nodes(tile.node_ids()))


def tile_hashes(data: bytes, width: int) -> list[bytes]:
    """The hashes of a tile's contents, refusing contents of the wrong length."""
    _check_width(width)
    if len(data) != width * HASH_SIZE:
        raise TileError(f"a tile of {width} hashes is {width * HASH_SIZE} bytes, not {len(data)}")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """An entry bundle: each entry prefixed by its length as a big-endian uint16."""
    _check_width(len(entries))
    for entry in entries:
        if len(entry) > _MAX_ENTRY:
            raise TileError(f"an entry is at most {_MAX_ENTRY} bytes, not {len(entry)}")
    return b"".join(len(entry).to_bytes(2, "big") + entry for entry in entries)


def parse_entry_bundle(data: bytes) -> list[bytes]:
    """The entries of a bundle, refusing a truncated or overlong one."""
    entries: list[bytes] = []
    offset = 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise TileError("the bundle ends inside an entry's length")
        length = int.from_bytes(data[offset : offset + 2], "big")
        entry = data[offset + 2 : offset + 2 + length]
        if len(entry) != length:
            raise TileError(f"the bundle ends inside entry #{len(entries)}")
        entries.append(entry)
        offset += 2 + length
    _check_width(len(entries))
    return entries


class TileNodes:
    """A ``NodeReader`` over the tiles of a tree of ``size`` leaves, as an auditor mirrors them.

    Nodes at levels between tile levels are hashed from the tile below; the tiles are
    trusted as given, so check the proofs computed from them against a signed checkpoint.
    """

    def __init__(self, size: int, fetch: Callable[[Tile], bytes]) -> None:
        self.size = size
        self._fetch = fetch
        self._tiles: dict[Tile, list[bytes]] = {}

    def _tile(self, level: int, index: int) -> list[bytes]:
        count = self.size >> (TILE_HEIGHT * level)
        tile = Tile(level, index, min(TILE_WIDTH, count - index * TILE_WIDTH))
        if tile not in self._tiles:
            self._tiles[tile] = tile_hashes(self._fetch(tile), tile.width)
        return self._tiles[tile]

    def read_nodes(self, ids: Sequence[NodeId]) -> list[bytes]:
        """The hashes of ``ids``, hashed up from the tiles that hold them."""
        return [self._node(level, index) for level, index in ids]

    def _node(self, level: int, index: int) -> bytes:
        if (index + 1) << level > self.size:
            raise OutOfRange(f"node ({level}, {index}) is not in a tree of {self.size} leaves")
        tile_level, height = divmod(level, TILE_HEIGHT)
        first = (
            index << height
        )  # the node covers hashes [first, first + 2^height) of the tile level
        hashes = self._tile(tile_level, first // TILE_WIDTH)
        offset = first % TILE_WIDTH
        layer = hashes[offset : offset + (1 << height)]
        while len(layer) > 1:
            layer = [node_hash(layer[i], layer[i + 1]) for i in range(0, len(layer), 2)]
        return layer[0]
