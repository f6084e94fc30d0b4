"""The family, sponsor and commitment aggregates: ``family-``, ``sponsor-`` and
``commitment-<uuid>`` streams. Their states are plain models the read models keep as-is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar, Final

from pydantic import Field

from domain import wilayah
from domain.child.personal import check_nik
from domain.fact import DomainError, Fact, NotFound, StateConflict
from domain.meeting.decider import day, local_day, text
from domain.meeting.events import Document, Value
from domain.sponsor import commands as c
from domain.sponsor import events as e

FAMILY_PREFIX: Final = "family-"
SPONSOR_PREFIX: Final = "sponsor-"
COMMITMENT_PREFIX: Final = "commitment-"
MAX_RUPIAH: Final = 10**12  # a trillion Rupiah: beyond any one commitment
MAX_CHILDREN: Final = 30


class Mother(Value):
    """A mother of the family and her status (no personal data)."""

    id: str
    status: e.MotherStatus
    due_date: date | None


class FamilyState(Value):
    """A family as its history leaves it (no personal data)."""

    exists: bool = False
    desa: str = ""
    krs: bool = False
    risks: tuple[e.RiskFactor, ...] = ()
    children: tuple[str, ...] = ()
    mothers: tuple[Mother, ...] = ()
    source: str | None = None
    source_id: str | None = None  # no longer kept (personal); read models from before hold it
    rounds: dict[str, e.PkRound] = Field(default_factory=dict)


class FamilyDecider:
    """Decides family commands; pure."""

    stream_type: ClassVar[str] = "family"

    def initial_state(self) -> FamilyState:
        """A family not yet registered."""
        return FamilyState()

    def evolve(self, state: FamilyState, fact: Fact) -> FamilyState:
        """The state after ``fact``."""
        match fact:
            case e.FamilyRegistered():
                return FamilyState(
                    exists=True,
                    desa=fact.desa,
                    krs=fact.krs,
                    risks=fact.risks,
                    children=fact.children,
                )
            case e.FamilyRisksChanged():
                return state.model_copy(update={"krs": fact.krs, "risks": fact.risks})
            case e.RoundImported():
                rounds = {**state.rounds, fact.data.round: fact.data}
                return state.model_copy(
                    update={
                        "exists": True,
                        "desa": fact.desa,
                        "krs": fact.data.krs,
                        "risks": fact.data.risks,
                        "source": fact.source,
                        "rounds": rounds,
                    }
                )
            case e.ChildLinked():
                return state.model_copy(update={"children": (*state.children, fact.child)})
            case e.MotherRecorded():
                mother = Mother(id=fact.mother, status=fact.status, due_date=fact.due_date)
                others = tuple(m for m in state.mothers if m.id != fact.mother)
                return state.model_copy(update={"mothers": (*others, mother)})
        return state

    def decide(self, command: c.SponsorCommand, state: FamilyState) -> Sequence[Fact]:
        """The facts ``command`` leads to, or a refusal."""
        if isinstance(command, c.ImportRound):
            return _import_round(command, state)
        if isinstance(command, c.RegisterFamily):
            if state.exists:
                raise StateConflict("this family is registered already", field="id")
            check_nik(command.personal.nik if command.personal else None, field="personal.nik")
            return [
                e.FamilyRegistered(
                    occurred_at=command.at,
                    wilayah=command.desa,
                    desa=command.desa,
                    krs=command.krs,
                    risks=_risks(command.risks),
                    children=_unique(command.children, "children"),
                    personal=command.personal,
                )
            ]
        if not state.exists:
            raise NotFound("there is no such family")
        match command:
            case c.ChangeRisks():
                risks = _risks(command.risks)
                if (command.krs, risks) == (state.krs, state.risks):
                    return []
                return [
                    e.FamilyRisksChanged(
                        occurred_at=command.at, wilayah=state.desa, krs=command.krs, risks=risks
                    )
                ]
            case c.LinkChild():
                if command.child in state.children:
                    return []
                if len(state.children) >= MAX_CHILDREN:
                    raise DomainError(
                        f"a family has at most {MAX_CHILDREN} children", field="child"
                    )
                return [
                    e.ChildLinked(occurred_at=command.at, wilayah=state.desa, child=command.child)
                ]
            case c.RecordMother():
                return [_mother(command, state)]
        raise DomainError(f"{type(command).__name__} is not a family command")


def _import_round(command: c.ImportRound, state: FamilyState) -> list[Fact]:
    """The round's data as a new fact, nothing when the same round was imported the same."""
    # The stream's id follows from the source and the family's id there, so the same
    # stream with the same source is the same family.
    if state.exists and state.source != command.source:
        raise StateConflict("this family was registered from elsewhere", field="family_id")
    data = command.data.model_copy(update={"risks": _risks(command.data.risks)})
    if state.rounds.get(data.round) == data and state.desa == command.desa:
        return []
    return [
        e.RoundImported(
            occurred_at=command.at,
            wilayah=command.desa,
            source=command.source,
            desa=command.desa,
            data=data,
            personal=e.FamilyIdentifiers(source_id=command.source_id),
        )
    ]


