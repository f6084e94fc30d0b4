"""How the minutes write dates, numbers, areas and the names of things: in Indonesian."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Final

from domain.meeting import events as e
from domain.meeting.decider import ResolutionStatus
from domain.meeting.targets import Direction

NONE: Final = "—"
DAYS: Final = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS: Final = (
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
LEVELS: Final = {
    e.Level.KOTA: "Kota",
    e.Level.KECAMATAN: "Kecamatan",
    e.Level.DESA: "Desa/Kelurahan",
    e.Level.KAMPUNG_KB: "Kampung KB",
}
OBSTACLES: Final = {
    e.Obstacle.DATA: "Data",
    e.Obstacle.KADER: "Kader",
    e.Obstacle.BUDGET: "Anggaran",
    e.Obstacle.ACCESS: "Akses",
    e.Obstacle.BEHAVIOUR: "Perilaku",
    e.Obstacle.OTHER: "Lainnya",
}
KINDS: Final = {
    e.DocumentKind.INVITATION: "Undangan",
    e.DocumentKind.MINUTES: "Notulen",
    e.DocumentKind.ATTENDANCE: "Daftar hadir",
    e.DocumentKind.PHOTO: "Foto",
    e.DocumentKind.OTHER: "Lainnya",
}
RESOLVED: Final = {
    ResolutionStatus.OPEN: "Terbuka",
    ResolutionStatus.DONE: "Selesai",
    ResolutionStatus.DROPPED: "Dibatalkan",
}
INDICATOR_NAMES: Final = {
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
SIGN: Final = {Direction.AT_LEAST: "≥", Direction.AT_MOST: "≤"}


def long_date(day: date) -> str:
    """``day`` in Indonesian with its weekday: "Selasa, 15 Juli 2025"."""
    return f"{DAYS[day.weekday()]}, {short_date(day)}"


def short_date(day: date) -> str:
    """``day`` in Indonesian: "15 Juli 2025"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def percent(fraction: float | None) -> str:
    """A fraction as a percentage with one decimal, Indonesian style: "87,5%"."""
    return NONE if fraction is None else f"{fraction * 100:.1f}".replace(".", ",") + "%"


def count(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".") if value == int(value) else str(value)


def area(names: Mapping[str, str], code: str) -> str:
    name = names.get(code)
    return f"{name} ({code})" if name else code


def period(name: str) -> str:
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", name):
        return f"{MONTHS[int(name[5:]) - 1]} {name[:4]}"
    return name


def size(size: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f}".replace(".", ",") + f" {unit}"
    return f"{size} B"
