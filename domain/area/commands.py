"""What may be asked of the areas registry."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime

from domain.area.events import KampungKbCategory
from domain.fact import Command


class AreaCommand(Command):
    """Every area command carries the time it takes effect."""

    at: AwareDatetime


class RegisterArea(AreaCommand):
    """Register a desa/kelurahan by its code (dotted or undotted) and names."""

    code: str
    name: str
    kecamatan: str
    kota: str


class DesignateKampungKb(AreaCommand):
    """Designate the area a Kampung KB of ``category`` (or change its category)."""

    category: KampungKbCategory
    designated_on: date


class SetSasaran(AreaCommand):
    """Set the area's target numbers of balita and baduta for ``year``."""

    year: int
    balita: int
    baduta: int