def _mother(command: c.RecordMother, state: FamilyState) -> e.MotherRecorded:
    pregnant = command.status is e.MotherStatus.PREGNANT
    if pregnant != (command.due_date is not None):
        raise DomainError(
            "a pregnant mother has a due date, a breastfeeding one none", field="due_date"
        )
    check_nik(command.personal.nik if command.personal else None, field="personal.nik")
    return e.MotherRecorded(
        occurred_at=command.at,
        wilayah=state.desa,
        mother=command.mother,
        status=command.status,
        due_date=command.due_date,
        personal=command.personal,
    )


class SponsorState(Value):
    """A sponsor as its history leaves it (no personal data)."""

    exists: bool = False
    kind: e.SponsorKind = e.SponsorKind.OTHER
    name: str | None = None
    named_publicly: bool = False
    areas: tuple[str, ...] = ()
    principal: str | None = None


class SponsorDecider:
    """Decides sponsor commands; pure."""

    stream_type: ClassVar[str] = "sponsor"

    def initial_state(self) -> SponsorState:
        """A sponsor not yet registered."""
        return SponsorState()

    def evolve(self, state: SponsorState, fact: Fact) -> SponsorState:
        """The state after ``fact``."""
        if isinstance(fact, e.SponsorRegistered):
            return SponsorState(
                exists=True,
                kind=fact.kind,
                name=fact.name,
                named_publicly=fact.named_publicly,
                areas=fact.areas,
                principal=fact.principal,
            )
        return state

    def decide(self, command: c.SponsorCommand, state: SponsorState) -> Sequence[Fact]:
        """The facts ``command`` leads to, or a refusal."""
        if not isinstance(command, c.RegisterSponsor):
            raise DomainError(f"{type(command).__name__} is not a sponsor command")
        if state.exists:
            raise StateConflict("this sponsor is registered already", field="id")
        individual = command.kind in (e.SponsorKind.INDIVIDU, e.SponsorKind.ASN)
        name = None if command.name is None else text(command.name, "name", 150)
        if name is None and not individual:
            raise DomainError("an organisation is registered with its name", field="name")
        areas = tuple(sorted({wilayah.parse(a, field="areas") for a in command.areas}))
        return [
            e.SponsorRegistered(
                occurred_at=command.at,
                wilayah=wilayah.common(areas),
                kind=command.kind,
                name=name,
                named_publicly=command.named_publicly,
                areas=areas,
                principal=command.principal,
                personal=command.personal,
            )
        ]


class Delivery(Value):
    """A delivery on a commitment, and whether it was verified (None: not yet)."""

    id: str
    on: date
    amount_rupiah: int
    items: str | None
    delivered_by: e.DeliveredBy
    evidence: tuple[Document, ...]
    verified: bool | None = None
    reason: str | None = None


class Pause(Value):
    """Days the commitment was paused: from ``start`` up to (not including) ``until``."""

    start: date
    until: date | None = None


class CommitmentState(Value):
    """A commitment as its history leaves it."""

    exists: bool = False
    sponsor: str = ""
    beneficiary: e.Beneficiary | None = None
    desa: str = ""
    aid: e.Aid = e.Aid.NUTRITION
    description: str = ""
    amount_rupiah: int = 0
    items: str | None = None
    frequency: e.Frequency = e.Frequency.ONCE
    start: date = date(2000, 1, 1)
    end: date | None = None
    status: e.CommitmentStatus = e.CommitmentStatus.ACTIVE
    status_reason: str | None = None
    pauses: tuple[Pause, ...] = ()
    deliveries: tuple[Delivery, ...] = ()

    def delivery(self, delivery_id: str) -> Delivery | None:
        """The delivery ``delivery_id``, if it is on this commitment."""
        return next((d for d in self.deliveries if d.id == delivery_id), None)


