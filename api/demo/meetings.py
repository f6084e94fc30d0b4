"""The demo's year of coordination meetings in Kota Banjar (part of ``tumbuh seed-demo``).

A kota rakor a quarter and a monthly meeting in each kecamatan over the demo's last twelve
months, each planned a week ahead, held with its minutes and attendance, adopting
resolutions that are then followed up: most done on time, some late, some dropped, the
rest still open. The meetings and resolutions are written among the children's events at
their simulated instants; the camat's reports at each rakor are added after the seed, when
the figures they carry (as known at the end of the meeting's day) can be computed.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final, NamedTuple

from api.demo.kota import TABLES
from api.demo.writer import DeciderStream, Push, add_months, at
from api.meetings.figures import report_figures
from api.services import Services
from domain.figures.periods import month_end, month_of
from domain.meeting import commands as c
from domain.meeting import events as e
from domain.meeting.decider import (
    MeetingDecider,
    ResolutionDecider,
    meeting_stream,
    resolution_stream,
)
from events.envelope import JsonObject
from events.handling import execute
from events.store import SqlEventStore

PLANNED_AHEAD: Final = 7  # days
SEED_OFFSET: Final = 9  # the meetings draw from their own generator: the children stay the same
OPD: Final[tuple[str, ...]] = tuple(TABLES["opd"])
OBSTACLES: Final = tuple((e.Obstacle(code), text) for code, text in TABLES["obstacles"])


class Resolve(NamedTuple):
    """A kind of resolution the meetings adopt: its texts, with ``{desa}`` and
    ``{kecamatan}`` to fill, the months it runs and the figure it aims at, if any."""

    text: str
    office: str
    months: int
    target: e.Target | None


RESOLUTIONS: Final = {
    kind: Resolve(
        row["text"],
        row["office"],
        row["months"],
        e.Target(**row["target"]) if "target" in row else None,
    )
    for kind, row in TABLES["resolutions"].items()
}


class Place(NamedTuple):
    """A kecamatan or desa of the demo: code and name (and the kecamatan of a desa)."""

    code: str
    name: str
    kecamatan: str = ""


class Held(NamedTuple):
    """A meeting the seed holds: its id and area."""

    meeting_id: str
    area: str


@dataclass
class Rakor:
    """A kota rakor the seed held, whose kecamatan reports come after the seed."""

    meeting_id: str
    day: date


@dataclass
class MeetingYear:
    """Schedules the year's meetings and their follow-up through ``push``."""

    kota: Place
    kecamatan: Sequence[Place]
    desa: Sequence[Place]
    months: Sequence[date]  # the first days of the demo's months, oldest first
    seed: int
    push: Push
    rng: random.Random = field(init=False)
    rakor: list[Rakor] = field(default_factory=list)
    meetings: int = 0
    resolutions: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed + SEED_OFFSET)  # noqa: S311 - demo data

    def schedule(self) -> None:
        """Push every meeting of the last twelve months and what follows from it."""
        opened = self.months[0] + timedelta(days=PLANNED_AHEAD)  # planned inside the window
        for month in self.months[-12:]:
            if month.month in (1, 4, 7, 10) and month.replace(day=15) >= opened:
                self._rakor(month.replace(day=15))
            for n, kecamatan in enumerate(self.kecamatan):
                if month.replace(day=6 + n) >= opened:
                    self._kecamatan_meeting(kecamatan, month.replace(day=6 + n))

    def _rakor(self, day: date) -> None:
        stream = self._meeting(
            day,
            level=e.Level.KOTA,
            area=self.kota.code,
            title=f"Rakor TPPS {self.kota.name} triwulan {(day.month - 1) // 3 + 1}",
            organiser=OPD[0],
            offices=[*OPD, *(f"Kecamatan {k.name}" for k in self.kecamatan)],
        )
        self.rakor.append(Rakor(stream.meeting_id, day))
        for kecamatan in self.kecamatan:
            self._resolution(stream, day, "coverage", [kecamatan.code], kecamatan=kecamatan.name)
        self._resolution(stream, day, "accompaniment", [self.kota.code])

    def _kecamatan_meeting(self, kecamatan: Place, day: date) -> None:
        office = f"Kecamatan {kecamatan.name}"
        stream = self._meeting(
            day,
            level=e.Level.KECAMATAN,
            area=kecamatan.code,
            title=f"Rapat koordinasi TPPS Kecamatan {kecamatan.name}",
            organiser=office,
            offices=[office, f"Puskesmas {kecamatan.name}", "PKB/PLKB", "TP PKK"],
        )
        mine = [d for d in self.desa if d.kecamatan == kecamatan.code]
        for desa in self.rng.sample(mine, k=min(len(mine), self.rng.choice((1, 1, 2)))):
            kind = "home_visits" if self.rng.random() < 0.5 else "local_food"
            self._resolution(
                stream, day, kind, [desa.code], desa=desa.name, kecamatan=kecamatan.name
            )

    def _meeting(
        self,
        day: date,
        *,
        level: e.Level,
        area: str,
        title: str,
        organiser: str,
        offices: Sequence[str],
    ) -> Held:
        meeting_id = self._id()
        stream = DeciderStream(meeting_stream(meeting_id), MeetingDecider())
        self.push(
            at(day - timedelta(days=7), 9),
            stream,
            c.PlanMeeting(
                at=at(day - timedelta(days=7), 9),
                level=level,
                area=area,
                date=day,
                title=title,
                organiser=organiser,
                agenda=(
                    "Laporan kemajuan wilayah",
                    "Kendala dan tindak lanjut",
                    "Penetapan kesepakatan",
                ),
            ),
        )
        attendance = tuple(
            e.Attendee(
                office=o,
                position="Kepala" if i == 0 else "Perwakilan",
                count=1 + self.rng.randrange(2),
            )
            for i, o in enumerate(offices)
        )
        minutes = (
            f"Rapat dibuka pukul 09.00 WIB oleh {organiser}.\nSetiap wilayah melaporkan "
            "capaian penimbangan, kasus stunting baru dan kendala.\nRapat menetapkan "
            "kesepakatan tindak lanjut di bawah ini."
        )
        self.push(
            at(day, 14),
            stream,
            c.HoldMeeting(at=at(day, 14), minutes=minutes, attendance=attendance),
        )
        self.meetings += 1
        return Held(meeting_id, area)

    def _resolution(
        self, meeting: Held, day: date, kind: str, areas: Sequence[str], **names: str
    ) -> None:
        """Adopt the resolution of ``kind`` (its texts filled with ``names``) over ``areas``."""
        resolve = RESOLUTIONS[kind]
        text, office = resolve.text.format(**names), resolve.office.format(**names)
        stream = DeciderStream(resolution_stream(self._id()), ResolutionDecider())
        due = month_end(month_of(add_months(day, resolve.months)))
        facts = c.MeetingFacts(id=meeting.meeting_id, status="held", date=day, area=meeting.area)
        adopted = at(day, 15)
        self.push(
            adopted,
            stream,
            c.AdoptResolution(
                at=adopted,
                meeting=facts,
                text=text,
                office=office,
                due=due,
                areas=tuple(areas),
                target=resolve.target,
            ),
        )
        self.resolutions += 1
        span = (due - day).days
        midway = at(day + timedelta(days=span // 2), 10)
        self.push(
            midway,
            stream,
            c.ReportProgress(
                at=midway,
                text="Sebagian kegiatan berjalan",
                percent=self.rng.choice((30, 40, 50, 60)),
            ),
        )
        fate = self.rng.random()
        if fate < 0.55:
            self._close(
                stream,
                due - timedelta(days=self.rng.randrange(0, 10)),
                e.Outcome.DONE,
                "Kegiatan selesai sesuai rencana",
            )
        elif fate < 0.75:
            self._close(
                stream,
                due + timedelta(days=self.rng.randrange(3, 30)),
                e.Outcome.DONE,
                "Selesai setelah batas waktu",
            )
        elif fate < 0.85:
            self._close(
                stream,
                day + timedelta(days=span // 2 + 5),
                e.Outcome.DROPPED,
                "Digabung dengan program Dana Desa",
            )

    def _close(self, stream: DeciderStream[Any], on: date, outcome: e.Outcome, reason: str) -> None:
        when = at(on, 11)
        self.push(
            when, stream, c.CloseResolution(at=when, outcome=outcome, reason=reason, closed_on=on)
        )

    def _id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))


def add_reports(
    store: SqlEventStore,
    services: Services,
    year: MeetingYear,
    meta: JsonObject,
    event_id: Callable[[datetime], str],
) -> int:
    """Each camat's report at each rakor, with the figures as known when its day ended,
    appended through ``store`` at its clock's instant (after the children's history)."""
    rng, written = random.Random(year.seed + SEED_OFFSET + 1), 0  # noqa: S311 - demo data
    for rakor in year.rakor:
        for kecamatan in year.kecamatan:
            code, text = rng.choice(OBSTACLES)
            at = store.clock()
            command = c.ReportArea(
                at=at,
                area=kecamatan.code,
                office=f"Kecamatan {kecamatan.name}",
                activities=("Posyandu serentak", "Kunjungan rumah oleh TPK"),
                obstacles=(e.Kendala(code=code, text=text),),
                figures=report_figures(services, kecamatan.code, rakor.day),
            )
            execute(
                store,
                MeetingDecider(),
                meeting_stream(rakor.meeting_id),
                command,
                meta,
                event_ids=[event_id(at)],
            )
            written += 1
    return written
