"""The area aggregate: one stream per desa/kelurahan, ``area-<dotted code>``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import ClassVar, Final

from domain import wilayah
from domain.area import commands as c
from domain.area import events as e
from domain.checks import local_day
from domain.fact import DomainError, Fact, StateConflict
from domain.streams import StreamDecider, fact_from, starts_stream
from domain.values import FIRST_DAY, FIRST_YEAR, INT32_MAX, LAST_YEAR, is_line

STREAM_PREFIX: Final = "area-"
NAME_LENGTH: Final = 100
_KINDS: Final = {"1": e.AreaKind.KELURAHAN, "2": e.AreaKind.DESA}


def area_code(text: str, *, field: str = "code") -> str:
    """The dotted code of a desa/kelurahan (dotted or undotted input), or a refusal."""
    code = wilayah.parse_desa(text, field=field)
    kind_of(code, field=field)
    return code


def kind_of(code: str, *, field: str = "code") -> e.AreaKind:
    """Kelurahan or desa, from the first digit of the code's last group (1 or 2)."""
    kind = _KINDS.get(code[-4])
    if kind is None:
        raise wilayah.InvalidWilayah(
            "the last group of a desa/kelurahan code starts with 1 (kelurahan) or 2 (desa)",
            field=field,
        )
    return kind


def stream_id(code: str) -> str:
    """The stream of the area ``code`` (any accepted form)."""
    return STREAM_PREFIX + area_code(code)


@dataclass(frozen=True)
class Sasaran:
    """The targets of one year."""

    balita: int
    baduta: int


@dataclass(frozen=True)
class AreaState:
    """An area as its history leaves it."""

    exists: bool = False
    code: str = ""
    name: str = ""
    kind: e.AreaKind = e.AreaKind.DESA
    kecamatan: str = ""
    kota: str = ""
    kampung_kb: e.KampungKbCategory | None = None
    kampung_kb_since: date | None = None
    sasaran: Mapping[int, Sasaran] = field(default_factory=dict)


@starts_stream
def _register(command: c.RegisterArea, state: AreaState) -> list[Fact]:
    code = area_code(command.code)
    if state.exists:
        raise StateConflict("this area is registered already", field="code")
    return fact_from(
        e.AreaRegistered,
        command,
        wilayah=code,
        code=code,
        name=_name(command.name, "name"),
        kind=kind_of(code),
        kecamatan=_name(command.kecamatan, "kecamatan"),
        kota=_name(command.kota, "kota"),
    )


def _designate(command: c.DesignateKampungKb, state: AreaState) -> list[Fact]:
    if command.designated_on > local_day(command.at):
        raise DomainError("the designation date cannot be in the future", field="designated_on")
    if command.designated_on < FIRST_DAY:
        raise DomainError(f"a designation lies on or after {FIRST_DAY}", field="designated_on")
    if (state.kampung_kb, state.kampung_kb_since) == (command.category, command.designated_on):
        return []
    return fact_from(e.KampungKbDesignated, command, wilayah=state.code)


def _set_sasaran(command: c.SetSasaran, state: AreaState) -> list[Fact]:
    if not FIRST_YEAR <= command.year <= LAST_YEAR:
        raise DomainError(f"the year lies between {FIRST_YEAR} and {LAST_YEAR}", field="year")
    for name, value in (("balita", command.balita), ("baduta", command.baduta)):
        if not 0 <= value <= INT32_MAX:
            raise DomainError(f"a target is a whole number from 0 to {INT32_MAX}", field=name)
    if command.baduta > command.balita:
        raise DomainError(
            "baduta (under two) are among the balita (under five): at most as many", field="baduta"
        )
    if state.sasaran.get(command.year) == Sasaran(command.balita, command.baduta):
        return []
    return fact_from(e.SasaranSet, command, wilayah=state.code)


def _name(text: str, field: str) -> str:
    name = " ".join(text.split())
    if not name or len(name) > NAME_LENGTH or not is_line(name, NAME_LENGTH):
        raise DomainError(f"give a name of 1 to {NAME_LENGTH} characters", field=field)
    return name


def _registered(state: AreaState, fact: e.AreaRegistered) -> AreaState:
    return AreaState(True, fact.code, fact.name, fact.kind, fact.kecamatan, fact.kota)


def _designated(state: AreaState, fact: e.KampungKbDesignated) -> AreaState:
    return replace(state, kampung_kb=fact.category, kampung_kb_since=fact.designated_on)


def _sasaran_set(state: AreaState, fact: e.SasaranSet) -> AreaState:
    targets = {**state.sasaran, fact.year: Sasaran(fact.balita, fact.baduta)}
    return replace(state, sasaran=targets)


class AreaDecider(StreamDecider[c.AreaCommand, AreaState]):
    """Decides area commands; pure."""

    stream_type: ClassVar[str] = "area"
    rules = (_register, _designate, _set_sasaran)
    changes = (_registered, _designated, _sasaran_set)
