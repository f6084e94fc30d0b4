"""The commitment aggregate, a ``commitment-<uuid>`` stream: what a sponsor gives, its
deliveries and their verification."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Final

from domain.checks import day, local_day, optional_text, text
from domain.fact import DomainError, Fact, NotFound, StateConflict
from domain.meeting.events import Document
from domain.sponsor import commands as c
from domain.sponsor import events as e
from domain.streams import StreamDecider, begun, fact_from, made_from, starts_stream
from domain.values import Value

COMMITMENT_PREFIX: Final = "commitment-"
MAX_RUPIAH: Final = 10**12  # a trillion Rupiah: beyond any one commitment


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


@starts_stream
def _commit(command: c.MakeCommitment, state: CommitmentState) -> list[Fact]:
    if state.exists:
        raise StateConflict("this commitment is made already", field="id")
    items = _worth(command.amount_rupiah, command.items, "a commitment gives an amount")
    start = day(command.start, "start")
    if command.end is not None and day(command.end, "end") < start:
        raise DomainError("a commitment ends on or after its start", field="end")
    return fact_from(
        e.CommitmentMade,
        command,
        wilayah=command.desa,
        description=text(command.description, "description", 500),
        items=items,
        start=start,
    )


_ALLOWED: Final = {
    e.StatusAction.PAUSE: (e.CommitmentStatus.ACTIVE,),
    e.StatusAction.RESUME: (e.CommitmentStatus.PAUSED,),
    e.StatusAction.END: (e.CommitmentStatus.ACTIVE, e.CommitmentStatus.PAUSED),
    e.StatusAction.CANCEL: (e.CommitmentStatus.ACTIVE, e.CommitmentStatus.PAUSED),
}


def _change_status(command: c.ChangeStatus, state: CommitmentState) -> list[Fact]:
    if state.status not in _ALLOWED[command.action]:
        raise StateConflict(f"a {state.status.value} commitment cannot {command.action.value}")
    today = local_day(command.at)
    on = command.on or today
    if on > today:
        raise DomainError("a status changes on a day that has come", field="on")
    earliest = state.pauses[-1].start if state.status is e.CommitmentStatus.PAUSED else state.start
    if on < earliest:
        raise DomainError(f"the date is on or after {earliest}", field="on")
    reason = optional_text(command.reason, "reason")
    if reason is None and command.action in (
        e.StatusAction.END,
        e.StatusAction.CANCEL,
        e.StatusAction.PAUSE,
    ):
        raise DomainError("give the reason", field="reason")
    return fact_from(e.CommitmentStatusChanged, command, wilayah=state.desa, on=on, reason=reason)


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


def _deliver(command: c.RecordDelivery, state: CommitmentState) -> list[Fact]:
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
    items = _worth(command.amount_rupiah, command.items, "a delivery has a value")
    return fact_from(e.DeliveryRecorded, command, wilayah=state.desa, items=items)


def _verify(command: c.VerifyDelivery, state: CommitmentState) -> list[Fact]:
    delivery = state.delivery(command.delivery)
    if delivery is None:
        raise NotFound("there is no such delivery")
    if delivery.verified is not None:
        done = "verified" if delivery.verified else "rejected"
        raise StateConflict(f"the delivery was {done} already")
    reason = optional_text(command.reason, "reason")
    if not command.verified and reason is None:
        raise DomainError("a rejection gives its reason", field="reason")
    return fact_from(e.DeliveryVerified, command, wilayah=state.desa, reason=reason)


def rupiah(amount: int, field: str) -> int:
    """A whole, non-negative Rupiah amount within reason."""
    if not 0 <= amount <= MAX_RUPIAH:
        raise DomainError(f"Rupiah are whole numbers from 0 to {MAX_RUPIAH}", field=field)
    return amount


def _worth(amount_rupiah: int, items: str | None, refusal: str) -> str | None:
    """The items given (trimmed), once the gift is worth something: Rupiah, items or both."""
    rupiah(amount_rupiah, "amount_rupiah")
    listed = optional_text(items, "items", 300)
    if amount_rupiah == 0 and listed is None:
        raise DomainError(f"{refusal} in Rupiah or items", field="amount_rupiah")
    return listed


def _made(state: CommitmentState, fact: e.CommitmentMade) -> CommitmentState:
    return begun(CommitmentState, fact)


def _delivered(state: CommitmentState, fact: e.DeliveryRecorded) -> CommitmentState:
    delivery = made_from(Delivery, fact, id=fact.delivery)
    return state.model_copy(update={"deliveries": (*state.deliveries, delivery)})


def _verified(state: CommitmentState, fact: e.DeliveryVerified) -> CommitmentState:
    deliveries = tuple(
        d.model_copy(update={"verified": fact.verified, "reason": fact.reason})
        if d.id == fact.delivery
        else d
        for d in state.deliveries
    )
    return state.model_copy(update={"deliveries": deliveries})


class CommitmentDecider(StreamDecider[c.SponsorCommand, CommitmentState]):
    """Decides commitment and delivery commands; pure."""

    stream_type: ClassVar[str] = "commitment"
    rules = (_commit, _change_status, _deliver, _verify)
    changes = (_made, _status_after, _delivered, _verified)
