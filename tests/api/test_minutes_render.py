"""The printable minutes of a meeting: what they show, in HTML and Markdown, escaped."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest

from api.meetings.minutes import html, markdown
from api.meetings.outline import MinutesView
from api.meetings.wording import long_date
from domain.area.events import KampungKbCategory
from domain.meeting import events as e
from domain.meeting.decider import (
    MeetingState,
    MeetingStatus,
    Report,
    ResolutionState,
    ResolutionStatus,
)

NAMES = {"32.79": "Kota Banjar", "32.79.02": "Pataruman", "32.79.02.2001": "Binangun"}
TODAY = date(2025, 9, 1)
OFFICIALS = (
    e.Official(office="Kecamatan Pataruman", position="Camat", name="Drs. Asep Sunandar"),
    e.Official(office="Puskesmas Pataruman", position="Ahli Gizi", name="Rina Marlina"),
    e.Official(office="Dinas Kesehatan", position="Kepala Seksi Gizi", name="Dewi Lestari"),
)
MINUTES = (
    "Rapat dibuka pukul 09.00 oleh Camat.\n"
    "<script>alert('notulen')</script>\n"
    "# bukan judul\n"
    "- bukan daftar\n"
    "1. bukan daftar bernomor\n"
    "\n"
    "Rapat ditutup pukul 12.00."
)
HEADINGS = ("Agenda", "Daftar Hadir", "Laporan Wilayah", "Isi Rapat", "Keputusan Rapat", "Dokumen")
VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr"}


def figures() -> e.ReportFigures:
    """June's figures of Binangun: 175 of 200 measured, 21 stunted."""
    return e.ReportFigures(
        period="2025-06",
        log_position=4821,
        present=200,
        measured=175,
        coverage=0.875,
        measured_valid_haz=170,
        stunted=21,
        severely_stunted=4,
        prevalence_stunting=0.12,
        wasted=5,
        underweight=9,
        new_stunting=0,
        zero_new_stunting=True,
        flagged=3,
    )


def reports() -> tuple[Report, ...]:
    """Two desa reports: Binangun with figures, an unnamed desa revised once."""
    at = datetime(2025, 7, 15, 3, tzinfo=UTC)
    binangun = Report(
        area="32.79.02.2001",
        office="Pemerintah Desa Binangun",
        kampung_kb=e.KampungKbStatus(designated=True, maturity=KampungKbCategory.BERKEMBANG),
        activities=("Posyandu serentak", "Kelas ibu balita"),
        obstacles=(
            e.Kendala(code=e.Obstacle.DATA, text="Data | *belum* lengkap"),
            e.Kendala(code=e.Obstacle.BUDGET, text="Dana desa terlambat"),
        ),
        figures=figures(),
        reported_at=at,
        revision=1,
    )
    other = Report(
        area="32.79.02.2002",
        office="Pemerintah Desa Sukamukti",
        kampung_kb=None,
        activities=(),
        obstacles=(e.Kendala(code=e.Obstacle.BEHAVIOUR),),
        figures=None,
        reported_at=at,
        revision=2,
    )
    return binangun, other


def held() -> MeetingState:
    """A held kecamatan meeting with attendance, two reports and two documents."""
    return MeetingState(
        exists=True,
        level=e.Level.KECAMATAN,
        area="32.79.02",
        date=date(2025, 7, 15),
        title="Rakor TPPS Pataruman <script>alert(1)</script>",
        organiser="TPPS Kecamatan",
        agenda=("Laporan desa", "Rencana tindak lanjut"),
        status=MeetingStatus.HELD,
        held_on=date(2025, 7, 15),
        minutes=MINUTES,
        attendance=(
            e.Attendee(office="Kecamatan Pataruman", position="Camat"),
            e.Attendee(office="Puskesmas Pataruman", position="Ahli Gizi", count=2),
            e.Attendee(office="Desa Binangun", position="Kepala Desa"),
        ),
        documents=(
            e.Document(
                sha256="ab" * 32, size=182_000, kind=e.DocumentKind.PHOTO, media_type="image/jpeg"
            ),
            e.Document(sha256="cd" * 32, size=900, kind=e.DocumentKind.ATTENDANCE),
        ),
        reports=reports(),
    )


