"""The printable minutes (notulen) of a meeting: a standalone HTML page and CommonMark.

Both are written from one outline (``outline.py``), so they say the same. The page comes
from the templates in ``templates/`` with autoescaping on; the CommonMark text escapes each
line itself (``_md``), as minutes come from users.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from typing import Final

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from api.meetings.outline import (
    SIGNATURE_LINE,
    Block,
    Fields,
    Items,
    Label,
    Mark,
    MinutesView,
    Prose,
    Section,
    Sub,
    Table,
    footer,
    numbered,
    outline,
    place,
)
from api.meetings.wording import NONE

__all__ = ["html", "markdown"]


def _escaped(value: object) -> object:
    """A value as a template writes it: markup from a macro as it is, anything else escaped
    as the standard library escapes it (quotes as ``&quot;`` and ``&#x27;``), as the page
    always has been."""
    if isinstance(value, Markup):
        return value
    return Markup(escape(str(value)))  # noqa: S704 (escaped on this line)


def _is(kind: type) -> Callable[[object], bool]:
    """A template test: is the value a ``kind``?"""
    return lambda value: isinstance(value, kind)


_TEMPLATES: Final = Environment(
    loader=PackageLoader("api.meetings"),
    autoescape=True,
    undefined=StrictUndefined,
    finalize=_escaped,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_TEMPLATES.tests.update(
    sub=_is(Sub),
    prose=_is(Prose),
    fields=_is(Fields),
    items=_is(Items),
    mark=_is(Mark),
    numeric=lambda cell: re.fullmatch(r"[\d.,%]+", cell) is not None,
)
_TEMPLATES.globals.update(numbered=numbered, signature_line=SIGNATURE_LINE)
_PAGE: Final = _TEMPLATES.get_template("minutes.html")


def html(view: MinutesView) -> str:
    """The minutes as a standalone, printable HTML5 document (A4, no external resources)."""
    return _PAGE.render(
        title=view.meeting.title,
        sections=outline(view),
        place=place(view),
        footer=footer(view),
    )


def markdown(view: MinutesView) -> str:
    """The minutes as CommonMark (tables as in GitHub Flavored Markdown)."""
    parts = [
        "# NOTULEN RAPAT — *Minutes of meeting*",
        f"**{_md(view.meeting.title)}**",
        *(_md_section(s) for s in outline(view)),
        _md_signatures(view),
        f"*{_md(footer(view))}*",
    ]
    return "\n\n".join(parts) + "\n"


def _md(text: str) -> str:
    """One line of inline text, escaped so it cannot change the document's structure."""
    line = re.sub(r"([\\`*_\[\]<>#|&~!])", r"\\\1", " ".join(text.split()))
    line = re.sub(r"^(\d{1,9})([.)])(?=\s|$)", r"\1\\\2", line)
    return re.sub(r"^([-+=])", r"\\\1", line)


def _md_label(label: Label) -> str:
    return f"{_md(label.id)} / *{_md(label.en)}*" if label.en else _md(label.id)


def _md_section(section: Section) -> str:
    gloss = f" — *{_md(section.title.en)}*" if section.title.en else ""
    title = f"## {_md(section.title.id)}{gloss}"
    return "\n\n".join([title, *(_md_block(b) for b in section.blocks)])


def _md_block(block: Block) -> str:
    match block:
        case Sub(title):
            return f"### {_md(title)}"
        case Prose(text):
            paragraphs = re.split(r"\n[ \t]*\n", text.strip())
            return "\n\n".join(
                "\\\n".join(_md(line) for line in p.splitlines() if line.strip())
                for p in paragraphs
            )
        case Fields(rows):
            return "\n".join(f"- **{_md_label(k)}**: {_md(v)}" for k, v in rows)
        case Items(title, items, numbered):
            caption = f"**{_md_label(title)}**:" if title else ""
            if not items:
                return f"{caption} {NONE}".strip()
            entries = "\n".join(
                f"{n}. {_md(i)}" if numbered else f"- {_md(i)}" for n, i in enumerate(items, 1)
            )
            return f"{caption}\n\n{entries}" if caption else entries
    return _md_table(block)


def _md_table(table: Table) -> str:
    if not table.rows:
        return f"Tidak ada {NONE} *none*"
    labels, body = numbered(table)
    lines = ["| " + " | ".join(_md_label(h) for h in labels) + " |", "|" + " --- |" * len(labels)]
    for row in body:
        cells = [f"**{_md(c.text)}**" if isinstance(c, Mark) else _md(c) for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    note = f"\n\n*{_md(table.note)}*" if table.note else ""
    return "\n".join(lines) + note


def _md_signatures(view: MinutesView) -> str:
    return "\n".join(
        [
            _md(place(view)),
            "",
            "| Pimpinan Rapat (*Chair*) | Notulis (*Minute-taker*) |",
            "| :---: | :---: |",
            *(["| | |"] * 3),
            f"| {SIGNATURE_LINE} | {SIGNATURE_LINE} |",
        ]
    )
