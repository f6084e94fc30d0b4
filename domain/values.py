"""The values commands and requests share: text, codes, dates, measures and counts.

Each is an annotated type whose rules pydantic enforces and the OpenAPI document states
(``pattern``, ``minimum``/``maximum``, ``minLength``/``maxLength``), so a generated client or
a fuzzer sends what the service accepts, and every refusal is a 422 naming the field. The
facts in the log keep wider types (what earlier versions may have stored must still be read);
these are the rules for what is written from now on.

- **Text** is trimmed and refused when empty, or when it holds a control character (a line
  break or tab in a single-line field), a bidirectional override, isolate or mark (which
  make a text display otherwise than it reads: "Trojan Source", CVE-2021-42574), a byte
  order mark, or a lone surrogate (not encodable in UTF-8).
- **Codes and numbers of people** take ASCII digits only: ``str.isdigit`` and ``\\d`` also
  take "²", full-width or Arabic-Indic digits.
- **Dates** are ``YYYY-MM-DD`` strings: no number (read as Unix seconds), no date-time.
  Programme dates lie from 2000-01-01 to 2100-12-31; dates of a child's life are checked
  against its birth and the day of the command by the deciders.
- **Measures** are finite numbers (no NaN, no infinity, no ``true``) within ranges no child
  can fall outside (see ``domain.growth.rules``); the WHO flags still mark the implausible
  values inside them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Final

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from domain.fact import Wilayah as FactWilayah
from domain.growth.rules import (
    HEAD_RANGE_CM,
    LENGTH_RANGE_CM,
    MUAC_RANGE_CM,
    WEIGHT_RANGE_KG,
)

FIRST_DAY: Final = date(2000, 1, 1)
"""No programme date lies before it (Kampung KB began in 2016, TPPS with Perpres 72/2021)."""
LAST_DAY: Final = date(2100, 12, 31)
FIRST_YEAR: Final = FIRST_DAY.year
LAST_YEAR: Final = LAST_DAY.year
INT32_MAX: Final = 2**31 - 1
"""The largest value of an INTEGER column on PostgreSQL."""
SAFE_INT_MAX: Final = 2**53 - 1
"""The largest integer every JSON reader holds exactly (RFC 8785, I-JSON)."""


class Value(BaseModel):
    """A frozen, closed model for the parts of facts."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# Written with \x and \u escapes, which Python, the Rust regex engine of pydantic and the
# ECMA-262 patterns of JSON Schema all read alike.
_DIRECTION_AND_BOM: Final = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff"
LINE_PATTERN: Final = rf"^[^\x00-\x1f\x7f-\x9f{_DIRECTION_AND_BOM}]*$"
PROSE_PATTERN: Final = rf"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_DIRECTION_AND_BOM}]*$"
_LINE: Final = re.compile(LINE_PATTERN)
_PROSE: Final = re.compile(PROSE_PATTERN)
_ISO_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_MONTH_DAY: Final = r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DAY_PATTERN: Final = r"^[0-9]{4}" + _MONTH_DAY
PROGRAMME_DAY_PATTERN: Final = r"^(20[0-9]{2}|2100)" + _MONTH_DAY
LOG_DAY_PATTERN: Final = r"^([01][0-9]{3}|20[0-9]{2}|2100)" + _MONTH_DAY


def _characters(allowed: re.Pattern[str], message: str) -> tuple[AfterValidator, FieldInfo]:
    """The rule that refuses a text with a character ``allowed`` does not match (``message``
    says which), and the schema that states the pattern."""

    def clean(value: str) -> str:
        if not allowed.fullmatch(value):
            raise PydanticCustomError("text_characters", message)
        return value

    return AfterValidator(clean), Field(json_schema_extra={"pattern": allowed.pattern})


_LINE_RULES, _LINE_SCHEMA = _characters(
    _LINE,
    "write one line of text: no line breaks, tabs, control characters, "
    "direction overrides or byte order marks",
)
_PROSE_RULES, _PROSE_SCHEMA = _characters(
    _PROSE,
    "no control characters (line breaks and tabs are fine), direction overrides or "
    "byte order marks",
)


