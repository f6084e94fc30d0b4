"""The family aggregate, a ``family-<uuid>`` stream; its state is a plain model the read
models keep as it is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import ClassVar, Final

from pydantic import Field

from domain.child.personal import check_nik
from domain.fact import DomainError, Fact, StateConflict
from domain.sponsor import commands as c
from domain.sponsor import events as e
from domain.streams import StreamDecider, begun, fact_from, starts_stream
from domain.values import Value

FAMILY_PREFIX: Final = "family-"
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


@starts_stream
def _register(command: c.RegisterFamily, state: FamilyState) -> list[Fact]:
    if state.exists:
        raise StateConflict("this family is registered already", field="id")
    check_nik(command.personal.nik if command.personal else None, field="personal.nik")
    return fact_from(
        e.FamilyRegistered,
        command,
        wilayah=command.desa,
        risks=_risks(command.risks),
        children=_unique(command.children, "children"),
    )


@starts_stream
def _import_round(command: c.ImportRound, state: FamilyState) -> list[Fact]:
    """The round's data as a new fact, nothing when the same round was imported the same."""
    # The stream's id follows from the source and the family's id there, so the same
    # stream with the same source is the same family.
    if state.exists and state.source != command.source:
        raise StateConflict("this family was registered from elsewhere", field="family_id")
    data = command.data.model_copy(update={"risks": _risks(command.data.risks)})
    if state.rounds.get(data.round) == data and state.desa == command.desa:
        return []
    return fact_from(
        e.RoundImported,
        command,
        wilayah=command.desa,
        data=data,
        personal=e.FamilyIdentifiers(source_id=command.source_id),
    )


def _change_risks(command: c.ChangeRisks, state: FamilyState) -> list[Fact]:
    risks = _risks(command.risks)
    if (command.krs, risks) == (state.krs, state.risks):
        return []
    return fact_from(e.FamilyRisksChanged, command, wilayah=state.desa, risks=risks)


def _link_child(command: c.LinkChild, state: FamilyState) -> list[Fact]:
    if command.child in state.children:
        return []
    if len(state.children) >= MAX_CHILDREN:
        raise DomainError(f"a family has at most {MAX_CHILDREN} children", field="child")
    return fact_from(e.ChildLinked, command, wilayah=state.desa)


def _record_mother(command: c.RecordMother, state: FamilyState) -> list[Fact]:
    pregnant = command.status is e.MotherStatus.PREGNANT
    if pregnant != (command.due_date is not None):
        raise DomainError(
            "a pregnant mother has a due date, a breastfeeding one none", field="due_date"
        )
    check_nik(command.personal.nik if command.personal else None, field="personal.nik")
    return fact_from(e.MotherRecorded, command, wilayah=state.desa)


def _registered(state: FamilyState, fact: e.FamilyRegistered) -> FamilyState:
    return begun(FamilyState, fact)


def _risks_changed(state: FamilyState, fact: e.FamilyRisksChanged) -> FamilyState:
    return state.model_copy(update={"krs": fact.krs, "risks": fact.risks})


def _round_imported(state: FamilyState, fact: e.RoundImported) -> FamilyState:
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


def _child_linked(state: FamilyState, fact: e.ChildLinked) -> FamilyState:
    return state.model_copy(update={"children": (*state.children, fact.child)})


def _mother_recorded(state: FamilyState, fact: e.MotherRecorded) -> FamilyState:
    mother = Mother(id=fact.mother, status=fact.status, due_date=fact.due_date)
    others = tuple(m for m in state.mothers if m.id != fact.mother)
    return state.model_copy(update={"mothers": (*others, mother)})


class FamilyDecider(StreamDecider[c.SponsorCommand, FamilyState]):
    """Decides family commands; pure."""

    stream_type: ClassVar[str] = "family"
    rules = (_register, _import_round, _change_risks, _link_child, _record_mother)
    changes = (_registered, _risks_changed, _round_imported, _child_linked, _mother_recorded)


def _risks(risks: Sequence[e.RiskFactor]) -> tuple[e.RiskFactor, ...]:
    return tuple(sorted(set(risks)))


def _unique(values: Sequence[str], field: str) -> tuple[str, ...]:
    if len(values) > MAX_CHILDREN:
        raise DomainError(f"at most {MAX_CHILDREN}", field=field)
    return tuple(dict.fromkeys(values))