class CommitmentDecider:
    """Decides commitment and delivery commands; pure."""

    stream_type: ClassVar[str] = "commitment"

    def initial_state(self) -> CommitmentState:
        """A commitment not yet made."""
        return CommitmentState()

    def evolve(self, state: CommitmentState, fact: Fact) -> CommitmentState:
        """The state after ``fact``."""
        match fact:
            case e.CommitmentMade():
                return CommitmentState(
                    exists=True,
                    sponsor=fact.sponsor,
                    beneficiary=fact.beneficiary,
                    desa=fact.desa,
                    aid=fact.aid,
                    description=fact.description,
                    amount_rupiah=fact.amount_rupiah,
                    items=fact.items,
                    frequency=fact.frequency,
                    start=fact.start,
                    end=fact.end,
                )
            case e.CommitmentStatusChanged():
                return _status_after(state, fact)
            case e.DeliveryRecorded():
                delivery = Delivery(
                    id=fact.delivery,
                    on=fact.on,
                    amount_rupiah=fact.amount_rupiah,
                    items=fact.items,
                    delivered_by=fact.delivered_by,
                    evidence=fact.evidence,
                )
                return state.model_copy(update={"deliveries": (*state.deliveries, delivery)})
            case e.DeliveryVerified():
                deliveries = tuple(
                    d.model_copy(update={"verified": fact.verified, "reason": fact.reason})
                    if d.id == fact.delivery
                    else d
                    for d in state.deliveries
                )
                return state.model_copy(update={"deliveries": deliveries})
        return state

    def decide(self, command: c.SponsorCommand, state: CommitmentState) -> Sequence[Fact]:
        """The facts ``command`` leads to, or a refusal."""
        if isinstance(command, c.MakeCommitment):
            return [_commit(command, state)]
        if not state.exists:
            raise NotFound("there is no such commitment")
        match command:
            case c.ChangeStatus():
                return [_change_status(command, state)]
            case c.RecordDelivery():
                return [_deliver(command, state)]
            case c.VerifyDelivery():
                return [_verify(command, state)]
        raise DomainError(f"{type(command).__name__} is not a commitment command")


def _commit(command: c.MakeCommitment, state: CommitmentState) -> e.CommitmentMade:
    if state.exists:
        raise StateConflict("this commitment is made already", field="id")
    rupiah(command.amount_rupiah, "amount_rupiah")
    items = None if command.items is None else text(command.items, "items", 300)
    if command.amount_rupiah == 0 and items is None:
        raise DomainError("a commitment gives an amount in Rupiah or items", field="amount_rupiah")
    start = day(command.start, "start")
    if command.end is not None and day(command.end, "end") < start:
        raise DomainError("a commitment ends on or after its start", field="end")
    return e.CommitmentMade(
        occurred_at=command.at,
        wilayah=command.desa,
        sponsor=command.sponsor,
        beneficiary=command.beneficiary,
        desa=command.desa,
        aid=command.aid,
        description=text(command.description, "description", 500),
        amount_rupiah=command.amount_rupiah,
        items=items,
        frequency=command.frequency,
        start=start,
        end=command.end,
    )


_ALLOWED: Final = {
    e.StatusAction.PAUSE: (e.CommitmentStatus.ACTIVE,),
    e.StatusAction.RESUME: (e.CommitmentStatus.PAUSED,),
    e.StatusAction.END: (e.CommitmentStatus.ACTIVE, e.CommitmentStatus.PAUSED),
    e.StatusAction.CANCEL: (e.CommitmentStatus.ACTIVE, e.CommitmentStatus.PAUSED),
}


def _change_status(command: c.ChangeStatus, state: CommitmentState) -> e.CommitmentStatusChanged:
    if state.status not in _ALLOWED[command.action]:
        raise StateConflict(f"a {state.status.value} commitment cannot {command.action.value}")
    today = local_day(command.at)
    on = command.on or today
    if on > today:
        raise DomainError("a status changes on a day that has come", field="on")
    earliest = state.pauses[-1].start if state.status is e.CommitmentStatus.PAUSED else state.start
    if on < earliest:
        raise DomainError(f"the date is on or after {earliest}", field="on")
    reason = None if command.reason is None else text(command.reason, "reason")
    if reason is None and command.action in (
        e.StatusAction.END,
        e.StatusAction.CANCEL,
        e.StatusAction.PAUSE,
    ):
        raise DomainError("give the reason", field="reason")
    return e.CommitmentStatusChanged(
        occurred_at=command.at, wilayah=state.desa, action=command.action, on=on, reason=reason
    )


