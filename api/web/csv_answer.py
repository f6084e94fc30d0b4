"""CSV answers: the one writer every CSV of the API goes through.

A spreadsheet opening a CSV runs a text cell that begins with ``=``, ``+``, ``-`` or ``@``
as a formula (and some take a leading tab or carriage return for one), so a desa or
kecamatan named ``=cmd|' /C calc'!A0`` would run on an official's computer. Such a text cell
is written with a leading apostrophe, which spreadsheets show as plain text (the OWASP
advice for CSV injection). Numbers are written as numbers, never prefixed: a z-score or a
change of prevalence of ``-2.1`` stays ``-2.1``. An empty value is an empty cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Final

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """A value as a safe CSV cell: text that could start a formula gets a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Sequence[object]], *, line_end: str = "\r\n") -> str:
    """The CSV text of ``rows`` (the first one the header), every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()
