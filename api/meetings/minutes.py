"""The printable minutes (notulen) of a meeting: a standalone HTML page and CommonMark.

Both are written from one outline, so they say the same: the title block, agenda,
attendance (names only for readers who may see personal data), the areas' reports with the
figures the meeting saw, the minutes text, the resolutions as they stand today, the
documents and a signature block. Headings are Indonesian with English in small type; every
piece of user text is escaped, as minutes come from users.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Final

from domain.meeting import events as e
from domain.meeting.decider import (
    MeetingState,
    MeetingStatus,
    Report,
    ResolutionState,
    ResolutionStatus,
)
from domain.meeting.targets import INDICATORS, Direction

__all__ = ["MinutesView", "html", "markdown"]

NONE: Final = "—"
_DAYS: Final = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS: Final = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_LEVELS: Final = {
    e.Level.KOTA: "Kota",
    e.Level.KECAMATAN: "Kecamatan",
    e.Level.DESA: "Desa/Kelurahan",
    e.Level.KAMPUNG_KB: "Kampung KB",
}
_OBSTACLES: Final = {
    e.Obstacle.DATA: "Data",
    e.Obstacle.KADER: "Kader",
    e.Obstacle.BUDGET: "Anggaran",
    e.Obstacle.ACCESS: "Akses",
    e.Obstacle.BEHAVIOUR: "Perilaku",
    e.Obstacle.OTHER: "Lainnya",
}
_KINDS: Final = {
    e.DocumentKind.INVITATION: "Undangan",
    e.DocumentKind.MINUTES: "Notulen",
    e.DocumentKind.ATTENDANCE: "Daftar hadir",
    e.DocumentKind.PHOTO: "Foto",
    e.DocumentKind.OTHER: "Lainnya",
}
_RESOLVED: Final = {
    ResolutionStatus.OPEN: "Terbuka",
    ResolutionStatus.DONE: "Selesai",
    ResolutionStatus.DROPPED: "Dibatalkan",
}
_INDICATOR_NAMES: Final = {
    "coverage": "Cakupan D/S",
    "measured": "Balita diukur (D)",
    "measured_valid_haz": "Diukur, TB/U sah",
    "prevalence_stunting": "Prevalensi stunting",
    "stunted": "Balita stunting",
    "severely_stunted": "Sangat pendek",
    "wasted": "Gizi kurang",
    "underweight": "Berat badan kurang",
    "new_stunting": "Stunting baru",
    "flagged": "Pengukuran ditandai",
}
_SIGN: Final = {Direction.AT_LEAST: "≥", Direction.AT_MOST: "≤"}
_LINE: Final = "( ........................ )"


@dataclass(frozen=True)
class MinutesView:
    """What the minutes of one meeting show, as the reader may see it on ``today``."""

    meeting_id: str
    meeting: MeetingState
    names: Mapping[str, str]
    resolutions: Sequence[tuple[str, ResolutionState]]
    officials: Sequence[e.Official] | None
    today: date


@dataclass(frozen=True)
class Label:
    """A heading in Indonesian and its English gloss."""

    id: str
    en: str = ""


@dataclass(frozen=True)
class Mark:
    """Cell text that must stand out (an overdue resolution)."""

    text: str


Cell = str | Mark


@dataclass(frozen=True)
class Fields:
    """Labelled values."""

    rows: tuple[tuple[Label, str], ...]


@dataclass(frozen=True)
class Items:
    """A titled list, numbered or not."""

    title: Label | None
    items: tuple[str, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Table:
    """A table with a numbered first column and a note below."""

    head: tuple[Label, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""
    numbered: bool = True


@dataclass(frozen=True)
class Prose:
    """Text whose line breaks are kept."""

    text: str


@dataclass(frozen=True)
class Sub:
    """A sub-heading."""

    title: str


Block = Fields | Items | Table | Prose | Sub


@dataclass(frozen=True)
class Section:
    """A titled part of the minutes."""

    title: Label
    blocks: tuple[Block, ...]


def long_date(day: date) -> str:
    """``day`` in Indonesian with its weekday: "Selasa, 15 Juli 2025"."""
    return f"{_DAYS[day.weekday()]}, {short_date(day)}"


def short_date(day: date) -> str:
    """``day`` in Indonesian: "15 Juli 2025"."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def percent(fraction: float | None) -> str:
    """A fraction as a percentage with one decimal, Indonesian style: "87,5%"."""
    return NONE if fraction is None else f"{fraction * 100:.1f}".replace(".", ",") + "%"


