"""Wilayah (area) codes of Kemendagri: parsing, prefixes and reach checks; pure.

A code is ``PP.KK.CC.DDDD``: provinsi, kab/kota, kecamatan, desa/kelurahan. The dotted form
is canonical; the undotted digits (2, 4, 6 or 10 of them) are accepted on input. A prefix
names an area and everything under it: ``32.79`` covers ``32.79.02.1001``. The prefix
``*`` stands for the whole installation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import Final

from domain.fact import DomainError

EVERYWHERE: Final = "*"
_DOTTED = re.compile(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?")
_UNDOTTED = re.compile(r"\d{2}|\d{4}|\d{6}|\d{10}")
_GROUPS: Final = (2, 2, 2, 4)


class Level(IntEnum):
    """How deep a code goes, by its number of groups."""

    PROVINSI = 1
    KABKOTA = 2
    KECAMATAN = 3
    DESA = 4


class InvalidWilayah(DomainError):
    """A code that is not a Kemendagri area code (or prefix of one)."""

    code = "invalid-wilayah"


def parse(text: str, *, field: str = "wilayah") -> str:
    """The canonical dotted form of an area code or prefix; refuses anything else."""
    value = text.strip()
    if _DOTTED.fullmatch(value):
        return value
    if _UNDOTTED.fullmatch(value):
        groups, start = [], 0
        for width in _GROUPS:
            if start >= len(value):
                break
            groups.append(value[start : start + width])
            start += width
        return ".".join(groups)
    raise InvalidWilayah(
        "an area code looks like 32.79 or 32.79.02.1001 (or the same digits without dots)",
        field=field,
    )


def parse_desa(text: str, *, field: str = "wilayah") -> str:
    """The canonical code of one desa/kelurahan (all four groups)."""
    code = parse(text, field=field)
    if level(code) is not Level.DESA:
        raise InvalidWilayah("a desa or kelurahan code has four groups: 32.79.02.1001", field=field)
    return code


def parse_prefix(text: str, *, field: str = "wilayah") -> str:
    """A reach prefix: an area code at any level, or ``*`` for the whole installation."""
    return EVERYWHERE if text.strip() == EVERYWHERE else parse(text, field=field)


def level(code: str) -> Level:
    """The level of a canonical code."""
    return Level(code.count(".") + 1)


def covers(prefix: str, code: str) -> bool:
    """Whether the area ``prefix`` contains (or is) the area ``code``."""
    return prefix in (EVERYWHERE, code) or code.startswith(prefix + ".")


def within(reach: Iterable[str], code: str) -> bool:
    """Whether any prefix of ``reach`` covers ``code``."""
    return any(covers(prefix, code) for prefix in reach)


def common(codes: Sequence[str]) -> str | None:
    """The deepest area code holding all ``codes`` (None when they have none in common)."""
    if not codes:
        return None
    shortest = min(codes, key=len).split(".")
    parts: list[str] = []
    for n, part in enumerate(shortest):
        if all(c.split(".")[n] == part for c in codes):
            parts.append(part)
        else:
            break
    return ".".join(parts) or None


def normalise_reach(prefixes: Iterable[str]) -> tuple[str, ...]:
    """Parsed, sorted prefixes without those another prefix already covers."""
    parsed = {parse_prefix(p) for p in prefixes}
    if EVERYWHERE in parsed:
        return (EVERYWHERE,)
    kept = [p for p in parsed if not any(q != p and covers(q, p) for q in parsed)]
    return tuple(sorted(kept))
