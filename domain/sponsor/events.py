"""What happened to families at risk, sponsors (orang tua asuh), their commitments and the
deliveries made on them.

Names, NIK, addresses, contacts and KK numbers are personal data: only in ``personal``,
encrypted under the key of the person they belong to (the family head, each mother, the
sponsor). Money is whole Rupiah, never a float.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import Field

from domain.fact import Fact, PersonalPart, nik_identifier
from domain.meeting.events import Document
from domain.values import Ident, Int53, Str100, Value, Wilayah


class RiskFactor(StrEnum):
    """Why a family is at risk of stunting (keluarga berisiko stunting, KRS)."""

    NO_SAFE_WATER = "no_safe_water"
    NO_LATRINE = "no_latrine"
    WIFE_UNDER_20 = "wife_under_20"
    WIFE_OVER_35 = "wife_over_35"
    BIRTH_SPACING_UNDER_2Y = "birth_spacing_under_2y"
    MORE_THAN_3_CHILDREN = "more_than_3_children"


class MotherStatus(StrEnum):
    """A mother the programme follows: pregnant (with a due date) or breastfeeding."""

    PREGNANT = "pregnant"
    BREASTFEEDING = "breastfeeding"


class SponsorKind(StrEnum):
    """Who sponsors: a person, a civil servant, a company, a state or regional enterprise,
    Baznas (the zakat board), a university, a community, or other."""

    INDIVIDU = "individu"
    ASN = "asn"
    PERUSAHAAN = "perusahaan"
    BUMN_BUMD = "bumn_bumd"
    BAZNAS = "baznas"
    PERGURUAN_TINGGI = "perguruan_tinggi"
    KOMUNITAS = "komunitas"
    OTHER = "other"


class BeneficiaryKind(StrEnum):
    """Whom a commitment helps."""

    CHILD = "child"
    MOTHER = "mother"
    FAMILY = "family"


class Aid(StrEnum):
    """Nutrition (PMT, eggs, milk …) or non-nutrition (latrine, water, house, schooling …)."""

    NUTRITION = "nutrition"
    NON_NUTRITION = "non_nutrition"


class Frequency(StrEnum):
    """How often the amount is due."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    ONCE = "once"


class CommitmentStatus(StrEnum):
    """Where a commitment stands."""

    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"
    CANCELLED = "cancelled"


class StatusAction(StrEnum):
    """What may be done to a commitment's status."""

    PAUSE = "pause"
    RESUME = "resume"
    END = "end"
    CANCEL = "cancel"


class DeliveredBy(StrEnum):
    """Who handed the aid over."""

    TPK = "tpk"
    SPONSOR = "sponsor"


class FamilyPersonal(Value):
    """The family's head, NIK (or KK number) and address: personal data."""

    head_name: str | None = Field(None, max_length=120)
    nik: str | None = None
    address: str | None = Field(None, max_length=300)

    def parts(self) -> tuple[PersonalPart, ...]:
        """All of it the family head's."""
        return (PersonalPart("head", self.model_dump(mode="json"), nik_identifier(self.nik)),)


class FamilyIdentifiers(Value):
    """The family's number in the source it was imported from (a KK number, in BKKBN's
    lists): it names the household, so it is the family head's personal data."""

    source_id: str = Field(min_length=1, max_length=64)

    def parts(self) -> tuple[PersonalPart, ...]:
        """All of it the family head's."""
        return (PersonalPart("head", self.model_dump(mode="json")),)


class MotherPersonal(Value):
    """A mother's name and NIK: personal data."""

    name: str = Field(min_length=1, max_length=120)
    nik: str | None = None


class SponsorPersonal(Value):
    """An individual sponsor's name and any sponsor's contact: personal data."""

    person: str | None = Field(None, max_length=120)
    contact: str | None = Field(None, max_length=200)


class Beneficiary(Value):
    """A child, a mother or a family, by id."""

    kind: BeneficiaryKind
    id: Ident


class FamilyRegistered(Fact):
    """A family of a desa, at risk (KRS) or not, with its risk factors and children."""

    event_type = "family.registered"

    desa: Wilayah
    krs: bool
    risks: tuple[RiskFactor, ...] = ()
    children: tuple[Ident, ...] = ()
    personal: FamilyPersonal | None = None


