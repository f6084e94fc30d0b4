"""The outline of a meeting's minutes (notulen): what they say, in order, as plain text.

The HTML page and the CommonMark text (``minutes.py``) are both written from this one
outline, so they say the same: the title block, agenda, attendance (names only for readers
who may see personal data), the areas' reports with the figures the meeting saw, the
minutes text, the resolutions as they stand today, the documents and a signature block.
Headings are Indonesian with English in small type; the text here is unescaped, as each
renderer escapes it for its own format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from api.meetings.wording import (
    INDICATOR_NAMES,
    KINDS,
    LEVELS,
    NONE,
    OBSTACLES,
    RESOLVED,
    SIGN,
    area,
    count,
    long_date,
    percent,
    period,
    short_date,
    size,
)
from domain.meeting import events as e
from domain.meeting.decider import (
    MeetingState,
    MeetingStatus,
    Report,
    ResolutionState,
    ResolutionStatus,
)
from domain.meeting.targets import INDICATORS

SIGNATURE_LINE: Final = "( ........................ )"


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
            (Label("Tingkat", "Level"), LEVELS[m.level]),
            (Label("Wilayah", "Area"), area(view.names, m.area)),
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
        f"{OBSTACLES[k.code]}: {k.text}" if k.text else OBSTACLES[k.code] for k in r.obstacles
    )
    fields: tuple[tuple[Label, str], ...] = (
        (Label("Pelapor", "Reported by"), r.office),
        (Label("Kampung KB"), kampung_kb),
    )
    if r.figures is None:
        fields += ((Label("Angka", "Figures"), NONE),)
    return (
        Sub(area(names, r.area) + revised),
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
        period(f.period),
        count(f.present),
        count(f.measured),
        percent(f.coverage),
        count(f.stunted),
        percent(f.prevalence_stunting),
        count(f.new_stunting),
        zero,
        count(f.flagged),
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
            "; ".join(area(view.names, a) for a in r.areas) or NONE,
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
    value = percent(target.value) if known.ratio else count(target.value)
    name = INDICATOR_NAMES.get(target.indicator, target.indicator)
    return f"{name} {SIGN[known.direction]} {value}"


def _standing(r: ResolutionState, today: date) -> Cell:
    progress = f" ({r.percent}%)" if r.percent is not None else ""
    if r.overdue(today):
        return Mark(f"Terbuka — Terlambat / overdue{progress}")
    if r.status is ResolutionStatus.OPEN:
        return f"Terbuka{progress}"
    closed = f" {short_date(r.closed_on)}" if r.closed_on else ""
    reason = f": {r.close_reason}" if r.close_reason else ""
    return f"{RESOLVED[r.status]}{closed}{reason}"


def _documents(documents: Sequence[e.Document]) -> Table:
    head = (Label("Jenis", "Kind"), Label("SHA-256"), Label("Ukuran", "Size"))
    rows = tuple(
        (
            KINDS[d.kind] + (f" ({d.media_type})" if d.media_type else ""),
            d.sha256[:16] + "…",
            size(d.size),
        )
        for d in documents
    )
    return Table(head, rows)


def place(view: MinutesView) -> str:
    """Where and when the minutes are signed: the area's name and the day it met."""
    m = view.meeting
    day = m.held_on if m.status is MeetingStatus.HELD and m.held_on else m.date
    return f"{view.names.get(m.area, m.area)}, {short_date(day)}"


def footer(view: MinutesView) -> str:
    """The last line: which meeting, and the day the resolutions' standing is told for."""
    return f"ID rapat {view.meeting_id} · status keputusan per {short_date(view.today)}"


def numbered(table: Table) -> tuple[tuple[Label, ...], tuple[tuple[Cell, ...], ...]]:
    """The table's head and rows, with a first column "No" counting the rows if it is numbered."""
    if not table.numbered:
        return table.head, table.rows
    rows = tuple((str(n), *row) for n, row in enumerate(table.rows, 1))
    return (Label("No"), *table.head), rows
