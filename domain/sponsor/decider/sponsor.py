"""The sponsor aggregate (orang tua asuh), a ``sponsor-<uuid>`` stream."""

from __future__ import annotations

from typing import ClassVar, Final

from domain import wilayah
from domain.checks import optional_text
from domain.fact import DomainError, Fact, StateConflict
from domain.sponsor import commands as c
from domain.sponsor import events as e
from domain.streams import StreamDecider, begun, fact_from, starts_stream
from domain.values import Value

SPONSOR_PREFIX: Final = "sponsor-"


class SponsorState(Value):
    """A sponsor as its history leaves it (no personal data)."""

    exists: bool = False
    kind: e.SponsorKind = e.SponsorKind.OTHER
    name: str | None = None
    named_publicly: bool = False
    areas: tuple[str, ...] = ()
    principal: str | None = None


@starts_stream
def _register(command: c.RegisterSponsor, state: SponsorState) -> list[Fact]:
    if state.exists:
        raise StateConflict("this sponsor is registered already", field="id")
    individual = command.kind in (e.SponsorKind.INDIVIDU, e.SponsorKind.ASN)
    name = optional_text(command.name, "name", 150)
    if name is None and not individual:
        raise DomainError("an organisation is registered with its name", field="name")
    areas = tuple(sorted({wilayah.parse(a, field="areas") for a in command.areas}))
    return fact_from(
        e.SponsorRegistered, command, wilayah=wilayah.common(areas), name=name, areas=areas
    )


def _registered(state: SponsorState, fact: e.SponsorRegistered) -> SponsorState:
    return begun(SponsorState, fact)


class SponsorDecider(StreamDecider[c.SponsorCommand, SponsorState]):
    """Decides sponsor commands; pure."""

    stream_type: ClassVar[str] = "sponsor"
    rules = (_register,)
    changes = (_registered,)
