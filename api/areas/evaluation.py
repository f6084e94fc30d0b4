"""The TPPS evaluation of a kota: per kecamatan, its figures, its resolutions and its
sponsors' commitments, ranked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import partial

from pydantic import BaseModel, Field

from api.areas.registry import area_names, desa_under
from api.identity.access import Principal, ensure_reach
from api.meetings.figures import indicator_value
from api.services import Services
from api.sponsors.figures import SponsorFigures, commitments_at, sponsor_figures
from api.web.csv_answer import csv_text
from api.web.kit import answer_from, log_position_of
from domain import wilayah
from domain.fact import DomainError, NotFound
from domain.figures import Figures, Period, parse_period
from domain.figures.periods import month_end, month_of, previous
from domain.meeting.decider import ResolutionDecider, ResolutionState, ResolutionStatus, local_day
from domain.meeting.events import RESOLUTION_FACTS
from domain.meeting.targets import met
from domain.values import ascii_digits
from events.area_figures import AreaFigures, Sums, desa_itself, reading, unit_of
from events.feed import last_positions
from events.fold import states_at
from events.projections import meetings as index

_INPUTS = ("area", "child", "resolution", "commitment")


class ResolutionCounts(BaseModel):
    """The resolutions due in the period, by how they stand as of its evaluation."""

    due: int = 0
    done_on_time: int = 0
    done_late: int = 0
    open: int = 0
    dropped: int = 0
    targets_checked: int = Field(0, description="Targets whose due month has ended, with data.")
    targets_met: int = 0


class SponsorColumns(BaseModel):
    """The sponsor figures of the period (docs/sponsors.md)."""

    sponsors: int
    active_commitments: int
    rupiah_committed: int
    rupiah_delivered: int
    stunted_sponsored: int
    share_stunted_sponsored: float | None

    @classmethod
    def of(cls, found: SponsorFigures) -> SponsorColumns:
        """The columns of one row."""
        return answer_from(cls, found)


class EvaluationRow(BaseModel):
    """One kecamatan (or the kota's total)."""

    rank: int | None = Field(description="By prevalence, lowest first; null for the total.")
    code: str
    name: str | None
    present: int
    measured: int
    coverage: float | None
    measured_valid_haz: int
    stunted: int
    prevalence_stunting: float | None
    prevalence_previous: float | None
    prevalence_change: float | None = Field(description="This period's minus the previous.")
    new_stunting: int
    desa: int = Field(description="Registered desa/kelurahan.")
    desa_zero_new_stunting: int = Field(description="Desa measured with no new stunting case.")
    resolutions: ResolutionCounts
    sponsors: SponsorColumns


class EvaluationAnswer(BaseModel):
    """The evaluation of a kota's kecamatan for a period."""

    code: str
    name: str | None
    period: str
    previous_period: str
    as_of: date = Field(description="The day resolutions are judged on (open, overdue).")
    known_at: str | None
    log_position: int
    rows: list[EvaluationRow]
    total: EvaluationRow


def evaluate(
    services: Services, principal: Principal, code: str, period: Period, known_at: str | None
) -> EvaluationAnswer:
    """The evaluation rows of the kota ``code`` for ``period``."""
    kota = wilayah.parse(code, field="code")
    if wilayah.level(kota) != wilayah.Level.KABKOTA:
        raise DomainError(
            "the evaluation is of a kota/kabupaten: give its code, e.g. 32.79", field="code"
        )
    ensure_reach(principal, kota, "area")
    desa = desa_under(services, kota)
    if not desa:
        raise NotFound("there is no registered desa/kelurahan under this code")
    position = log_position_of(services, known_at)
    as_of = _as_of(services, known_at, position)
    # Nothing else goes into the answer: the same key can only find the same rows.
    based_on = position if position is not None else last_positions(services.engine, _INPUTS)
    key = (kota, period.name, known_at, based_on, as_of)
    found = services.evaluations.get(key)
    if found is None:
        found = _evaluation(
            services, kota, desa, period, known_at=known_at, position=position, as_of=as_of
        )
        services.evaluations.put(key, found)
    return found


def _evaluation(
    services: Services,
    kota: str,
    desa: Sequence[str],
    period: Period,
    *,
    known_at: str | None,
    position: int | None,
    as_of: date,
) -> EvaluationAnswer:
    before = previous(period)
    resolutions = resolutions_due(services, kota, period, position)
    due_months = {month_of(s.due) for s in resolutions if s.target}
    held = commitments_at(services, kota, position)

    def sponsored(code: str, figures: Figures) -> SponsorColumns:
        mine = [(i, c) for i, c in held if c.desa.startswith(code + ".")]
        stunted = partial(source.stunted_among, code, period)
        return SponsorColumns.of(sponsor_figures(mine, period, figures, stunted))

    with reading(services.store, kota, [*before.months, *period.months, *due_months], position) as (
        source,
        log_position,
    ):
        source.read_ahead([period, before, *(parse_period(m) for m in due_months)])
        sums = _Sums(source, kota)
        now, earlier = sums.kecamatan(period), sums.kecamatan(before)
        zero = sums.zero_new_stunting(period)
        counts = _resolution_counts(kota, resolutions, as_of, sums)
        columns = {c: sponsored(c, f) for c, f in [(kota, now.figures), *now.units.items()]}
    names = area_names(services, [kota, *now.units])
    rows = [
        _row(
            c,
            names.get(c),
            figures,
            earlier.units.get(c),
            zero=sum(1 for d in zero if d.startswith(c + ".")),
            registered=sum(1 for d in desa if d.startswith(c + ".")),
            resolutions=counts.get(c, ResolutionCounts()),
            sponsors=columns[c],
        )
        for c, figures in now.units.items()
    ]
    rows.sort(key=lambda r: (_none_last(r.prevalence_stunting), r.code))
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
    previous_total = earlier.figures
    total = _row(
        kota,
        names.get(kota),
        now.figures,
        previous_total,
        zero=len(zero),
        registered=len(desa),
        resolutions=counts.get(kota, ResolutionCounts()),
        sponsors=columns[kota],
    )
    return EvaluationAnswer(
        code=kota,
        name=names.get(kota),
        period=period.name,
        previous_period=before.name,
        as_of=as_of,
        known_at=known_at,
        log_position=log_position,
        rows=rows,
        total=total,
    )


def _row(
    code: str,
    name: str | None,
    figures: Figures,
    earlier: Figures | None,
    *,
    zero: int,
    registered: int,
    resolutions: ResolutionCounts,
    sponsors: SponsorColumns,
) -> EvaluationRow:
    total = figures.total
    before = None if earlier is None else earlier.total.prevalence_stunting
    now = total.prevalence_stunting
    return answer_from(
        EvaluationRow,
        total,  # present, measured, coverage, stunted, new stunting: as the figures count them
        rank=None,
        code=code,
        name=name,
        prevalence_stunting=now,
        prevalence_previous=before,
        prevalence_change=None if now is None or before is None else round(now - before, 6),
        desa=registered,
        desa_zero_new_stunting=zero,
        resolutions=resolutions,
        sponsors=sponsors,
    )


def resolutions_due(
    services: Services, code: str, period: Period, position: int | None
) -> list[ResolutionState]:
    """The resolutions concerning areas under ``code`` due in ``period``, now or as known at
    ``position``."""
    first, last = period.first_day, period.last_day
    if position is None:
        with services.engine.connect() as conn:
            rows = index.list_resolutions(conn, reach=(code,), due_from=first, due_to=last)
        return [r.state for r in rows]
    folded = states_at(
        services.store, ResolutionDecider(), RESOLUTION_FACTS, wilayah=code[:5], position=position
    )
    return [
        s
        for s in folded.values()
        if first <= s.due <= last
        and any(wilayah.covers(code, a) or wilayah.covers(a, code) for a in s.areas)
    ]


def _resolution_counts(
    kota: str, resolutions: Iterable[ResolutionState], as_of: date, sums: _Sums
) -> dict[str, ResolutionCounts]:
    counts: dict[str, ResolutionCounts] = {}
    for state in resolutions:
        verdict = _target_met(state, as_of, sums)
        places = {kota} | {a[:8] for a in state.areas if len(a) >= 8}
        for place in places:
            _count(counts.setdefault(place, ResolutionCounts()), state, verdict)
    return counts


def _count(counts: ResolutionCounts, state: ResolutionState, verdict: bool | None) -> None:
    counts.due += 1
    if state.status is ResolutionStatus.OPEN:
        counts.open += 1
    elif state.status is ResolutionStatus.DROPPED:
        counts.dropped += 1
    elif state.closed_on is not None and state.closed_on <= state.due:
        counts.done_on_time += 1
    else:
        counts.done_late += 1
    if verdict is not None:
        counts.targets_checked += 1
        counts.targets_met += verdict


def _target_met(state: ResolutionState, as_of: date, sums: _Sums) -> bool | None:
    """Whether every area of the resolution met its target in the due month (None: no
    target, the month has not ended, or no figure to judge)."""
    target = state.target
    month = month_of(state.due)
    if target is None or month_end(month) >= as_of:
        return None
    verdicts = []
    for area in state.areas:
        figures = sums.area(parse_period(month), area)
        actual = None if figures is None else indicator_value(figures.total, target.indicator)
        verdicts.append(met(target.indicator, target.value, actual))
    return None if None in verdicts else all(v is True for v in verdicts)


class _Sums:
    """The kota's figures per kecamatan, and a desa's, for the periods asked, each summed once."""

    def __init__(self, source: Sums, kota: str) -> None:
        self.source, self.kota = source, kota
        self._kecamatan: dict[str, AreaFigures] = {}
        self._desa: dict[str, dict[str, Figures]] = {}
        self._one: dict[tuple[str, str], Figures] = {}

    def kecamatan(self, period: Period) -> AreaFigures:
        """The kota's total and its kecamatan's figures."""
        if period.name not in self._kecamatan:
            self._kecamatan[period.name] = self.source.figures(
                self.kota, period, unit_of(self.kota), detail=False
            )
        return self._kecamatan[period.name]

    def desa(self, period: Period) -> dict[str, Figures]:
        """The figures of each desa of the kota."""
        if period.name not in self._desa:
            found = self.source.figures(self.kota, period, desa_itself, detail=False)
            self._desa[period.name] = found.units
        return self._desa[period.name]

    def zero_new_stunting(self, period: Period) -> set[str]:
        """The desa that reached zero new stunting in the period."""
        return {d for d, f in self.desa(period).items() if f.total.zero_new_stunting}

    def area(self, period: Period, code: str) -> Figures | None:
        """The figures of the kota, a kecamatan or a desa (None for a code not under it)."""
        if code == self.kota:
            return self.kecamatan(period).figures
        if len(code) == len("32.79.02"):
            return self.kecamatan(period).units.get(code)
        if not code.startswith(self.kota + "."):
            return None
        if (period.name, code) not in self._one:
            found = self.source.figures(code, period, None, detail=False)
            self._one[period.name, code] = found.figures
        return self._one[period.name, code]


def _as_of(services: Services, known_at: str | None, position: int | None) -> date:
    """The day the evaluation judges on: today, the day of ``known_at``, or the day the
    position ``known_at`` names was recorded."""
    if position is None:
        return local_day(services.clock())
    if known_at is not None and not ascii_digits(known_at, 15):
        return local_day(datetime.fromisoformat(known_at))
    event = services.store.read_all(position - 1, 1)
    return local_day(event[0].recorded_at) if event else date(2000, 1, 1)


def _none_last(value: float | None) -> float:
    return float("inf") if value is None else value


_COLUMNS = (
    "rank",
    "code",
    "name",
    "present",
    "measured",
    "coverage",
    "measured_valid_haz",
    "stunted",
    "prevalence_stunting",
    "prevalence_previous",
    "prevalence_change",
    "new_stunting",
    "desa",
    "desa_zero_new_stunting",
)


_RESOLUTION_COLUMNS = tuple(ResolutionCounts.model_fields)


_SPONSOR_COLUMNS = tuple(SponsorColumns.model_fields)


def evaluation_csv(answer: EvaluationAnswer) -> str:
    header: list[object] = [
        *_COLUMNS,
        *(f"resolutions_{c}" for c in _RESOLUTION_COLUMNS),
        *(f"sponsors_{c}" if c != "sponsors" else c for c in _SPONSOR_COLUMNS),
    ]
    rows: list[list[object]] = [header]
    for row in [*answer.rows, answer.total]:
        values = row.model_dump()
        rows.append(
            [
                *(values[c] for c in _COLUMNS),
                *(values["resolutions"][c] for c in _RESOLUTION_COLUMNS),
                *(values["sponsors"][c] for c in _SPONSOR_COLUMNS),
            ]
        )
    return csv_text(rows)
