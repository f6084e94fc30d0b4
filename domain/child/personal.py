"""Personal fields: NIK checks and masking for answers without ``pii:read``.

A NIK (Nomor Induk Kependudukan) has 16 digits; the 7th-12th are the birth date DDMMYY.

Women's NIKs add 40 to the day. Infants often have no NIK, so it is optional; a given one is
refused when it is not 16 digits or its date part is impossible.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from domain.fact import DomainError

_DIGITS: Final = re.compile(r"[0-9]{16}")  # ASCII: \d also takes full-width and other digits
_WOMEN_DAY_OFFSET: Final = 40


def check_nik(nik: str | None, *, field: str) -> None:
    """Refuse a NIK that is not 16 digits with a possible date part (the value is not echoed)."""
    if nik is None:
        return
    if not _DIGITS.fullmatch(nik):
        raise DomainError("a NIK has exactly 16 digits", field=field)
    if not _plausible_date(int(nik[6:8]), int(nik[8:10]), int(nik[10:12])):
        raise DomainError("the NIK's date part (digits 7-12, DDMMYY) is impossible", field=field)


def _plausible_date(day: int, month: int, year: int) -> bool:
    if day > _WOMEN_DAY_OFFSET:
        day -= _WOMEN_DAY_OFFSET
    for century in (2000, 1900):  # 29 February needs a leap year in either century
        try:
            date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


def mask_nik(nik: str | None) -> str | None:
    """The NIK as ``3279********0001``: region and last four digits only."""
    return None if nik is None else nik[:4] + "*" * 8 + nik[-4:]


def initials(name: str | None) -> str | None:
    """A name as its initials (``A. D. S.``), for answers without ``pii:read``."""
    if name is None:
        return None
    return " ".join(part[0].upper() + "." for part in name.split()) or None
