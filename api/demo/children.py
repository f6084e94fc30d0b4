"""The demo's fictitious children and their months: registered, measured at the posyandu,
entered late, mistyped and corrected, entered twice and voided, moved and exited.

The growth model works in z-score units: a persistent level per child, an AR(1) drift from
month to month (children become stunted and recover), and the kader's measuring error.
Every command goes to the ``Writer`` at the simulated instant it would be entered.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from statistics import NormalDist
from typing import Final

from api.demo.kota import AREAS, KECAMATAN
from api.demo.writer import DeciderStream, Writer, add_months, at
from domain.child import commands as cc
from domain.child.decider import ChildDecider, ChildState
from domain.child.decider import stream_id as child_stream
from domain.child.events import ChildPersonal, ExitReason, Measurement
from domain.growth import Indicator, Position, Sex, assess
from domain.growth.lms import value_at
from domain.growth.rules import DAYS_PER_MONTH, HEIGHT_FROM_DAY
from domain.growth.tables import LmsTable, table

ENTRY_HOUR: Final = 16
"""Everything of a day is entered at 16:00 WIB, after the posyandu: one instant per day."""
LEVEL_SD: Final = 0.85
DRIFT_KEEP: Final = 0.8
DRIFT_STEP_SD: Final = 0.22
MEASURING_SD: Final = 0.12
TOTAL_SD: Final = math.sqrt(LEVEL_SD**2 + DRIFT_STEP_SD**2 / (1 - DRIFT_KEEP**2) + MEASURING_SD**2)
WHZ_MEAN: Final = -0.15
# Shares of the rarer happenings.
LATE_SHARE: Final = 0.06  # entered 1-6 weeks after the posyandu day
TYPO_SHARE: Final = 0.003  # a slipped decimal or digit: the growth rules flag it
TYPO_FIXED_SHARE: Final = 0.7  # of the typos, corrected later
MISREAD_SHARE: Final = 0.008  # a wrong reading, corrected later with a reason
DUPLICATE_SHARE: Final = 0.003  # entered twice; the second is voided
MOVE_SHARE: Final = 0.006
MOVED_OUT_SHARE: Final = 0.004
DIED_SHARE: Final = 0.001
CHILD_DECIDER: Final = ChildDecider()


@dataclass
class Child:
    """A fictitious child: who, where, and the hidden state of the growth model."""

    number: int
    stream: DeciderStream[ChildState]
    sex: Sex
    birth: date
    desa: int
    posyandu: int
    haz_level: float
    whz_level: float
    attendance: float
    registered_on: date
    haz_drift: float = 0.0
    whz_drift: float = 0.0
    move: tuple[date, int, int] | None = None  # on, to desa, to posyandu
    exit: tuple[date, ExitReason] | None = None


class _Quota:
    """Picks a share of the cases evenly (systematic sampling from a random start).

    Small demos still get their late entries, corrections and voids, and large ones get
    the share exactly rather than a random number near it.
    """

    def __init__(self, share: float, rng: random.Random) -> None:
        self.share, self.level = share, rng.random()

    def due(self) -> bool:
        """Whether this case is one of the share."""
        self.level += self.share
        if self.level < 1.0:
            return False
        self.level -= 1.0
        return True


class _Quotas:
    def __init__(self, rng: random.Random) -> None:
        self.late = _Quota(LATE_SHARE, rng)
        self.typo = _Quota(TYPO_SHARE, rng)
        self.misread = _Quota(MISREAD_SHARE, rng)
        self.duplicate = _Quota(DUPLICATE_SHARE, rng)
        self.move = _Quota(MOVE_SHARE, rng)
        self.moved_out = _Quota(MOVED_OUT_SHARE, rng)
        self.died = _Quota(DIED_SHARE, rng)


@dataclass
class Counts:
    """The rarer happenings written so far."""

    late: int = 0
    corrections: int = 0
    voids: int = 0
    moves: int = 0
    exits: int = 0


class Children:
    """Draws the demo's children and writes their months through ``writer``."""

    def __init__(
        self,
        writer: Writer,
        rng: random.Random,
        *,
        count: int,
        months: list[date],
        end_at: datetime,
    ) -> None:
        self.writer, self.rng = writer, rng
        self.months, self.start, self.end_at = months, months[0], end_at
        self.counts = Counts()
        self.quota = _Quotas(rng)
        self.tables = {sex: {i: table(i, sex) for i in Indicator} for sex in Sex}
        self.kids = self._population(count)

    # -- the population ------------------------------------------------------------

    def _population(self, count: int) -> list[Child]:
        rng = self.rng
        weights = [
            a.kecamatan.child_share * (1.3 if a.code[-4] == "1" else 1.0) * rng.uniform(0.7, 1.3)
            for a in AREAS
        ]
        for k in KECAMATAN:  # each kecamatan keeps exactly its share
            mine = [i for i, a in enumerate(AREAS) if a.kecamatan is k]
            total = sum(weights[i] for i in mine)
            for i in mine:
                weights[i] *= k.child_share / total
        homes = rng.choices(range(len(AREAS)), weights=weights, k=count)
        self.sessions = [
            [rng.randint(3, 24) for _ in range(max(1, round(homes.count(d) / 85)))]
            for d in range(len(AREAS))
        ]
        first_birth = add_months(self.start, -60) + timedelta(days=5)
        span = (self.months[-1] - first_birth).days
        kids = [
            self._child(n + 1, d, first_birth + timedelta(days=rng.randrange(span)))
            for n, d in enumerate(homes)
        ]
        for kid in kids:
            self._plan_moves(kid)
        return kids

    def _child(self, number: int, desa: int, birth: date) -> Child:
        rng = self.rng
        mean = -2.0 - TOTAL_SD * NormalDist().inv_cdf(AREAS[desa].kecamatan.target_prevalence)
        posyandu = rng.randrange(len(self.sessions[desa]))
        child_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        kid = Child(
            number=number,
            stream=DeciderStream(child_stream(child_id), CHILD_DECIDER),
            sex=Sex.MALE if rng.random() < 0.51 else Sex.FEMALE,
            birth=birth,
            desa=desa,
            posyandu=posyandu,
            haz_level=rng.gauss(mean, LEVEL_SD),
            whz_level=rng.gauss(WHZ_MEAN, LEVEL_SD),
            attendance=rng.betavariate(8, 2),
            registered_on=self.start,
        )
        stationary = DRIFT_STEP_SD / math.sqrt(1 - DRIFT_KEEP**2)
        kid.haz_drift, kid.whz_drift = rng.gauss(0, stationary), rng.gauss(0, stationary)
        if birth >= self.start:  # born in the window: registered at the first posyandu after
            month = birth.replace(day=1)
            day = self.sessions[desa][posyandu]
            if birth.day >= day:
                month = add_months(month, 1)
            kid.registered_on = month.replace(day=day)
        return kid

    def _plan_moves(self, kid: Child) -> None:
        rng = self.rng
        first = kid.registered_on + timedelta(days=20)
        last = min(kid.birth + timedelta(days=1826), self.end_at.date()) - timedelta(days=2)
        if last <= first:
            return
        on = first + timedelta(days=rng.randrange((last - first).days))
        if self.quota.move.due():
            to = rng.choice([d for d in range(len(AREAS)) if d != kid.desa])
            kid.move = (on, to, rng.randrange(len(self.sessions[to])))
        elif self.quota.moved_out.due():
            kid.exit = (on, ExitReason.MOVED_OUT)
        elif self.quota.died.due():
            kid.exit = (on, ExitReason.DIED)

    # -- the simulation --------------------------------------------------------------

    def open(self) -> None:
        """Register the balita already there when the window opens: the initial import."""
        opened = at(self.start, 9)
        for kid in self.kids:
            if kid.registered_on == self.start:
                self._register(kid, opened)

    def month(self, first: date) -> None:
        """Write the month beginning on ``first`` for every child."""
        following = add_months(first, 1)
        for kid in self.kids:
            self._month(kid, first, following)

    def _month(self, kid: Child, first: date, following: date) -> None:
        if kid.registered_on >= following or (kid.exit and kid.exit[0] < first):
            return
        if (first - kid.birth).days >= 1827:  # 60 months and more: no longer a balita
            return
        rng = self.rng
        kid.haz_drift = DRIFT_KEEP * kid.haz_drift + rng.gauss(0, DRIFT_STEP_SD)
        kid.whz_drift = DRIFT_KEEP * kid.whz_drift + rng.gauss(0, DRIFT_STEP_SD)
        session = first.replace(day=self.sessions[kid.desa][kid.posyandu])
        newborn = kid.registered_on == session
        if newborn:  # before a move of the same month: registered where the child was born
            self._register(kid, at(session, ENTRY_HOUR))
        if kid.move and first <= kid.move[0] < following:
            on, kid.desa, kid.posyandu = kid.move
            self._push(
                at(on, ENTRY_HOUR),
                kid,
                cc.MoveChild(today=on, to_desa=AREAS[kid.desa].code, moved_on=on),
            )
            self.counts.moves += 1
            if session >= on:
                session = first.replace(day=self.sessions[kid.desa][kid.posyandu])
                if session <= on:
                    return
        if kid.exit and first <= kid.exit[0] < following:
            on, reason = kid.exit
            self._push(at(on, ENTRY_HOUR), kid, cc.ExitChild(today=on, reason=reason, exited_on=on))
            self.counts.exits += 1
            if session >= on:
                return
        if session < kid.registered_on or (session - kid.birth).days / DAYS_PER_MONTH >= 60:
            return
        if rng.random() < (0.9 if newborn else kid.attendance):
            self._measure(kid, session)

    def _register(self, kid: Child, when: datetime) -> None:
        label = f"{kid.number:05d}"
        personal = ChildPersonal(
            name=f"Demo Anak {label}",
            mother_name=f"Demo Ibu {label}",
            address=f"Alamat Demo {label}",
        )
        area = AREAS[kid.desa]
        command = cc.RegisterChild(
            today=when.date(),
            sex=kid.sex,
            birth_date=kid.birth,
            desa=area.code,
            posyandu=f"Demo {area.name} {kid.posyandu + 1}",
            personal=personal,
        )
        self._push(when, kid, command)

    def _measure(self, kid: Child, day: date) -> None:
        rng = self.rng
        age = (day - kid.birth).days
        haz = kid.haz_level + kid.haz_drift + rng.gauss(0, MEASURING_SD)
        whz = kid.whz_level + kid.whz_drift + rng.gauss(0, MEASURING_SD)
        true = self._values(kid.sex, day, age, haz, whz)
        entered, reason = true, None
        if self.quota.typo.due():
            entered = self._typo(kid.sex, age, true)
            if rng.random() < TYPO_FIXED_SHARE:
                reason = "salah ketik saat entri; dikoreksi dari buku register posyandu"
        elif self.quota.misread.due():
            entered, reason = self._misread(true)
        when = at(day, ENTRY_HOUR)
        if self.quota.late.due():
            late = at(day + timedelta(days=rng.randint(7, 42)), ENTRY_HOUR)
            if late < self.end_at:
                when = late
                self.counts.late += 1
        measurement_id = self._push(when, kid, partial(_record, entered, when.date()))
        follow_up = at(when.date() + timedelta(days=rng.randint(2, 21)), ENTRY_HOUR)
        if follow_up >= self.end_at:
            return
        later: cc.ChildCommand
        if reason is not None:
            later = cc.CorrectMeasurement(
                today=follow_up.date(),
                measurement_id=measurement_id,
                measurement=true,
                reason=reason,
            )
            self.counts.corrections += 1
        elif self.quota.duplicate.due():
            duplicate = self._push(when, kid, partial(_record, entered, when.date()))
            later = cc.VoidMeasurement(
                today=follow_up.date(),
                measurement_id=duplicate,
                reason="entri ganda: pengukuran yang sama tercatat dua kali",
            )
            self.counts.voids += 1
        else:
            return
        self._push(follow_up, kid, later)

    def _values(self, sex: Sex, day: date, age: int, haz: float, whz: float) -> Measurement:
        """Length/height and weight at these z-scores, rounded as a kader writes them."""
        tables = self.tables[sex]
        lhfa = tables[Indicator.LHFA]
        length = value_at(haz, *lhfa.rows[age - lhfa.first_day])
        lying = age < HEIGHT_FROM_DAY
        by_length = tables[Indicator.WFL if lying else Indicator.WFH]
        row = round((length - by_length.start) * by_length.steps_per_unit)
        source: LmsTable = by_length
        if not 0 <= row < len(by_length.rows):
            source, row = tables[Indicator.WFA], age - tables[Indicator.WFA].first_day
        weight = value_at(whz, *source.rows[row])
        return Measurement(
            measured_on=day,
            weight_kg=round(weight, 1),
            length_cm=round(length, 1),
            position=Position.LYING if lying else Position.STANDING,
            measured_by="kader",
        )

    def _typo(self, sex: Sex, age: int, true: Measurement) -> Measurement:
        """A slipped decimal point or tens digit that the WHO flags catch."""
        weight, length = true.weight_kg or 1.0, true.length_cm or 50.0
        slips = [
            {"weight_kg": max(round(weight / 10, 1), 0.1)},
            {"length_cm": length - 30 if length >= 75 else length + 30},
        ]
        self.rng.shuffle(slips)
        for slip in slips:
            typo = true.model_copy(update=slip)
            scored = assess(
                sex=sex,
                age_days=age,
                weight_kg=typo.weight_kg,
                length_cm=typo.length_cm,
                position=typo.position,
            )
            if scored.flags:
                return typo
        return true.model_copy(update={"weight_kg": max(round(weight / 10, 1), 0.1)})

    def _misread(self, true: Measurement) -> tuple[Measurement, str]:
        """A wrong reading, corrected later with the kader's reason."""
        off = self.rng.choice((-1, 1)) * self.rng.randint(3, 8) / 10
        if self.rng.random() < 0.5 and (true.weight_kg or 0) > 2:
            wrong = {"weight_kg": round((true.weight_kg or 0) + off, 1)}
            return true.model_copy(update=wrong), "timbangan belum dinolkan; ditimbang ulang"
        wrong = {"length_cm": round((true.length_cm or 50) + 3 * off, 1)}
        return true.model_copy(update=wrong), "panjang badan salah baca; diukur ulang"

    def _push(self, when: datetime, kid: Child, command: cc.ChildCommand | _Recorded) -> str:
        return self.writer.push(when, kid.stream, command, self.rng)


_Recorded = partial[cc.ChildCommand]


def _record(measurement: Measurement, today: date, measurement_id: str) -> cc.ChildCommand:
    """Record ``measurement`` under its own event id, entered on ``today``."""
    return cc.RecordMeasurement(today=today, measurement_id=measurement_id, measurement=measurement)