def _count(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".") if value == int(value) else str(value)


def _area(names: Mapping[str, str], code: str) -> str:
    name = names.get(code)
    return f"{name} ({code})" if name else code


def _period(name: str) -> str:
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", name):
        return f"{_MONTHS[int(name[5:]) - 1]} {name[:4]}"
    return name


def _size(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f}".replace(".", ",") + f" {unit}"
    return f"{size} B"


def outline(view: MinutesView) -> tuple[Section, ...]:
    """The sections of the minutes, in order, as plain (unescaped) text."""
    m = view.meeting
    return (
        Section(Label("Keterangan", "Particulars"), (_particulars(view),)),
        Section(Label("Agenda"), (Items(None, m.agenda, numbered=True),)),
        Section(Label("Daftar Hadir", "Attendance"), (_attendance(m, view.officials),)),
        Section(Label("Laporan Wilayah", "Area reports"), _reports(m.reports, view.names)),
        Section(Label("Isi Rapat", "Proceedings"), (_proceedings(m),)),
        Section(Label("Keputusan Rapat", "Resolutions"), (_resolutions(view),)),
        Section(Label("Dokumen", "Documents"), (_documents(m.documents),)),
    )


def _particulars(view: MinutesView) -> Fields:
    m = view.meeting
    when = long_date(m.date)
    if m.status is MeetingStatus.HELD and m.held_on is not None and m.held_on != m.date:
        when = f"{long_date(m.held_on)} (direncanakan {short_date(m.date)})"
    status = {
        MeetingStatus.PLANNED: "Direncanakan",
        MeetingStatus.HELD: "Dilaksanakan",
        MeetingStatus.CANCELLED: f"Dibatalkan: {m.cancel_reason or NONE}",
    }
    return Fields(
        (
            (Label("Hari/Tanggal", "Date"), when),
            (Label("Tingkat", "Level"), _LEVELS[m.level]),
            (Label("Wilayah", "Area"), _area(view.names, m.area)),
            (Label("Penyelenggara", "Organiser"), m.organiser),
            (Label("Status"), status[m.status]),
        )
    )


def _attendance(m: MeetingState, officials: Sequence[e.Official] | None) -> Table:
    head = (Label("Instansi", "Office"), Label("Jabatan", "Position"), Label("Jumlah", "Count"))
    if officials is None:
        return Table(head, tuple((a.office, a.position, str(a.count)) for a in m.attendance))
    present = {(a.office, a.position) for a in m.attendance}
    rows = [
        (a.office, a.position, str(a.count), _names(officials, a.office, a.position))
        for a in m.attendance
    ]
    rows += [
        (o.office, o.position, NONE, o.name)
        for o in officials
        if (o.office, o.position) not in present
    ]
    return Table((*head, Label("Nama", "Name")), tuple(rows))


def _names(officials: Sequence[e.Official], office: str, position: str) -> str:
    named = [o.name for o in officials if (o.office, o.position) == (office, position)]
    return ", ".join(named) or NONE


def _reports(reports: Sequence[Report], names: Mapping[str, str]) -> tuple[Block, ...]:
    if not reports:
        return (Prose("Tidak ada laporan."),)
    return tuple(block for r in reports for block in _report(r, names))