def _status_after(state: CommitmentState, fact: e.CommitmentStatusChanged) -> CommitmentState:
    match fact.action:
        case e.StatusAction.PAUSE:
            return state.model_copy(
                update={
                    "status": e.CommitmentStatus.PAUSED,
                    "status_reason": fact.reason,
                    "pauses": (*state.pauses, Pause(start=fact.on)),
                }
            )
        case e.StatusAction.RESUME:
            if not state.pauses:  # nothing to close: the commitment was not paused
                return state.model_copy(
                    update={"status": e.CommitmentStatus.ACTIVE, "status_reason": None}
                )
            closed = state.pauses[-1].model_copy(update={"until": fact.on})
            return state.model_copy(
                update={
                    "status": e.CommitmentStatus.ACTIVE,
                    "status_reason": None,
                    "pauses": (*state.pauses[:-1], closed),
                }
            )
    pauses = state.pauses
    if state.status is e.CommitmentStatus.PAUSED:
        pauses = (*pauses[:-1], pauses[-1].model_copy(update={"until": fact.on}))
    status = (
        e.CommitmentStatus.ENDED
        if fact.action is e.StatusAction.END
        else e.CommitmentStatus.CANCELLED
    )
    end = fact.on if state.end is None else min(state.end, fact.on)
    return state.model_copy(
        update={"status": status, "status_reason": fact.reason, "end": end, "pauses": pauses}
    )


def _deliver(command: c.RecordDelivery, state: CommitmentState) -> e.DeliveryRecorded:
    if state.status is not e.CommitmentStatus.ACTIVE:
        raise StateConflict(
            f"deliveries are recorded on an active commitment; this one is {state.status.value}"
        )
    if state.delivery(command.delivery) is not None:
        raise StateConflict("this delivery is recorded already", field="id")
    if command.on < state.start:
        raise DomainError(
            f"the delivery is on or after the commitment's start {state.start}", field="date"
        )
    if command.on > local_day(command.at):
        raise DomainError("a delivery is recorded on a day that has come", field="date")
    if state.end is not None and command.on > state.end:
        raise DomainError(f"the commitment ended on {state.end}", field="date")
    rupiah(command.amount_rupiah, "amount_rupiah")
    items = None if command.items is None else text(command.items, "items", 300)
    if command.amount_rupiah == 0 and items is None:
        raise DomainError("a delivery has a value in Rupiah or items", field="amount_rupiah")
    return e.DeliveryRecorded(
        occurred_at=command.at,
        wilayah=state.desa,
        delivery=command.delivery,
        on=command.on,
        amount_rupiah=command.amount_rupiah,
        items=items,
        delivered_by=command.delivered_by,
        evidence=command.evidence,
    )


def _verify(command: c.VerifyDelivery, state: CommitmentState) -> e.DeliveryVerified:
    delivery = state.delivery(command.delivery)
    if delivery is None:
        raise NotFound("there is no such delivery")
    if delivery.verified is not None:
        done = "verified" if delivery.verified else "rejected"
        raise StateConflict(f"the delivery was {done} already")
    reason = None if command.reason is None else text(command.reason, "reason")
    if not command.verified and reason is None:
        raise DomainError("a rejection gives its reason", field="reason")
    return e.DeliveryVerified(
        occurred_at=command.at,
        wilayah=state.desa,
        delivery=command.delivery,
        verified=command.verified,
        reason=reason,
    )


def rupiah(amount: int, field: str) -> int:
    """A whole, non-negative Rupiah amount within reason."""
    if not 0 <= amount <= MAX_RUPIAH:
        raise DomainError(f"Rupiah are whole numbers from 0 to {MAX_RUPIAH}", field=field)
    return amount


def _risks(risks: Sequence[e.RiskFactor]) -> tuple[e.RiskFactor, ...]:
    return tuple(sorted(set(risks)))


def _unique(values: Sequence[str], field: str) -> tuple[str, ...]:
    if len(values) > MAX_CHILDREN:
        raise DomainError(f"at most {MAX_CHILDREN}", field=field)
    return tuple(dict.fromkeys(values))
