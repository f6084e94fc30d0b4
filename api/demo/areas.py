"""The demo's desa/kelurahan in the log: registered when the window opens, six of them
designated Kampung KB (two later moving up a category), and each year's sasaran."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from api.demo.children import ENTRY_HOUR, Child
from api.demo.kota import AREAS, KOTA
from api.demo.writer import DeciderStream, Writer, at
from domain.area import commands as ac
from domain.area.decider import AreaDecider, AreaState
from domain.area.decider import stream_id as area_stream
from domain.area.events import KampungKbCategory
from domain.growth.rules import DAYS_PER_MONTH


def schedule_areas(
    writer: Writer, rng: random.Random, *, kids: Sequence[Child], months: Sequence[date]
) -> None:
    """Queue the areas' events through ``writer``, their event ids drawn from ``rng``."""
    start = months[0]
    opened = at(start, 8)
    streams = [DeciderStream(area_stream(a.code), AreaDecider()) for a in AREAS]

    def push(when: datetime, stream: DeciderStream[AreaState], command: ac.AreaCommand) -> None:
        writer.push(when, stream, command, rng)

    for area, stream in zip(AREAS, streams, strict=True):
        push(
            opened,
            stream,
            ac.RegisterArea(
                at=opened, code=area.code, name=area.name, kecamatan=area.kecamatan.name, kota=KOTA
            ),
        )
    designated = rng.sample(streams, 6)
    categories = list(KampungKbCategory)
    for n, stream in enumerate(designated):
        since = start - timedelta(days=rng.randint(200, 1500))
        push(
            opened,
            stream,
            ac.DesignateKampungKb(at=opened, category=categories[n % 3], designated_on=since),
        )
    later = at(months[len(months) // 2] + timedelta(days=13), ENTRY_HOUR)
    for n, stream in enumerate(designated[:2]):
        if later > opened:
            push(
                later,
                stream,
                ac.DesignateKampungKb(
                    at=later, category=categories[n % 3 + 1], designated_on=later.date()
                ),
            )
    for year in range(start.year, months[-1].year + 1):
        when = max(opened, at(date(year, 1, 6), 9))
        mid = min(date(year, 7, 1), months[-1])
        for d, stream in enumerate(streams):
            balita, baduta = _sasaran([k for k in kids if k.desa == d], mid)
            push(when, stream, ac.SetSasaran(at=when, year=year, balita=balita, baduta=baduta))


def _sasaran(kids: Sequence[Child], mid: date) -> tuple[int, int]:
    """The year's targets: the desa's balita and baduta at mid-year, plus 5 % unreached."""
    ages = [(mid - k.birth).days for k in kids if k.birth <= mid]
    balita = sum(1 for a in ages if a / DAYS_PER_MONTH < 60)
    baduta = sum(1 for a in ages if a / DAYS_PER_MONTH < 24)
    return math.ceil(balita * 1.05), math.ceil(baduta * 1.05)