def _trimmed(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


def _code(pattern: str) -> StringConstraints:
    """A Kemendagri code, trimmed: at most 13 characters (dotted) matching ``pattern``."""
    return StringConstraints(strip_whitespace=True, max_length=13, pattern=pattern)


# One trimmed line of 1 to N characters (no line break, tab or other control character).
Line100 = Annotated[str, _trimmed(100), _LINE_RULES, _LINE_SCHEMA]
Line120 = Annotated[str, _trimmed(120), _LINE_RULES, _LINE_SCHEMA]
Line150 = Annotated[str, _trimmed(150), _LINE_RULES, _LINE_SCHEMA]
Line200 = Annotated[str, _trimmed(200), _LINE_RULES, _LINE_SCHEMA]
Line300 = Annotated[str, _trimmed(300), _LINE_RULES, _LINE_SCHEMA]
# Trimmed text of 1 to N characters, where line breaks and tabs are allowed.
Text500 = Annotated[str, _trimmed(500), _PROSE_RULES, _PROSE_SCHEMA]
Text1000 = Annotated[str, _trimmed(1000), _PROSE_RULES, _PROSE_SCHEMA]
Text4000 = Annotated[str, _trimmed(4000), _PROSE_RULES, _PROSE_SCHEMA]
Text50k = Annotated[str, _trimmed(50_000), _PROSE_RULES, _PROSE_SCHEMA]

Name = Line120
"""A person's name."""
Login = Line100
"""A login name or a role: never a person's name."""
Office = Line150
"""An office (OPD) or a position."""
Title = Line200
"""A title or a contact."""

Nik = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{16}$"),
    Field(description="16 ASCII digits; digits 7-12 are a date (DDMMYY, women's day + 40)."),
]
AreaCode = Annotated[
    str,
    _code(r"^([0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?|[0-9]{4}|[0-9]{6}|[0-9]{10})$"),
    Field(description="A Kemendagri area code or prefix: 32.79, 32.79.02.1001 or 3279021001."),
]
DesaCode = Annotated[
    str,
    _code(r"^([0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}|[0-9]{10})$"),
    Field(description="A desa/kelurahan code: 32.79.02.1001 (or 3279021001)."),
]


def _iso_day(value: object) -> object:
    """A date object, or text ``YYYY-MM-DD``: no number, no date-time."""
    if isinstance(value, datetime) or not isinstance(value, date | str):
        raise PydanticCustomError("date_type", "give a date as YYYY-MM-DD")
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise PydanticCustomError("date_type", "give a date as YYYY-MM-DD")
    return value