def _report(r: Report, names: Mapping[str, str]) -> tuple[Block, ...]:
    revised = f" — revisi {r.revision}" if r.revision > 1 else ""
    status = r.kampung_kb
    kampung_kb = NONE if status is None else "Tidak" if not status.designated else "Ya"
    if status is not None and status.maturity is not None:
        kampung_kb += f", {status.maturity.value}"
    obstacles = tuple(
        f"{_OBSTACLES[k.code]}: {k.text}" if k.text else _OBSTACLES[k.code] for k in r.obstacles
    )
    fields: tuple[tuple[Label, str], ...] = (
        (Label("Pelapor", "Reported by"), r.office),
        (Label("Kampung KB"), kampung_kb),
    )
    if r.figures is None:
        fields += ((Label("Angka", "Figures"), NONE),)
    return (
        Sub(_area(names, r.area) + revised),
        Fields(fields),
        Items(Label("Kegiatan", "Activities"), r.activities),
        Items(Label("Kendala", "Obstacles"), obstacles),
        *(() if r.figures is None else (_figures(r.figures),)),
    )


def _figures(f: e.ReportFigures) -> Table:
    zero = NONE if f.zero_new_stunting is None else "Ya" if f.zero_new_stunting else "Tidak"
    head = (
        Label("Periode", "Period"),
        Label("Hadir (S)", "Present"),
        Label("Diukur (D)", "Measured"),
        Label("Cakupan D/S", "Coverage"),
        Label("Stunting", "Stunted"),
        Label("Prevalensi", "Prevalence"),
        Label("Stunting baru", "New"),
        Label("Nihil stunting baru", "Zero new"),
        Label("Ditandai", "Flagged"),
    )
    row = (
        _period(f.period),
        _count(f.present),
        _count(f.measured),
        percent(f.coverage),
        _count(f.stunted),
        percent(f.prevalence_stunting),
        _count(f.new_stunting),
        zero,
        _count(f.flagged),
    )
    note = f"Angka wilayah yang dilihat rapat, posisi log {f.log_position}"
    return Table(head, (row,), note=note, numbered=False)


def _proceedings(m: MeetingState) -> Prose:
    if m.status is MeetingStatus.CANCELLED:
        return Prose(f"Rapat dibatalkan: {m.cancel_reason or NONE}")
    if m.status is MeetingStatus.PLANNED:
        return Prose("Rapat belum dilaksanakan.")
    return Prose(m.minutes or NONE)


def _resolutions(view: MinutesView) -> Table:
    head = (
        Label("Keputusan", "Resolution"),
        Label("Penanggung jawab", "Responsible"),
        Label("Batas waktu", "Due"),
        Label("Wilayah", "Areas"),
        Label("Target"),
        Label("Status"),
    )
    rows = tuple(
        (
            r.text,
            r.office,
            _due(r),
            "; ".join(_area(view.names, a) for a in r.areas) or NONE,
            _target(r.target),
            _standing(r, view.today),
        )
        for _, r in view.resolutions
    )
    return Table(head, rows)


def _due(r: ResolutionState) -> str:
    moved = f" (semula {short_date(r.original_due)})" if r.due != r.original_due else ""
    return short_date(r.due) + moved


def _target(target: e.Target | None) -> str:
    if target is None:
        return NONE
    known = INDICATORS.get(target.indicator)
    if known is None:
        return f"{target.indicator} {target.value:g}"
    value = percent(target.value) if known.ratio else _count(target.value)
    name = _INDICATOR_NAMES.get(target.indicator, target.indicator)
    return f"{name} {_SIGN[known.direction]} {value}"


def _standing(r: ResolutionState, today: date) -> Cell:
    progress = f" ({r.percent}%)" if r.percent is not None else ""
    if r.overdue(today):
        return Mark(f"Terbuka — Terlambat / overdue{progress}")
    if r.status is ResolutionStatus.OPEN:
        return f"Terbuka{progress}"
    closed = f" {short_date(r.closed_on)}" if r.closed_on else ""
    reason = f": {r.close_reason}" if r.close_reason else ""
    return f"{_RESOLVED[r.status]}{closed}{reason}"


