"""What the sponsor routes share: the streams they write, who may see a sponsor or a
commitment, a family's and a sponsor's personal part as a logged read, the answers made of
a commitment's state, and the beneficiary lookups.

A ``sponsor`` login reads only its own sponsor, that sponsor's commitments and deliveries,
and its children masked: area-wide reads (``AreaReader``: families, queues, figures) answer
it 403. A sponsor's record follows the reach of its areas like everything else.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Annotated, Any, Final, Generic, TypeVar

from fastapi import Path
from pydantic import BaseModel, Field

from api.identity.access import Principal, Requires, ensure_reach, ensure_writable, read_meta
from api.services import Services
from api.web.kit import Streams, Write, Writes, answer_from, masked_initials
from domain import wilayah
from domain.access import Role
from domain.fact import NotFound
from domain.meeting.decider import local_day
from domain.meeting.events import Document
from domain.sponsor import events as e
from domain.sponsor.decider import (
    COMMITMENT_PREFIX,
    FAMILY_PREFIX,
    SPONSOR_PREFIX,
    CommitmentDecider,
    CommitmentState,
    Delivery,
    FamilyDecider,
    SponsorDecider,
    SponsorState,
)
from domain.sponsor.fulfilment import fulfilment
from events.projections import sponsors as index
from events.projections.children import find_child

Reader = Annotated[Principal, Requires("sponsors:read")]
AreaReader = Annotated[Principal, Requires("sponsors:read", area_wide=True)]
Writer = Annotated[Write, Writes("sponsors:write", if_match=False)]
AreaPath = Annotated[str, Path(max_length=20, description="Kota, kecamatan or desa code.")]
FAMILIES: Final = Streams(FamilyDecider(), FAMILY_PREFIX)
SPONSORS: Final = Streams(SponsorDecider(), SPONSOR_PREFIX)
COMMITMENTS: Final = Streams(CommitmentDecider(), COMMITMENT_PREFIX)
Part = TypeVar("Part", bound=BaseModel)


class DeliveryAnswer(BaseModel):
    """A delivery and whether it was verified (null: waiting for a TPK or bidan)."""

    id: str
    commitment: str
    date: date
    amount_rupiah: int
    items: str | None
    delivered_by: e.DeliveredBy
    evidence: list[Document]
    verified: bool | None
    reason: str | None

    @classmethod
    def of(cls, commitment_id: str, delivery: Delivery) -> DeliveryAnswer:
        """The answer for one delivery of a commitment."""
        return answer_from(cls, delivery, commitment=commitment_id, date=delivery.on)


class CommitmentAnswer(BaseModel):
    """A commitment with its fulfilment today."""

    id: str
    sponsor: str
    beneficiary: e.Beneficiary
    desa: str
    aid: e.Aid
    description: str
    amount_rupiah: int
    items: str | None
    frequency: e.Frequency
    start: date
    end: date | None
    status: e.CommitmentStatus
    status_reason: str | None
    active_days: int
    due_periods: int
    due_rupiah: int = Field(description="Due from the start to today, less paused days.")
    delivered_rupiah: int = Field(description="Verified deliveries only.")
    delivered: int
    pending: int = Field(description="Deliveries waiting for verification.")
    fulfilment: float | None = Field(description="delivered_rupiah / due_rupiah.")
    overdue: bool = Field(description="Active and nothing verified for more than a period.")
    deliveries: list[DeliveryAnswer]
    version: int

    @classmethod
    def of(
        cls, commitment_id: str, state: CommitmentState, version: int, today: date
    ) -> CommitmentAnswer:
        """The answer for a commitment's state on ``today``."""
        assert state.beneficiary is not None
        return answer_from(
            cls,
            state,
            **asdict(fulfilment(state, today)),  # those it has no field for are left out
            id=commitment_id,
            deliveries=[DeliveryAnswer.of(commitment_id, d) for d in state.deliveries],
            version=version,
        )


def today(services: Services) -> date:
    """The service's today (the first Indonesian time zone's)."""
    return local_day(services.clock())


def own_sponsor(services: Services, caller: Principal) -> str | None:
    """The sponsor a ``sponsor`` principal acts for (404 when none is linked to it);
    None for everyone else, who may see any sponsor."""
    if caller.role is not Role.SPONSOR:
        return None
    with services.engine.connect() as conn:
        found = index.sponsor_of_principal(conn, caller.id)
    if found is None:
        raise NotFound("no sponsor is linked to this principal")
    return found


