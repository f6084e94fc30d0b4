"""The sponsor figures of an area for a period: sponsors, running commitments,
beneficiaries, Rupiah due and delivered, and the share of stunted children sponsored
(see docs/sponsors.md); with ``known_at``, as the log held them then."""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from api.areas.registry import area_names
from api.sponsors.figures import SponsorFigures, commitments_at, sponsor_figures
from api.sponsors.views import AreaPath, AreaReader, reached_area
from api.web.deps import ServicesDep
from api.web.kit import PROBLEMS, KnownAt, log_position_of
from domain.figures import Figures, parse_period
from events.area_figures import reading, unit_of

router = APIRouter(tags=["sponsors"])


class SponsorCounts(BaseModel):
    """The sponsor figures of one area (see docs/sponsors.md)."""

    code: str
    name: str | None = None
    sponsors: int
    active_commitments: int
    beneficiaries: dict[str, int]
    rupiah_committed: int
    rupiah_delivered: int
    stunted: int
    stunted_sponsored: int
    share_stunted_sponsored: float | None

    @classmethod
    def of(cls, code: str, found: SponsorFigures, name: str | None = None) -> SponsorCounts:
        """The answer for one area's figures."""
        share = found.share_stunted_sponsored
        return cls(code=code, name=name, share_stunted_sponsored=share, **asdict(found))


class SponsorStats(SponsorCounts):
    """An area's sponsor figures for a period, and those of the areas one level below."""

    period: str
    known_at: str | None
    log_position: int
    units: list[SponsorCounts]


@router.get("/v1/areas/{code}/sponsor-stats", responses=PROBLEMS)
def sponsor_stats(
    code: AreaPath,
    response: Response,
    services: ServicesDep,
    caller: AreaReader,
    period: Annotated[str, Query(max_length=8, description="YYYY-MM, YYYY-Qn or YYYY.")],
    known_at: KnownAt = None,
) -> SponsorStats:
    """Sponsors, running commitments, beneficiaries by kind, Rupiah due and delivered, and
    the share of stunted children sponsored, for an area and a period; with ``known_at`` as
    the log held them then."""
    area = reached_area(caller, code)
    asked = parse_period(period)
    position = log_position_of(services, known_at)
    unit = unit_of(area)
    with reading(services.store, area, asked.months, position) as (sums, log_position):
        figures = sums.figures(area, asked, unit)
        held = commitments_at(services, area, position)
        units = []
        if unit is not None:
            names = area_names(services, list(figures.units))
            for name in sorted({*figures.units, *(unit(s.desa) for _, s in held)}):
                mine = [(i, s) for i, s in held if unit(s.desa) == name]
                found = sponsor_figures(
                    mine,
                    asked,
                    figures.units.get(name, Figures()),
                    partial(sums.stunted_among, name, asked),
                )
                units.append(SponsorCounts.of(name, found, names.get(name)))
        total = sponsor_figures(
            held, asked, figures.figures, partial(sums.stunted_among, area, asked)
        )
    response.headers["Tumbuh-Log-Position"] = str(log_position)
    return SponsorStats(
        **SponsorCounts.of(area, total).model_dump(),
        period=asked.name,
        known_at=known_at,
        log_position=log_position,
        units=units,
    )
