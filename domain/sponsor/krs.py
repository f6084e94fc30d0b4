"""The KRS family lists of BKKBN's Pendataan Keluarga (PK), as CSV or JSON rows: reading
and checking them, row by row; pure (which desa exist is the caller's to say).

The documented CSV header (JSON objects carry the same keys)::

    family_id,desa,round,no_safe_water,no_latrine,wife_under_20,wife_over_35,
    birth_spacing_under_2y,more_than_3_children,baduta,balita,pregnant

Booleans are ``0``/``1`` (JSON also ``true``/``false``), counts whole numbers. A family is
*at risk of stunting* (KRS) when it has a baduta, a balita or a pregnant mother and at
least one risk factor. Rows are numbered from 1, the header not counted.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from domain import wilayah
from domain.fact import DomainError
from domain.sponsor.events import PkRound, RiskFactor

SOURCE: Final = "bkkbn-pk"
MAX_ROWS: Final = 50_000
RISK_COLUMNS: Final = tuple(r.value for r in RiskFactor)
HEADER: Final = ("family_id", "desa", "round", *RISK_COLUMNS, "baduta", "balita", "pregnant")
_ID: Final = re.compile(r"[A-Za-z0-9._/-]{1,64}")
_ROUND: Final = re.compile(r"\d{4}(-[A-Za-z0-9]{1,8})?")
_TRUE: Final = {"1", "true"}
_FALSE: Final = {"0", "false"}


class BadFile(DomainError):
    """The file as a whole cannot be read (wrong header, not CSV or JSON rows): 422."""

    code = "bad-file"


class TooManyRows(DomainError):
    """More rows than one request takes: 413."""

    status = 413
    code = "too-many-rows"


@dataclass(frozen=True)
class KrsRow:
    """A checked row: a family's data in one PK round."""

    number: int
    family_id: str
    desa: str
    data: PkRound


@dataclass(frozen=True)
class Refusal:
    """A row that is not imported, and why (the reason never echoes a value)."""

    row: int
    reason: str


def read_csv(text: str) -> list[dict[str, str]]:
    """The rows of a CSV with exactly the documented header (422 otherwise, 413 when over
    ``MAX_ROWS``)."""
    # newline="": the csv module then ends a line at CR, LF or CRLF alike, as RFC 4180 and
    # the files of old spreadsheets need (with the default, a CR-only file raised).
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        return _rows(reader)
    except csv.Error:
        raise BadFile("the file is not CSV (look for an unclosed quote)", field="body") from None


def _rows(reader: Iterator[list[str]]) -> list[dict[str, str]]:
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != HEADER:
        raise BadFile("the header is: " + ",".join(HEADER), field="header")
    rows: list[dict[str, str]] = []
    for line in reader:
        if not any(cell.strip() for cell in line):
            continue
        if len(rows) >= MAX_ROWS:
            raise TooManyRows(f"at most {MAX_ROWS} rows in one request")
        rows.append(dict(zip(HEADER, line, strict=False)) | {"__cells": str(len(line))})
    return rows


def read_objects(items: object) -> list[dict[str, object]]:
    """JSON objects with the CSV's keys (413 when over ``MAX_ROWS``)."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise BadFile("send a JSON array of objects with the CSV's keys", field="body")
    if len(items) > MAX_ROWS:
        raise TooManyRows(f"at most {MAX_ROWS} rows in one request")
    return [dict(i) for i in items]


def check(rows: Iterable[Mapping[str, object]]) -> tuple[list[KrsRow], list[Refusal]]:
    """Each row checked on its own; a family id a second time in the file is refused."""
    good: list[KrsRow] = []
    refused: list[Refusal] = []
    first: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        try:
            checked = _row(number, row)
        except DomainError as refusal:
            named = refusal.field is None or refusal.detail.startswith(refusal.field)
            refused.append(
                Refusal(number, refusal.detail if named else f"{refusal.field}: {refusal.detail}")
            )
            continue
        if checked.family_id in first:
            refused.append(Refusal(number, f"family_id repeats row {first[checked.family_id]}"))
            continue
        first[checked.family_id] = number
        good.append(checked)
    return good, refused


def _row(number: int, row: Mapping[str, object]) -> KrsRow:
    cells = row.get("__cells")
    if cells is not None and int(str(cells)) != len(HEADER):
        raise DomainError(f"a row has {len(HEADER)} cells")
    unknown = sorted(k for k in row if k not in HEADER and k != "__cells")
    if unknown:
        raise DomainError(f"unknown key {unknown[0]}")
    family_id = _text(row, "family_id")
    if not _ID.fullmatch(family_id):
        raise DomainError("family_id is 1-64 letters, digits, '.', '_', '/' or '-'")
    round_ = _text(row, "round")
    if not _ROUND.fullmatch(round_):
        raise DomainError("round is a year, optionally with a suffix: 2024 or 2024-2")
    desa = wilayah.parse_desa(_text(row, "desa"), field="desa")
    risks = tuple(RiskFactor(r) for r in RISK_COLUMNS if _flag(row, r))
    baduta, balita, pregnant = _count(row, "baduta"), _count(row, "balita"), _flag(row, "pregnant")
    if baduta > balita:
        raise DomainError("baduta (under two) are among the balita: at most as many")
    krs = bool(risks) and (balita > 0 or pregnant)
    data = PkRound(
        round=round_, krs=krs, risks=risks, baduta=baduta, balita=balita, pregnant=pregnant
    )
    return KrsRow(number, family_id, desa, data)


def _text(row: Mapping[str, object], key: str) -> str:
    value = row.get(key)
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise DomainError(f"{key} is missing")
    return str(value).strip()


def _flag(row: Mapping[str, object], key: str) -> bool:
    value = row.get(key)
    text = str(value).strip().lower() if value is not None else ""
    if isinstance(value, bool):
        return value
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise DomainError(f"{key} is 0 or 1")


def _count(row: Mapping[str, object], key: str) -> int:
    value = row.get(key)
    if isinstance(value, bool):
        raise DomainError(f"{key} is a whole number, 0 or more")
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or len(text) > 3:
        raise DomainError(f"{key} is a whole number, 0 or more")
    return int(text)
