"""Sponsor figures of an area for a period, now or as known at a log position.

- ``sponsors``, ``active_commitments`` and ``beneficiaries`` (by kind): those with a
  commitment running (active, not paused) on at least one day of the period for a
  beneficiary living in the area;
- ``rupiah_committed``: what fell due in the period (the fulfilment rule: due by the
  period's last day less due by the day before it); ``rupiah_delivered``: verified
  deliveries dated in the period;
- ``stunted`` (the area figures' count for the period) and ``stunted_sponsored``: those
  of them with a nutrition commitment running on some day of the period.

Sums per area one level below are made the same way; nothing is averaged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from api.services import Services
from domain.figures import Figures, Period
from domain.sponsor import events as e
from domain.sponsor.decider import COMMITMENT_PREFIX, CommitmentDecider, CommitmentState
from domain.sponsor.fulfilment import due_periods, runs_between
from events.fold import states_at
from events.projections import sponsors as index


@dataclass
class SponsorFigures:
    """The sponsor figures of one area and period."""

    sponsors: int = 0
    active_commitments: int = 0
    beneficiaries: dict[str, int] = field(
        default_factory=lambda: {k.value: 0 for k in e.BeneficiaryKind}
    )
    rupiah_committed: int = 0
    rupiah_delivered: int = 0
    stunted: int = 0
    stunted_sponsored: int = 0

    @property
    def share_stunted_sponsored(self) -> float | None:
        """Stunted children sponsored over stunted children (None when none is stunted)."""
        return None if self.stunted == 0 else round(self.stunted_sponsored / self.stunted, 4)


def commitments_at(
    services: Services, code: str, position: int | None
) -> list[tuple[str, CommitmentState]]:
    """The commitments for beneficiaries under ``code``, now or as known at ``position``."""
    if position is None:
        with services.engine.connect() as conn:
            rows = index.list_commitments(conn, reach=("*",), area=code)
        return [(i, s) for i, s, _ in rows]
    folded = states_at(
        services.store, CommitmentDecider(), e.COMMITMENT_FACTS, wilayah=code, position=position
    )
    return [(k.removeprefix(COMMITMENT_PREFIX), s) for k, s in sorted(folded.items())]


def sponsor_figures(
    commitments: Iterable[tuple[str, CommitmentState]],
    period: Period,
    figures: Figures,
    stunted_among: Callable[[set[str]], set[str]],
) -> SponsorFigures:
    """The sponsor figures of the commitments given (all for one area) over ``period``,
    with the area's ``figures`` and which children of a set are stunted in them."""
    first, last = period.first_day, period.last_day
    found = SponsorFigures(stunted=figures.total.stunted)
    sponsors: set[str] = set()
    beneficiaries: set[tuple[str, str]] = set()
    fed: set[str] = set()
    for _, state in commitments:
        assert state.beneficiary is not None
        if runs_between(state, first, last):
            found.active_commitments += 1
            sponsors.add(state.sponsor)
            beneficiaries.add((state.beneficiary.kind.value, state.beneficiary.id))
            if state.aid is e.Aid.NUTRITION and state.beneficiary.kind is e.BeneficiaryKind.CHILD:
                fed.add(state.beneficiary.id)
        started = due_periods(state, last) - due_periods(state, first - timedelta(days=1))
        found.rupiah_committed += started * state.amount_rupiah
        found.rupiah_delivered += sum(
            d.amount_rupiah for d in state.deliveries if d.verified and first <= d.on <= last
        )
    found.sponsors = len(sponsors)
    for kind, _ in beneficiaries:
        found.beneficiaries[kind] += 1
    found.stunted_sponsored = len(stunted_among(fed))
    return found
