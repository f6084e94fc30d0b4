"""A child's history folded for the figures: profile, residence spans, counted measurements.

Used where the figures are recomputed from the log itself (figures "as known at" an earlier
log position, and the tests' independent check); the projection keeps the same spans.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from domain.child import events as e
from domain.fact import Fact
from domain.figures.child import ChildProfile, Scored, Span
from domain.growth import GrowthInputError


def spans_after(spans: tuple[Span, ...], fact: Fact) -> tuple[Span, ...]:
    """Where the child lived, after ``fact`` (registration, a move or an exit)."""
    match fact:
        case e.ChildRegistered():
            return (Span(fact.desa, fact.occurred_at.date()),)
        case e.ChildMoved():
            return (*_closed(spans, fact.moved_on), Span(fact.to_desa, fact.moved_on))
        case e.ChildExited():
            return _closed(spans, fact.exited_on)
    return spans


def _closed(spans: tuple[Span, ...], day: date) -> tuple[Span, ...]:
    return (*spans[:-1], replace(spans[-1], end=day)) if spans else spans


@dataclass
class Timeline:
    """One child's facts so far, as the figures need them."""

    child_id: str
    sex: str = ""
    birth_date: date = date.min
    spans: tuple[Span, ...] = ()
    counted: dict[str, tuple[e.Measurement, int]] = field(default_factory=dict)

    def apply(self, fact: Fact, position: int) -> None:
        """Take in the child's next fact, stored at log ``position``."""
        self.spans = spans_after(self.spans, fact)
        match fact:
            case e.ChildRegistered():
                self.sex, self.birth_date = fact.sex.value, fact.birth_date
            case e.RegistrationCorrected():
                self.sex = fact.sex.value if fact.sex is not None else self.sex
                self.birth_date = fact.birth_date or self.birth_date
            case e.MeasurementRecorded():
                self.counted[fact.measurement_id] = (fact.measurement, position)
            case e.MeasurementCorrected() if fact.measurement_id in self.counted:
                order = self.counted[fact.measurement_id][1]
                self.counted[fact.measurement_id] = (fact.measurement, order)
            case e.MeasurementVoided():
                self.counted.pop(fact.measurement_id, None)

    @property
    def registered(self) -> bool:
        """Whether the registration is among the facts taken in."""
        return bool(self.spans)

    def profile(self) -> ChildProfile:
        """Sex, date of birth and residence spans."""
        return ChildProfile(self.child_id, self.sex, self.birth_date, self.spans)

    def scored(self) -> list[Scored]:
        """The counted measurements with their z-scores (none where dates allow none)."""
        return [self._scored(i, m, order) for i, (m, order) in self.counted.items()]

    def _scored(self, event_id: str, values: e.Measurement, order: int) -> Scored:
        try:
            found = values.assessed(self.sex, self.birth_date)
        except GrowthInputError:
            return Scored(event_id, values.measured_on, order, None, None, None, frozenset())
        return Scored(
            event_id,
            values.measured_on,
            order,
            found.haz,
            found.whz,
            found.waz,
            frozenset(found.flags),
            oedema=found.oedema and found.within_standards,
        )
