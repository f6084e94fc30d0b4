"""What may be asked of families, sponsors and commitments; each carries its instant."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime

from domain.fact import Command
from domain.meeting.events import Document
from domain.sponsor import events as e
from domain.values import Line300, Name, Nik, Title


class SponsorCommand(Command):
    """Every command of this package carries the time it is made."""

    at: AwareDatetime


class RegisterFamily(SponsorCommand):
    """Register a family of a desa (whose children the caller has checked exist)."""

    desa: str
    krs: bool
    risks: tuple[e.RiskFactor, ...] = ()
    children: tuple[str, ...] = ()
    personal: e.FamilyPersonal | None = None


class ChangeRisks(SponsorCommand):
    """Set the family's KRS status and risk factors."""

    krs: bool
    risks: tuple[e.RiskFactor, ...]


class ImportRound(SponsorCommand):
    """Record a PK round's data on a family, registering it if it is new."""

    source: str
    source_id: str
    desa: str
    data: e.PkRound


class LinkChild(SponsorCommand):
    """Add a registered child to the family."""

    child: str


class RecordMother(SponsorCommand):
    """Record a mother of the family and her status."""

    mother: str
    status: e.MotherStatus
    due_date: date | None = None
    personal: e.MotherPersonal | None = None


class RegisterSponsor(SponsorCommand):
    """Register a sponsor."""

    kind: e.SponsorKind
    name: str | None = None
    named_publicly: bool = False
    areas: tuple[str, ...] = ()
    principal: str | None = None
    personal: e.SponsorPersonal | None = None


class MakeCommitment(SponsorCommand):
    """Commit aid; the sponsor and the beneficiary's desa were looked up by the caller."""

    sponsor: str
    beneficiary: e.Beneficiary
    desa: str
    aid: e.Aid
    description: str
    amount_rupiah: int
    items: str | None = None
    frequency: e.Frequency
    start: date
    end: date | None = None


class ChangeStatus(SponsorCommand):
    """Pause, resume, end or cancel a commitment (on ``on``, by default today)."""

    action: e.StatusAction
    on: date | None = None
    reason: str | None = None


class RecordDelivery(SponsorCommand):
    """Record a delivery on a commitment."""

    delivery: str
    on: date
    amount_rupiah: int
    items: str | None = None
    delivered_by: e.DeliveredBy
    evidence: tuple[Document, ...] = ()


class VerifyDelivery(SponsorCommand):
    """Verify or reject a delivery."""

    delivery: str
    verified: bool
    reason: str | None = None


class FamilyEntry(e.FamilyPersonal):
    """A family's personal fields as they may be written: one-line text, ASCII NIK."""

    head_name: Name | None = None
    nik: Nik | None = None
    address: Line300 | None = None


class MotherEntry(e.MotherPersonal):
    """A mother's personal fields as they may be written."""

    name: Name
    nik: Nik | None = None


class SponsorEntry(e.SponsorPersonal):
    """A sponsor's personal fields as they may be written."""

    person: Name | None = None
    contact: Title | None = None