def _programme_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        window = {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
        raise PydanticCustomError("date_window", "give a date from {first} to {last}", window)
    return value


Day = Annotated[date, BeforeValidator(_iso_day), Field(json_schema_extra={"pattern": DAY_PATTERN})]
"""A calendar date written ``YYYY-MM-DD``; its window is the decider's to check."""
ProgrammeDay = Annotated[
    date,
    BeforeValidator(_iso_day),
    AfterValidator(_programme_day),
    Field(json_schema_extra={"pattern": PROGRAMME_DAY_PATTERN}),
]
"""A date of the programme: ``YYYY-MM-DD`` from 2000-01-01 to 2100-12-31."""


def _not_after_last_day(value: date) -> date:
    if value > LAST_DAY:
        raise PydanticCustomError(
            "date_window", "give a date up to {last}", {"last": str(LAST_DAY)}
        )
    return value


LogDay = Annotated[
    date,
    BeforeValidator(_iso_day),
    AfterValidator(_not_after_last_day),
    Field(json_schema_extra={"pattern": LOG_DAY_PATTERN}),
]
"""A date of a child's life as the log holds it: any year from 1 (earlier versions stored a
move or an exit in the year 26), none after 2100-12-31."""

Year = Annotated[int, Field(strict=True, ge=FIRST_YEAR, le=LAST_YEAR)]
"""A year of the programme, 2000 to 2100."""
Count = Annotated[int, Field(strict=True, ge=0, le=INT32_MAX)]
"""A whole number of people or things: 0 to 2^31 - 1 (an INTEGER column on PostgreSQL)."""
Percent = Annotated[int, Field(strict=True, ge=0, le=100)]
"""A whole percentage, 0 to 100."""
AgeDays = Annotated[int, Field(strict=True, ge=0, le=36_525)]
"""An age in days: 0 to a century (z-scores exist only under 60 months)."""
Version = Annotated[int, Field(strict=True, ge=0, le=INT32_MAX)]
"""A stream version."""
Position = Annotated[int, Field(strict=True, ge=0, le=SAFE_INT_MAX)]
"""A position in the log."""


def _measure(bounds: tuple[float, float], unit: str) -> FieldInfo:
    low, high = bounds
    info: FieldInfo = Field(
        strict=True,
        allow_inf_nan=False,
        ge=low,
        le=high,
        description=f"{low:g}-{high:g} {unit}: no child can measure outside; the WHO flags "
        "mark the implausible values inside.",
    )
    return info


Kilograms = Annotated[float, _measure(WEIGHT_RANGE_KG, "kg")]
LengthCm = Annotated[float, _measure(LENGTH_RANGE_CM, "cm")]
HeadCm = Annotated[float, _measure(HEAD_RANGE_CM, "cm")]
MuacCm = Annotated[float, _measure(MUAC_RANGE_CM, "cm")]
Int53 = Annotated[int, Field(ge=-SAFE_INT_MAX, le=SAFE_INT_MAX)]
"""Any integer a JSON reader holds exactly: what the canonical encoding (RFC 8785) writes."""
Int32 = Annotated[int, Field(ge=-INT32_MAX - 1, le=INT32_MAX)]
"""Any integer an INTEGER column holds on PostgreSQL."""
Finite = Annotated[float, Field(allow_inf_nan=False)]
"""Any finite number: what the canonical encoding (RFC 8785) can write."""
StrictFinite = Annotated[float, Field(strict=True, allow_inf_nan=False)]
"""A finite number, and not ``true``/``false``."""
StrictBool = Annotated[bool, Field(strict=True)]
"""``true`` or ``false`` only: not 1, "yes" or "on"."""


def is_line(value: str, max_length: int) -> bool:
    """Whether ``value`` is, once trimmed, one line of 1 to ``max_length`` characters."""
    trimmed = value.strip()
    return 0 < len(trimmed) <= max_length and _LINE.fullmatch(trimmed) is not None


def is_prose(value: str, max_length: int) -> bool:
    """Whether ``value`` is, once trimmed, 1 to ``max_length`` characters of text."""
    trimmed = value.strip()
    return 0 < len(trimmed) <= max_length and _PROSE.fullmatch(trimmed) is not None


def ascii_digits(value: str, max_digits: int) -> bool:
    """Whether ``value`` is 1 to ``max_digits`` ASCII digits (``str.isdigit`` takes "²")."""
    return 0 < len(value) <= max_digits and value.isascii() and value.isdigit()


# -- what the facts in the log hold (wider than what may be written, narrow enough to be
# projected into the columns of both databases) ------------------------------------------

Wilayah = FactWilayah
"""An area code in its canonical dotted form, as every fact states it."""
Ident = Annotated[str, StringConstraints(min_length=1, max_length=36)]
"""The id of a thing: a UUID in text."""
Str63 = Annotated[str, StringConstraints(max_length=63)]
Str100 = Annotated[str, StringConstraints(max_length=100)]
Str120 = Annotated[str, StringConstraints(max_length=120)]
Str150 = Annotated[str, StringConstraints(max_length=150)]
Str200 = Annotated[str, StringConstraints(max_length=200)]
