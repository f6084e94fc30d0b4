"""The shared value rules: text characters, ASCII digits, dates written as dates."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import TypeAdapter, ValidationError

from domain.values import Line120, ProgrammeDay, Text500, ascii_digits, is_line

_LINE = TypeAdapter(Line120)
_TEXT = TypeAdapter(Text500)
_DAY = TypeAdapter(ProgrammeDay)


@pytest.mark.parametrize(
    "text", ["A\nB", "A\tB", "A\x7fB", "A\x85B", "A\u202eB", "A\u2067B", "\ufeffA", " "]
)
def test_a_line_with_a_break_a_control_or_a_direction_mark_or_nothing_is_refused(
    text: str,
) -> None:
    with pytest.raises(ValidationError):
        _LINE.validate_python(text)

    assert not is_line(text, 120)


def test_a_line_is_trimmed_and_may_hold_any_script() -> None:
    assert _LINE.validate_python("  Siti Nurhaliza bin Ahmad  ") == "Siti Nurhaliza bin Ahmad"
    assert _LINE.validate_python("محمد 山田 Ñoño") == "محمد 山田 Ñoño"


def test_text_may_hold_line_breaks_and_tabs_but_no_other_control() -> None:
    assert _TEXT.validate_python("satu\r\ndua\tkolom") == "satu\r\ndua\tkolom"
    with pytest.raises(ValidationError):
        _TEXT.validate_python("satu\x07dua")


@pytest.mark.parametrize(
    "value",
    [1735689600, 1735689600.0, "2025-01-01T00:00:00", "2025-1-1", "1999-12-31", "2101-01-01", True],
)
def test_a_programme_date_is_a_yyyy_mm_dd_text_from_2000_to_2100(value: object) -> None:
    with pytest.raises(ValidationError):
        _DAY.validate_python(value)

    assert _DAY.validate_python("2000-01-01") == date(2000, 1, 1)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("123", True),
        ("²", False),
        ("\uff11\uff12", False),
        ("٣", False),
        ("1234567890", False),
        ("", False),
    ],
)
def test_ascii_digits_take_nothing_but_0_to_9(text: str, ok: bool) -> None:
    assert ascii_digits(text, 9) is ok