def resolution(text: str, due: date, **changes: object) -> ResolutionState:
    """A resolution of the meeting for Binangun, due on ``due``."""
    state = ResolutionState(
        exists=True,
        meeting="m-1",
        meeting_date=date(2025, 7, 15),
        meeting_area="32.79.02",
        text=text,
        office="Puskesmas Pataruman",
        due=due,
        original_due=due,
        areas=("32.79.02.2001",),
        adopted_on=date(2025, 7, 15),
    )
    return state.model_copy(update=changes)


def resolutions() -> list[tuple[str, ResolutionState]]:
    """One open past its due date, one done, one dropped."""
    late = resolution(
        "Ukur ulang | *semua* balita\ndi posyandu",
        date(2025, 8, 1),
        percent=40,
        target=e.Target(indicator="coverage", value=0.9),
    )
    done = resolution(
        "Turunkan stunting",
        date(2025, 8, 31),
        status=ResolutionStatus.DONE,
        closed_on=date(2025, 8, 20),
        target=e.Target(indicator="stunted", value=15),
    )
    dropped = resolution(
        "Sewa alat ukur",
        date(2025, 9, 30),
        status=ResolutionStatus.DROPPED,
        closed_on=date(2025, 8, 10),
        close_reason="Alat dari dinas",
    )
    return [("r-1", late), ("r-2", done), ("r-3", dropped)]


def view(
    meeting: MeetingState | None = None,
    *,
    officials: tuple[e.Official, ...] | None = OFFICIALS,
    today: date = TODAY,
) -> MinutesView:
    """The minutes of ``meeting`` (the held one by default) as a reader sees them."""
    return MinutesView(
        meeting_id="0197f3a2-5c1d-7e00-8000-000000000001",
        meeting=meeting or held(),
        names=NAMES,
        resolutions=resolutions(),
        officials=officials,
        today=today,
    )


class Structure(HTMLParser):
    """Checks that the elements open and close in order, and collects tables' header cells."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.wrong: list[str] = []
        self.counts: dict[str, int] = {}
        self.headers: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Opens ``tag``."""
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag == "thead":
            self.headers.append([])
        if tag == "th" and self.open[-2:] == ["thead", "tr"]:
            self._cell = []
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        """Closes ``tag``: it must be the innermost open one."""
        if not self.open or self.open[-1] != tag:
            self.wrong.append(f"</{tag}> inside {self.open[-3:]}")
            return
        self.open.pop()
        if tag == "th" and self._cell is not None:
            self.headers[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        """Text of a header cell."""
        if self._cell is not None:
            self._cell.append(data)


def structure(page: str) -> Structure:
    """The parsed page, after checking that its elements nest and all close."""
    parsed = Structure()
    parsed.feed(page)
    parsed.close()
    assert parsed.wrong == [], parsed.wrong
    assert parsed.open == [], f"left open: {parsed.open}"
    return parsed


def md_section(text: str, heading: str) -> str:
    """The Markdown from the ``## heading`` to the next second-level heading."""
    found = re.search(rf"^## {heading}\b.*?(?=^## |\Z)", text, re.M | re.S)
    assert found is not None, f"no section {heading}"
    return found.group(0)


def tables(text: str) -> list[list[str]]:
    """The Markdown tables: runs of lines that start with a pipe."""
    runs: list[list[str]] = []
    previous = False
    for line in text.splitlines():
        row = line.startswith("|")
        if row and not previous:
            runs.append([])
        if row:
            runs[-1].append(line)
        previous = row
    return runs


def test_the_html_minutes_are_a_printable_standalone_document() -> None:
    page = html(view())

    parsed = structure(page)
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="id">' in page
    assert '<meta charset="utf-8">' in page
    assert "@page { size: A4; margin: 18mm; }" in page
    assert "@media print" in page
    assert parsed.counts["html"] == parsed.counts["body"] == parsed.counts["main"] == 1
    assert parsed.counts["section"] == len(HEADINGS) + 2  # particulars and signatures
    assert parsed.counts["table"] == 7  # 3 lists of fields, 4 tables (attendance, figures, …)
    assert not re.search(r"<script|<link|\bsrc=|\bhref=|url\(|https?://", page, re.I)


def test_the_structure_check_catches_a_broken_page() -> None:
    page = html(view())

    with pytest.raises(AssertionError):
        structure(page.replace("</table>", "", 1))
    with pytest.raises(AssertionError):
        structure(page.replace("</section>", "</div>", 1))


@pytest.mark.parametrize("render", [html, markdown])
def test_the_minutes_have_their_headings_in_order(render: object) -> None:
    assert callable(render)
    text: str = render(view()).split("<body>", 1)[-1]

    places = [text.find(h) for h in ("NOTULEN RAPAT", "Rakor TPPS Pataruman", *HEADINGS)]
    assert -1 not in places, list(zip(("title", "meeting", *HEADINGS), places, strict=True))
    assert places == sorted(places)
    assert text.find("Pimpinan Rapat") > places[-1]
    assert text.find("Notulis") > text.find("Pimpinan Rapat")
    assert text.count("( ........................ )") == 2


@pytest.mark.parametrize("render", [html, markdown])
def test_the_particulars_are_in_indonesian(render: object) -> None:
    assert callable(render)
    text: str = render(view())

    assert "Selasa, 15 Juli 2025" in text
    assert "Kecamatan" in text
    assert "Pataruman (32.79.02)" in text
    assert "Dilaksanakan" in text
    assert "1 Agustus 2025" in text  # the overdue resolution's due date
    assert "Binangun (32.79.02.2001)" in text
    assert "32.79.02.2002" in text
    assert "(32.79.02.2002)" not in text  # no name known: the code alone


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (date(2025, 7, 13), "Minggu, 13 Juli 2025"),
        (date(2025, 12, 25), "Kamis, 25 Desember 2025"),
        (date(2024, 2, 29), "Kamis, 29 Februari 2024"),
        (date(2026, 1, 5), "Senin, 5 Januari 2026"),
    ],
)
def test_dates_are_written_with_indonesian_day_and_month_names(day: date, written: str) -> None:
    assert long_date(day) == written