def _documents(documents: Sequence[e.Document]) -> Table:
    head = (Label("Jenis", "Kind"), Label("SHA-256"), Label("Ukuran", "Size"))
    rows = tuple(
        (
            _KINDS[d.kind] + (f" ({d.media_type})" if d.media_type else ""),
            d.sha256[:16] + "…",
            _size(d.size),
        )
        for d in documents
    )
    return Table(head, rows)


def _place(view: MinutesView) -> str:
    m = view.meeting
    day = m.held_on if m.status is MeetingStatus.HELD and m.held_on else m.date
    return f"{view.names.get(m.area, m.area)}, {short_date(day)}"


def _footer(view: MinutesView) -> str:
    return f"ID rapat {view.meeting_id} · status keputusan per {short_date(view.today)}"


def html(view: MinutesView) -> str:
    """The minutes as a standalone, printable HTML5 document (A4, no external resources)."""
    title = escape(view.meeting.title)
    sections = "".join(_html_section(s) for s in outline(view))
    return (
        '<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Notulen Rapat — {title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        '<main class="sheet">\n<header>\n<h1>NOTULEN RAPAT <small>Minutes of meeting</small>'
        f'</h1>\n<p class="title">{title}</p>\n</header>\n{sections}'
        f"{_html_signatures(view)}"
        f"<footer>{escape(_footer(view))}</footer>\n</main>\n</body>\n</html>\n"
    )


def _html_label(label: Label) -> str:
    gloss = f" <small>{escape(label.en)}</small>" if label.en else ""
    return escape(label.id) + gloss


def _html_section(section: Section) -> str:
    blocks = "".join(_html_block(b) for b in section.blocks)
    return f"<section>\n<h2>{_html_label(section.title)}</h2>\n{blocks}</section>\n"


def _html_block(block: Block) -> str:
    match block:
        case Sub(title):
            return f"<h3>{escape(title)}</h3>\n"
        case Prose(text):
            return f'<div class="prose">{escape(text)}</div>\n'
        case Fields(rows):
            cells = "".join(
                f"<tr><th>{_html_label(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows
            )
            return f'<table class="fields">{cells}</table>\n'
        case Items(title, items, numbered):
            caption = _html_label(title) if title else ""
            if not items:
                return f'<p class="caption">{caption} {NONE}</p>\n'
            caption = f'<p class="caption">{caption}</p>' if title else ""
            tag = "ol" if numbered else "ul"
            entries = "".join(f"<li>{escape(i)}</li>" for i in items)
            return f"{caption}<{tag}>{entries}</{tag}>\n"
    return _html_table(block)


def _html_table(table: Table) -> str:
    if not table.rows:
        return f'<p class="empty">Tidak ada {NONE} <small>none</small></p>\n'
    labels, body = _numbered(table)
    head = "".join(f"<th>{_html_label(h)}</th>" for h in labels)
    rows = "".join(f"<tr>{''.join(_html_cell(c) for c in row)}</tr>" for row in body)
    note = f'<p class="note">{escape(table.note)}</p>\n' if table.note else ""
    kind = ' class="numbered"' if table.numbered else ""
    return f"<table{kind}><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>\n{note}"


def _numbered(table: Table) -> tuple[tuple[Label, ...], tuple[tuple[Cell, ...], ...]]:
    if not table.numbered:
        return table.head, table.rows
    rows = tuple((str(n), *row) for n, row in enumerate(table.rows, 1))
    return (Label("No"), *table.head), rows


def _html_cell(cell: Cell) -> str:
    if isinstance(cell, Mark):
        return f'<td><strong class="late">{escape(cell.text)}</strong></td>'
    numeric = re.fullmatch(r"[\d.,%]+", cell) is not None
    return f'<td class="n">{escape(cell)}</td>' if numeric else f"<td>{escape(cell)}</td>"


