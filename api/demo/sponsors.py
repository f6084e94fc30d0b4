"""The demo's sponsors (orang tua asuh) in Kota Banjar (part of ``tumbuh seed-demo``).

Over the demo's last six months: four sponsors in the manner of Banjarbaru's *Centing* — a
Baznas (acting through the ``demo-sponsor`` login), a regional water enterprise (BUMD),
civil servants (ASN) and a university — commit nutrition aid to children whose growth
model puts them among the stunted and clean water to families at risk (KRS); deliveries
follow most periods, a TPK verifies most of them, and some commitments fall silent in the
last two months, so the overdue queue is not empty. KRS families are registered with their
children and, some, a pregnant mother. Every name is a placeholder ("Demo Keluarga 00001").
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final, NamedTuple

from api.demo.kota import TABLES
from api.demo.writer import DeciderStream, Push, at
from domain.sponsor import commands as c
from domain.sponsor import events as e
from domain.sponsor.decider import (
    COMMITMENT_PREFIX,
    FAMILY_PREFIX,
    SPONSOR_PREFIX,
    CommitmentDecider,
    FamilyDecider,
    SponsorDecider,
)
from domain.sponsor.fulfilment import PERIOD_DAYS

SEED_OFFSET: Final = 23
RISKS: Final = tuple(e.RiskFactor)


class Kid(NamedTuple):
    """A demo child as the sponsors see it: id, desa, how low its growth runs, its days."""

    id: str
    desa: str
    haz_level: float
    registered_on: date
    birth: date
    gone_on: date | None  # exited


class Sponsor(NamedTuple):
    """A demo sponsor and what it gives."""

    kind: e.SponsorKind
    name: str | None
    aid: e.Aid
    frequency: e.Frequency
    amount: int
    what: str
    principal: str | None = None


SPONSORS: Final = tuple(
    Sponsor(
        e.SponsorKind(row["kind"]),
        row["name"],
        e.Aid(row["aid"]),
        e.Frequency(row["frequency"]),
        row["amount"],
        row["what"],
        row.get("principal"),
    )
    for row in TABLES["sponsors"]
)


@dataclass
class SponsorHalfYear:
    """Schedules the sponsors, KRS families, commitments and deliveries through ``push``."""

    kota: str
    kids: Sequence[Kid]
    months: Sequence[date]
    end: date  # the first day not written
    seed: int
    push: Push
    rng: random.Random = field(init=False)
    commitments: int = 0
    families: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed + SEED_OFFSET)  # noqa: S311 - demo data

    def schedule(self) -> None:
        """Push everything of the last six months."""
        first = self.months[-6] if len(self.months) >= 6 else self.months[0]
        streams = [self._sponsor(s, first) for s in SPONSORS]
        families = self._families(first)
        low = sorted(
            (k for k in self.kids if self._balita_through(k, first)), key=lambda k: k.haz_level
        )[:90]
        for n, kid in enumerate(low):
            sponsor, stream = SPONSORS[n % 3], streams[n % 3]
            start = first + timedelta(days=self.rng.randrange(0, 60))
            beneficiary = e.Beneficiary(kind=e.BeneficiaryKind.CHILD, id=kid.id)
            self._commit(stream, sponsor, beneficiary, kid.desa, start)
        for family_id, desa in families[: len(families) // 3]:
            start = first + timedelta(days=self.rng.randrange(0, 90))
            beneficiary = e.Beneficiary(kind=e.BeneficiaryKind.FAMILY, id=family_id)
            self._commit(streams[3], SPONSORS[3], beneficiary, desa, start)

    def _sponsor(self, sponsor: Sponsor, day: date) -> str:
        sponsor_id = self._id()
        personal = e.SponsorPersonal(contact="Kontak Demo")
        command = c.RegisterSponsor(
            at=at(day, 9),
            kind=sponsor.kind,
            name=sponsor.name,
            named_publicly=sponsor.name is not None,
            areas=(self.kota,),
            principal=sponsor.principal,
            personal=personal,
        )
        self.push(at(day, 9), DeciderStream(SPONSOR_PREFIX + sponsor_id, SponsorDecider()), command)
        return sponsor_id

    def _families(self, day: date) -> list[tuple[str, str]]:
        by_desa: dict[str, list[Kid]] = {}
        for kid in self.kids:
            if self._balita_through(kid, day):
                by_desa.setdefault(kid.desa, []).append(kid)
        found = []
        for desa in sorted(by_desa):
            for kid in self.rng.sample(by_desa[desa], k=min(6, len(by_desa[desa]))):
                self.families += 1
                family_id, label = self._id(), f"{self.families:05d}"
                when = at(day + timedelta(days=self.rng.randrange(0, 20)), 10)
                stream = DeciderStream(FAMILY_PREFIX + family_id, FamilyDecider())
                risks = tuple(self.rng.sample(RISKS, k=self.rng.randint(1, 3)))
                self.push(
                    when,
                    stream,
                    c.RegisterFamily(
                        at=when,
                        desa=desa,
                        krs=True,
                        risks=risks,
                        children=(kid.id,),
                        personal=e.FamilyPersonal(
                            head_name=f"Demo Keluarga {label}", address=f"Alamat Demo {label}"
                        ),
                    ),
                )
                if self.rng.random() < 0.3:
                    due = when.date() + timedelta(days=self.rng.randrange(60, 240))
                    self.push(
                        when,
                        stream,
                        c.RecordMother(
                            at=when,
                            mother=self._id(),
                            status=e.MotherStatus.PREGNANT,
                            due_date=due,
                            personal=e.MotherPersonal(name=f"Demo Ibu Keluarga {label}"),
                        ),
                    )
                found.append((family_id, desa))
        return found

    def _commit(
        self, sponsor_id: str, sponsor: Sponsor, beneficiary: e.Beneficiary, desa: str, start: date
    ) -> None:
        stream = DeciderStream(COMMITMENT_PREFIX + self._id(), CommitmentDecider())
        made = at(start, 10)
        self.push(
            made,
            stream,
            c.MakeCommitment(
                at=made,
                sponsor=sponsor_id,
                beneficiary=beneficiary,
                desa=desa,
                aid=sponsor.aid,
                description=sponsor.what,
                amount_rupiah=sponsor.amount,
                frequency=sponsor.frequency,
                start=start,
            ),
        )
        self.commitments += 1
        silent = self.rng.random() < 0.2  # stops delivering two months before the end
        stop = self.end - timedelta(days=60) if silent else self.end
        every = max(PERIOD_DAYS[sponsor.frequency], 7)  # daily aid is handed over weekly
        amount = sponsor.amount * (7 if sponsor.frequency is e.Frequency.DAILY else 1)
        day = start + timedelta(days=self.rng.randrange(0, 3))
        while day < stop - timedelta(days=3):
            if self.rng.random() < 0.85:
                delivery, when = self._id(), at(day, 16)
                self.push(
                    when,
                    stream,
                    c.RecordDelivery(
                        at=when,
                        delivery=delivery,
                        on=day,
                        amount_rupiah=amount,
                        delivered_by=e.DeliveredBy.TPK,
                    ),
                )
                checked = at(day + timedelta(days=2), 11)
                verified = self.rng.random() < 0.92
                self.push(
                    checked,
                    stream,
                    c.VerifyDelivery(
                        at=checked,
                        delivery=delivery,
                        verified=verified,
                        reason=None if verified else "Bukti serah terima tidak lengkap",
                    ),
                )
            if sponsor.frequency is e.Frequency.ONCE:
                break
            day += timedelta(days=every)

    def _balita_through(self, kid: Kid, day: date) -> bool:
        """Registered by ``day`` and still a balita on the register at the end."""
        return (
            kid.registered_on <= day and kid.gone_on is None and (self.end - kid.birth).days < 1826
        )

    def _id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