def test_a_meeting_held_on_another_day_shows_both_days() -> None:
    moved = held().model_copy(update={"held_on": date(2025, 7, 18)})

    text = markdown(view(moved))

    assert "Jumat, 18 Juli 2025 (direncanakan 15 Juli 2025)" in text


def test_names_of_officials_show_beside_their_office_and_position() -> None:
    page = html(view())

    attendance = structure(page).headers[0]
    assert [h.split()[0] for h in attendance] == ["No", "Instansi", "Jabatan", "Jumlah", "Nama"]
    assert re.search(r"<td>Camat</td><td class=\"n\">1</td><td>Drs\. Asep Sunandar</td>", page)
    assert re.search(r"<td>Kepala Seksi Gizi</td><td>—</td><td>Dewi Lestari</td>", page)
    assert "| 1 | Kecamatan Pataruman | Camat | 1 | Drs. Asep Sunandar |" in markdown(view())


@pytest.mark.parametrize("render", [html, markdown])
def test_without_pii_read_no_name_nor_name_column_appears(render: object) -> None:
    assert callable(render)
    text: str = render(view(officials=None))

    for official in OFFICIALS:
        assert official.name not in text
    assert "Nama" not in text
    assert "Kecamatan Pataruman" in text
    assert "Dinas Kesehatan" not in text  # known only from the officials


def test_without_pii_read_the_attendance_table_has_four_columns() -> None:
    page = html(view(officials=None))

    attendance = structure(page).headers[0]
    assert [h.split()[0] for h in attendance] == ["No", "Instansi", "Jabatan", "Jumlah"]
    assert "| 1 | Kecamatan Pataruman | Camat | 1 |" in markdown(view(officials=None))


def test_user_text_is_escaped_in_html() -> None:
    page = html(view())

    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&#x27;notulen&#x27;)&lt;/script&gt;" in page
    assert "Data: Data | *belum* lengkap" in page


def test_markdown_tables_keep_their_columns_whatever_users_write() -> None:
    text = markdown(view())

    found = tables(text)
    assert len(found) == 5  # attendance, figures, resolutions, documents, signatures
    for table in found:
        widths = {len(re.findall(r"(?<!\\)\|", line)) for line in table}
        assert len(widths) == 1, table
    assert "| 1 | Ukur ulang \\| \\*semua\\* balita di posyandu | Puskesmas Pataruman |" in text
    assert "- Data: Data \\| \\*belum\\* lengkap" in text
    assert not re.search(r"(?<!\\)<", text)


