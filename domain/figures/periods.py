"""Reporting periods: a month ``YYYY-MM``, a quarter ``YYYY-Qn`` or a year ``YYYY``."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from domain.fact import DomainError

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_YEAR = re.compile(r"(\d{4})")


@dataclass(frozen=True)
class Period:
    """A run of whole months, named as the API names it."""

    name: str
    months: tuple[str, ...]  # "YYYY-MM", oldest first

    @property
    def first_day(self) -> date:
        """The first day of the period."""
        return month_start(self.months[0])

    @property
    def last_day(self) -> date:
        """The last day of the period."""
        return month_end(self.months[-1])


def parse_period(text: str, *, field: str = "period") -> Period:
    """The period ``text`` names; a clear refusal otherwise."""
    if match := _MONTH.fullmatch(text):
        return Period(text, (text,))
    if match := _QUARTER.fullmatch(text):
        year, quarter = int(match[1]), int(match[2])
        first = 3 * (quarter - 1) + 1
        return Period(text, tuple(f"{year:04d}-{m:02d}" for m in range(first, first + 3)))
    if _YEAR.fullmatch(text):
        return Period(text, tuple(f"{text}-{m:02d}" for m in range(1, 13)))
    raise DomainError("give a month YYYY-MM, a quarter YYYY-Qn or a year YYYY", field=field)


def previous(period: Period) -> Period:
    """The period of the same kind just before ``period`` (the month, quarter or year)."""
    first = _index(period.months[0]) - len(period.months)
    year, month = divmod(first, 12)
    if len(period.months) == 1:
        return parse_period(f"{year:04d}-{month + 1:02d}")
    if len(period.months) == 3:
        return parse_period(f"{year:04d}-Q{month // 3 + 1}")
    return parse_period(f"{year:04d}")


def months_between(first: str, last: str, *, limit: int = 120) -> tuple[str, ...]:
    """The months from ``first`` to ``last`` inclusive (both ``YYYY-MM``)."""
    for name, value in (("from", first), ("to", last)):
        if not _MONTH.fullmatch(value):
            raise DomainError("give a month YYYY-MM", field=name)
    start, end = _index(first), _index(last)
    if end < start:
        raise DomainError("to must not be before from", field="to")
    if end - start >= limit:
        raise DomainError(f"a series holds at most {limit} months", field="to")
    return tuple(_name(i) for i in range(start, end + 1))


def month_of(day: date) -> str:
    """The month ``YYYY-MM`` of ``day``."""
    return f"{day.year:04d}-{day.month:02d}"


def month_start(month: str) -> date:
    """The first day of ``month``."""
    return date(int(month[:4]), int(month[5:7]), 1)


@cache
def month_end(month: str) -> date:
    """The last day of ``month``."""
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, calendar.monthrange(year, number)[1])


def _index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
