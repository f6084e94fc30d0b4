"""Names and desa/kelurahan of the areas registry, as the answers of several rooms show them."""

from __future__ import annotations

from collections.abc import Sequence

from api.services import Services
from events import sql
from events.projections.areas import areas_under


def area_names(services: Services, codes: Sequence[str]) -> dict[str, str]:
    """Names of desa/kelurahan, kecamatan and kota codes, from the areas registry."""
    wanted = set(codes)
    found: dict[str, str] = {}
    with services.store.reader() as driver:
        reader = sql.Reader(services.engine.dialect, driver)
        for prefix in sorted({c[:5] for c in wanted}):
            for code, name, kecamatan, kota in areas_under(reader, prefix):
                found.setdefault(code[:5], kota)
                found.setdefault(code[:8], kecamatan)
                found[code] = name
    return {c: found[c] for c in wanted if c in found}


def desa_under(services: Services, code: str) -> list[str]:
    """The registered desa/kelurahan under the area ``code``, by code."""
    with services.store.reader() as driver:
        rows = areas_under(sql.Reader(services.engine.dialect, driver), code)
    return [row[0] for row in rows]