def test_markdown_minutes_keep_their_lines_and_cannot_add_structure() -> None:
    text = md_section(markdown(view()), "Isi Rapat")

    assert "Rapat dibuka pukul 09.00 oleh Camat.\\\n" in text
    assert "\\<script\\>alert('notulen')\\</script\\>\\\n" in text
    assert "\n\\# bukan judul\\\n\\- bukan daftar\\\n1\\. bukan daftar bernomor\n" in text
    assert "\n\nRapat ditutup pukul 12.00." in text


@pytest.mark.parametrize("render", [html, markdown])
def test_reports_show_kampung_kb_obstacles_and_the_figures_the_meeting_saw(
    render: object,
) -> None:
    assert callable(render)
    text: str = render(view())

    assert "Ya, Berkembang" in text
    for shown in ("Posyandu serentak", "Anggaran: Dana desa terlambat", "Perilaku", "revisi 2"):
        assert shown in text
    for shown in ("Juni 2025", "200", "175", "87,5%", "21", "12,0%", "posisi log 4821"):
        assert shown in text
    assert "Nihil stunting baru" in text


def test_the_figures_row_holds_each_number_in_its_column() -> None:
    text = md_section(markdown(view()), "Laporan Wilayah")

    assert "| Juni 2025 | 200 | 175 | 87,5% | 21 | 12,0% | 0 | Ya | 3 |" in text


def test_resolutions_show_target_due_date_and_standing() -> None:
    text = md_section(markdown(view()), "Keputusan Rapat")

    rows = [line for line in text.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) == 3
    assert rows[0].endswith("| Cakupan D/S ≥ 90,0% | **Terbuka — Terlambat / overdue (40%)** |")
    assert "| 31 Agustus 2025 |" in rows[1]
    assert rows[1].endswith("| Balita stunting ≤ 15 | Selesai 20 Agustus 2025 |")
    assert rows[2].endswith("| — | Dibatalkan 10 Agustus 2025: Alat dari dinas |")
    assert "Binangun (32.79.02.2001)" in rows[0]


def test_only_an_open_resolution_past_its_due_date_is_marked_overdue() -> None:
    late, early = html(view()), html(view(today=date(2025, 8, 1)))

    assert late.count("Terlambat") == 1
    assert '<strong class="late">Terbuka — Terlambat / overdue (40%)</strong>' in late
    assert "Terlambat" not in early
    assert "Terbuka (40%)" in early


def test_documents_are_listed_by_kind_short_hash_and_size() -> None:
    text = md_section(markdown(view()), "Dokumen")

    assert "| 1 | Foto (image/jpeg) | abababababababab… | 177,7 KB |" in text
    assert "| 2 | Daftar hadir | cdcdcdcdcdcdcdcd… | 900 B |" in text


@pytest.mark.parametrize("render", [html, markdown])
def test_a_planned_meeting_renders_with_its_planned_date(render: object) -> None:
    assert callable(render)
    planned = MeetingState(
        exists=True,
        level=e.Level.KOTA,
        area="32.79",
        date=date(2025, 12, 25),
        title="Rakor TPPS Kota",
        organiser="Bappeda",
        agenda=("Evaluasi tahunan",),
    )

    text: str = render(view(planned))

    assert "Kamis, 25 Desember 2025" in text
    assert "Direncanakan" in text
    assert "Dilaksanakan" not in text
    assert "Rapat belum dilaksanakan." in text
    assert "Kota Banjar (32.79)" in text
    assert "Tidak ada laporan." in text


def test_a_cancelled_meeting_renders_with_its_reason_escaped() -> None:
    cancelled = MeetingState(
        exists=True,
        level=e.Level.DESA,
        area="32.79.02.2001",
        date=date(2025, 7, 15),
        title="Rembuk stunting desa",
        organiser="Pemerintah Desa",
        agenda=(),
        status=MeetingStatus.CANCELLED,
        cancel_reason="Bentrok <dengan> *musrenbang*",
    )

    page, text = html(view(cancelled)), markdown(view(cancelled))

    structure(page)
    assert "Dibatalkan: Bentrok &lt;dengan&gt; *musrenbang*" in page
    assert "Dibatalkan: Bentrok \\<dengan\\> \\*musrenbang\\*" in text
    assert "Desa/Kelurahan" in page
    assert "Dilaksanakan" not in page