def _html_signatures(view: MinutesView) -> str:
    signer = (
        '<div><p>{role} <small>{en}</small></p><div class="space"></div><p>' + _LINE + "</p></div>"
    )
    return (
        f'<section class="signatures">\n<p class="place">{escape(_place(view))}</p>\n'
        '<div class="signers">'
        + signer.format(role="Pimpinan Rapat", en="Chair")
        + signer.format(role="Notulis", en="Minute-taker")
        + "</div>\n</section>\n"
    )


def markdown(view: MinutesView) -> str:
    """The minutes as CommonMark (tables as in GitHub Flavored Markdown)."""
    parts = [
        "# NOTULEN RAPAT — *Minutes of meeting*",
        f"**{_md(view.meeting.title)}**",
        *(_md_section(s) for s in outline(view)),
        _md_signatures(view),
        f"*{_md(_footer(view))}*",
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
    labels, body = _numbered(table)
    lines = ["| " + " | ".join(_md_label(h) for h in labels) + " |", "|" + " --- |" * len(labels)]
    for row in body:
        cells = [f"**{_md(c.text)}**" if isinstance(c, Mark) else _md(c) for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    note = f"\n\n*{_md(table.note)}*" if table.note else ""
    return "\n".join(lines) + note


def _md_signatures(view: MinutesView) -> str:
    return "\n".join(
        [
            _md(_place(view)),
            "",
            "| Pimpinan Rapat (*Chair*) | Notulis (*Minute-taker*) |",
            "| :---: | :---: |",
            *(["| | |"] * 3),
            f"| {_LINE} | {_LINE} |",
        ]
    )


_CSS: Final = """
@page { size: A4; margin: 18mm; }
* { box-sizing: border-box; }
html { background: #d6d6d6; }
body { margin: 0; color: #111;
  font: 11pt/1.45 "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; }
.sheet { width: 210mm; min-height: 297mm; margin: 6mm auto; padding: 18mm;
  background: #fff; box-shadow: 0 1px 5px rgba(0, 0, 0, .35); }
header { text-align: center; border-bottom: 2px solid #111; padding-bottom: 3mm; }
h1, h2, h3, th, .caption, .signers p:first-child {
  font-family: "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
h1 { font-size: 16pt; letter-spacing: .08em; margin: 0; }
.title { font-size: 13pt; font-weight: bold; margin: 2mm 0 0; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; padding-bottom: .8mm; border-bottom: 1px solid #888; }
h3 { font-size: 11pt; margin: 4mm 0 1mm; }
h2, h3, .caption { break-after: avoid; page-break-after: avoid; }
small { font-weight: normal; font-size: 8pt; color: #555; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 2mm; font-size: 9.5pt; }
th, td { border: 1px solid #444; padding: 1mm 1.6mm; text-align: left; vertical-align: top; }
th { background: #ececec; font-size: 8.5pt; }
th small { display: block; font-size: 7.5pt; }
td.n { text-align: right; white-space: nowrap; }
.numbered th:first-child { width: 9mm; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.fields { width: auto; margin: 0; font-size: 11pt; }
table.fields th, table.fields td { border: 0; background: none; padding: .3mm 3mm .3mm 0; }
table.fields th { font-size: 10pt; white-space: nowrap; }
table.fields th small { display: inline; }
.caption { font-weight: bold; font-size: 10pt; margin: 2mm 0 .5mm; }
ul, ol { margin: .5mm 0 1.5mm; padding-left: 7mm; }
.prose { white-space: pre-wrap; text-align: justify; }
.note, .empty { font-size: 8.5pt; color: #444; margin: 0 0 2mm; }
.late { color: #a40000; }
.signatures { margin-top: 10mm; break-inside: avoid; page-break-inside: avoid; }
.place { text-align: right; margin: 0 0 2mm; }
.signers { display: flex; justify-content: space-between; text-align: center; }
.signers > div { width: 42%; }
.signers p { margin: 0; font-weight: bold; }
.space { height: 24mm; }
footer { margin-top: 10mm; padding-top: 1.5mm; border-top: 1px solid #bbb;
  font-size: 8pt; color: #555; }
@media print {
  html { background: none; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
  a { color: inherit; text-decoration: none; }
}
"""
