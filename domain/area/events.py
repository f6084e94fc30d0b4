"""What happened to a desa/kelurahan in the registry; no personal data.

*Sasaran* is the target population of an area for a year: the balita (children under
five) and baduta (under two) the posyandu should reach. *Kampung KB* is a village
designated for the family-quality programme, with a maturity category.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.fact import Fact
from domain.values import Int32, Int53, Str100, Wilayah


class AreaKind(StrEnum):
    """A kelurahan (urban, 4-digit part starting with 1) or a desa (rural, starting with 2)."""

    KELURAHAN = "kelurahan"
    DESA = "desa"


class KampungKbCategory(StrEnum):
    """The maturity of a Kampung KB, from the first stage to the last."""

    DASAR = "Dasar"
    BERKEMBANG = "Berkembang"
    MANDIRI = "Mandiri"
    PARIPURNA = "Paripurna"


class AreaRegistered(Fact):
    """A desa/kelurahan was registered with its names; ``kind`` follows from the code."""

    event_type = "area.registered"

    code: Wilayah
    name: Str100
    kind: AreaKind
    kecamatan: Str100
    kota: Str100


class KampungKbDesignated(Fact):
    """The area is a Kampung KB of ``category`` since ``designated_on``."""

    event_type = "area.kampung_kb_designated"

    category: KampungKbCategory
    designated_on: date


class SasaranSet(Fact):
    """The area's targets for ``year``: balita and, among them, baduta."""

    event_type = "area.sasaran_set"

    year: Int32
    balita: Int53
    baduta: Int53


AREA_FACTS: tuple[type[Fact], ...] = (AreaRegistered, KampungKbDesignated, SasaranSet)
