"""SKDN: the monthly posyandu report, tallied from each child's facts for one month.

* ``S`` (*sasaran*): balita in the area that month: one ``ChildMonthFact`` per child;
* ``K``: of them, those with a Buku KIA / KMS;
* ``D`` (*ditimbang*): those weighed in the month;
* ``N``, ``T``, ``O``, ``B``: the weighed by their month's class (``gain``), so
  N + T + O + B = D; ``two_t``: the ``T`` whose previous month was ``T`` too.
* Ratios ``d_s`` = D/S, ``n_d`` = N/D and ``n_d_o_b`` = N/(D - O - B) (the children that
  could be judged N or T), rounded to 4 decimals as the area figures' ratios are; None
  where the denominator is 0.

The split follows the area figures (``domain.figures``): in all, by sex (``M``/``F``) and
by age band (0-5, 6-11, 12-23, 24-59 months), each fact carrying the child's band as the
figures compute it (``domain.figures.age_band``, completed months on the month's last day).
Which children are in the area and month (S) is the caller's rule (the figures' *present*);
a tally of an area is the sum of its parts', so desa tallies add up to the kecamatan's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import Final

from domain.figures.tally import BANDS, SEXES, ratio
from domain.monitoring.gain import GainClass


@dataclass(frozen=True, slots=True)
class ChildMonthFact:
    """What one child in the area adds to a month's SKDN."""

    child_id: str
    month: str
    sex: str
    band: str
    has_kia: bool = True  # recorded at registration, yes unless the family has none
    gain: GainClass | None = None  # the month's class if weighed in it, else None
    two_t: bool = False

    @property
    def weighed(self) -> bool:
        """Whether the child was weighed in the month (D)."""
        return self.gain is not None


@dataclass
class SkdnCounts:
    """The SKDN counts of one group of children (all of them, one sex or one age band)."""

    S: int = 0
    K: int = 0
    D: int = 0
    N: int = 0
    T: int = 0
    O: int = 0  # noqa: E741 - the report's own letter
    B: int = 0
    two_t: int = 0

    def count(self, fact: ChildMonthFact) -> None:
        """Add one child's month."""
        self.S += 1
        self.K += int(fact.has_kia)
        if fact.gain is None:
            return
        self.D += 1
        letter = fact.gain.value  # the count of the same name
        setattr(self, letter, getattr(self, letter) + 1)
        self.two_t += int(fact.two_t)

    def add(self, other: SkdnCounts) -> None:
        """Add ``other``'s counts (of other children) to these."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def d_s(self) -> float | None:
        """D/S: coverage of the weighing."""
        return ratio(self.D, self.S)

    @property
    def n_d(self) -> float | None:
        """N/D: share of the weighed who gained enough."""
        return ratio(self.N, self.D)

    @property
    def n_d_o_b(self) -> float | None:
        """N/(D - O - B): share gaining enough of those who could be judged."""
        return ratio(self.N, self.D - self.O - self.B)

    def answer(self) -> dict[str, int | float | None]:
        """The counts with their ratios."""
        return {**asdict(self), "d_s": self.d_s, "n_d": self.n_d, "n_d_o_b": self.n_d_o_b}


COUNTS: Final = tuple(f.name for f in fields(SkdnCounts))


@dataclass
class Skdn:
    """An area's SKDN for a month: in all, by sex and by age band."""

    month: str
    total: SkdnCounts = field(default_factory=SkdnCounts)
    by_sex: dict[str, SkdnCounts] = field(default_factory=lambda: {s: SkdnCounts() for s in SEXES})
    by_age_band: dict[str, SkdnCounts] = field(
        default_factory=lambda: {b: SkdnCounts() for b in BANDS}
    )

    def merge(self, other: Skdn) -> None:
        """Add ``other`` (the same month, other children) to this tally."""
        if other.month != self.month:
            raise ValueError(f"cannot add {other.month} to {self.month}")
        self.total.add(other.total)
        for mine, theirs in ((self.by_sex, other.by_sex), (self.by_age_band, other.by_age_band)):
            for key, counts in theirs.items():
                mine[key].add(counts)


def skdn_of(month: str, facts: Iterable[ChildMonthFact]) -> Skdn:
    """The SKDN of the children in an area for ``month``, one fact per child."""
    tally = Skdn(month)
    seen: set[str] = set()
    for fact in facts:
        _check(month, fact, seen)
        for counts in (tally.total, tally.by_sex[fact.sex], tally.by_age_band[fact.band]):
            counts.count(fact)
    return tally


def _check(month: str, fact: ChildMonthFact, seen: set[str]) -> None:
    """Facts of another month, a child twice, or a 2T child not T are the caller's bug."""
    if fact.month != month:
        raise ValueError(f"a fact of {fact.month} in the tally of {month}")
    if fact.child_id in seen:
        raise ValueError("a child counted twice in one month")
    if fact.two_t and fact.gain is not GainClass.T:
        raise ValueError("only a T month can be 2T")
    if fact.sex not in SEXES or fact.band not in BANDS:
        raise ValueError("sex and age band must be those of the area figures")
    seen.add(fact.child_id)