class FamilyRisksChanged(Fact):
    """The family's KRS status and risk factors now (replacing the earlier ones)."""

    event_type = "family.risks_changed"

    krs: bool
    risks: tuple[RiskFactor, ...]


class PkRound(Value):
    """What one round of BKKBN's Pendataan Keluarga (PK) said of a family."""

    round: str
    krs: bool
    risks: tuple[RiskFactor, ...]
    baduta: Int53
    balita: Int53
    pregnant: bool


class RoundImported(Fact):
    """A PK round's data on the family, imported from ``source`` under its id there (in
    ``personal``: version 1 kept it in the plain payload); the family's KRS status and risk
    factors become the round's."""

    event_type = "family.round_imported"
    schema_version = 2

    source: str
    desa: Wilayah
    data: PkRound
    personal: FamilyIdentifiers | None = None


class ChildLinked(Fact):
    """A registered child belongs to the family."""

    event_type = "family.child_linked"

    child: Ident


class MotherRecorded(Fact):
    """A mother of the family, pregnant (due on ``due_date``) or breastfeeding; a later
    record of the same mother replaces her status."""

    event_type = "family.mother_recorded"

    mother: Ident
    status: MotherStatus
    due_date: date | None = None
    personal: MotherPersonal | None = None

    def personal_parts(self) -> tuple[PersonalPart, ...]:
        """The mother's name and NIK, hers: the same key as where her child names her."""
        if self.personal is None:
            return ()
        fields = self.personal.model_dump(mode="json")
        return (PersonalPart(f"mother-{self.mother}", fields, nik_identifier(self.personal.nik)),)


class SponsorRegistered(Fact):
    """A sponsor: its kind, public name (organisations), whether it may be named publicly,
    the areas it chose, and the principal (login) that acts for it, if any."""

    event_type = "sponsor.registered"
    personal_subject = "sponsor"

    kind: SponsorKind
    name: str | None
    named_publicly: bool
    areas: tuple[Wilayah, ...] = ()
    principal: Str100 | None = None
    personal: SponsorPersonal | None = None


class CommitmentMade(Fact):
    """A sponsor committed aid to a beneficiary living in ``desa``."""

    event_type = "commitment.made"

    sponsor: Ident
    beneficiary: Beneficiary
    desa: Wilayah
    aid: Aid
    description: str
    amount_rupiah: Int53
    items: str | None = None
    frequency: Frequency
    start: date
    end: date | None = None


class CommitmentStatusChanged(Fact):
    """The commitment was paused, resumed, ended or cancelled on ``on``."""

    event_type = "commitment.status_changed"

    action: StatusAction
    on: date
    reason: str | None = None


class DeliveryRecorded(Fact):
    """Aid was handed over on ``on``: value, items, by whom, with evidence."""

    event_type = "commitment.delivery_recorded"

    delivery: Ident
    on: date
    amount_rupiah: Int53
    items: str | None = None
    delivered_by: DeliveredBy
    evidence: tuple[Document, ...] = ()


class DeliveryVerified(Fact):
    """A TPK or bidan verified the delivery (it counts) or rejected it (with the reason)."""

    event_type = "commitment.delivery_verified"

    delivery: Ident
    verified: bool
    reason: str | None = None


def round_imported_v1(payload: dict[str, Any]) -> dict[str, Any]:
    """Upcaster: version 1 kept the family's id at the source (a KK number) in the plain
    payload; it is read without it (the stored bytes keep it, the feed withholds it)."""
    return {k: v for k, v in payload.items() if k != "source_id"}


FAMILY_FACTS: tuple[type[Fact], ...] = (
    FamilyRegistered,
    FamilyRisksChanged,
    RoundImported,
    ChildLinked,
    MotherRecorded,
)
SPONSOR_FACTS: tuple[type[Fact], ...] = (SponsorRegistered,)
COMMITMENT_FACTS: tuple[type[Fact], ...] = (
    CommitmentMade,
    CommitmentStatusChanged,
    DeliveryRecorded,
    DeliveryVerified,
)