def visible_sponsor(
    services: Services, caller: Principal, sponsor_id: str
) -> tuple[SponsorState, int]:
    """The sponsor, if the caller may see it: one of its areas overlaps the caller's reach
    (a sponsor without areas only to a reach of everywhere), and for a sponsor principal only
    its own (404 otherwise)."""
    mine = own_sponsor(services, caller)
    with services.engine.connect() as conn:
        found = index.find_sponsor(conn, sponsor_id)
    if found is None or (mine is not None and mine != sponsor_id):
        raise NotFound("there is no such sponsor")
    if not caller.reach.sees(found[0].areas):
        raise NotFound("there is no such sponsor")
    return found


def visible_commitment(
    services: Services, caller: Principal, commitment_id: str
) -> tuple[CommitmentState, int]:
    """The commitment, if the caller may see it: its beneficiary's desa in reach, and for a
    sponsor principal only its own (404 otherwise)."""
    with services.engine.connect() as conn:
        found = index.find_commitment(conn, commitment_id)
    if found is None:
        raise NotFound("there is no such commitment")
    ensure_reach(caller, found[0].desa, "commitment")
    mine = own_sponsor(services, caller)
    if mine is not None and found[0].sponsor != mine:
        raise NotFound("there is no such commitment")
    return found


def writable_commitment(
    services: Services, caller: Principal, commitment_id: str
) -> tuple[CommitmentState, int]:
    """The commitment, if its desa lies inside the caller's reach (404 otherwise)."""
    found = visible_commitment(services, caller, commitment_id)
    ensure_writable(caller, [found[0].desa], "commitment")
    return found


@dataclass(frozen=True)
class PersonalPart(Generic[Part]):
    """Where a kind of record keeps its personal part: in the latest ``registered`` event of
    the stream (``prefix`` and an id), as a ``model``, read for the route ``path``; a part
    from before keys were per person is named ``whole``."""

    prefix: str
    registered: str
    model: type[Part]
    whole: str
    path: str

    def read(
        self, services: Services, caller: Principal, key: str, *, place: str | None
    ) -> tuple[Part | None, list[str]]:
        """The record's personal part as it reads now (a logged read at ``place``), and whose
        part was erased at their request."""
        stream = self.prefix + key
        opened = services.store.latest_opened([stream], (self.registered,)).get(stream)
        if opened is None:
            return None, []
        erased = sorted({self.whole if s == "*" else s for s in opened.erased})
        if not opened.readable:
            return None, erased
        services.access_log.record(caller.id, read_meta(caller), stream, place, self.path)
        return self.model.model_validate(opened.plain), erased


def reached_area(caller: Principal, code: str) -> str:
    """The area ``code`` names, if the caller's reach overlaps it (404 otherwise)."""
    area = wilayah.parse(code, field="code")
    ensure_reach(caller, area, "area")
    return area


def beneficiary_desa(services: Services, caller: Principal, beneficiary: e.Beneficiary) -> str:
    """The desa a commitment's beneficiary lives in (404 if unknown or outside the caller's
    reach)."""
    with services.engine.connect() as conn:
        if beneficiary.kind is e.BeneficiaryKind.CHILD:
            child: dict[str, Any] | None = find_child(conn, beneficiary.id)
            desa = None if child is None or child["status"] != "active" else str(child["desa"])
        else:
            family_id = beneficiary.id
            if beneficiary.kind is e.BeneficiaryKind.MOTHER:
                family_id = index.family_of_mother(conn, beneficiary.id) or ""
            family = index.find_family(conn, family_id)
            desa = None if family is None else family[0].desa
    if desa is None:
        raise NotFound(f"there is no such {beneficiary.kind.value}")
    ensure_writable(caller, [desa], beneficiary.kind.value)
    return desa


class Suggestion(BaseModel):
    """A stunted child without a running nutrition commitment, masked."""

    child_id: str
    initials: str | None
    desa: str
    sex: str
    age_months: int
    first_stunted_on: date | None
    severely_stunted: bool | None


def _suggestion(row: dict[str, Any], names: dict[str, str | None], day: date) -> Suggestion:
    """A queue row as answered: masked, with the age in completed months."""
    birth: date = row["birth_date"]
    months = (day.year - birth.year) * 12 + day.month - birth.month - (day.day < birth.day)
    return Suggestion(
        child_id=row["child_id"],
        initials=names.get(row["child_id"]),
        desa=row["desa"],
        sex=row["sex"],
        age_months=months,
        first_stunted_on=row["first_stunted_on"],
        severely_stunted=row["severely_stunted"],
    )


def suggestion_page(
    services: Services, rows: list[dict[str, Any]], limit: int, day: date
) -> tuple[list[Suggestion], str | None]:
    """A page of queue rows as answered, and its ``next`` (null on the last page)."""
    names = masked_initials(services, [r["child_id"] for r in rows])
    last = rows[-1] if len(rows) == limit else None
    following = None if last is None else f"{last['first_stunted_on']}_{last['child_id']}"
    return [_suggestion(r, names, day) for r in rows], following
