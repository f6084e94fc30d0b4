"""The indicator dictionary: stable codes for the figures the programme sends out.

Each indicator names the field of the area figures (docs/figures.md), the meetings
(docs/meetings.md) or the sponsor figures (docs/sponsors.md) it is read from; the codes
never change meaning (a new definition gets a new code), so a figure sent last month can be
matched and, with ``known_at``, reproduced exactly.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, NamedTuple

RULE_VERSION: Final = "tumbuh-indicators-1"


class Source(StrEnum):
    """Which read model an indicator comes from."""

    FIGURES = "figures"
    MEETINGS = "meetings"
    SPONSORS = "sponsors"


class Indicator(NamedTuple):
    """One indicator of the dictionary."""

    code: str
    field: str
    source: Source
    ratio: bool
    name_id: str
    name_en: str
    definition: str
    numerator: str
    denominator: str | None
    events: tuple[str, ...]


_CHILD: Final = (
    "child.registered",
    "child.registration_corrected",
    "child.measurement_recorded",
    "child.measurement_corrected",
    "child.measurement_voided",
    "child.moved",
    "child.exited",
)
_RESOLUTION: Final = (
    "resolution.adopted",
    "resolution.due_changed",
    "resolution.closed",
    "resolution.reopened",
)
_COMMITMENT: Final = (
    "commitment.made",
    "commitment.status_changed",
    "commitment.delivery_recorded",
    "commitment.delivery_verified",
)


def _figure(
    code: str,
    field: str,
    name_id: str,
    name_en: str,
    definition: str,
    *,
    ratio: tuple[str, str] | None = None,
) -> Indicator:
    """A figures indicator; ``ratio`` names its numerator and denominator fields."""
    numerator, denominator = ratio if ratio else (field, None)
    return Indicator(
        code,
        field,
        Source.FIGURES,
        ratio is not None,
        name_id,
        name_en,
        definition,
        numerator,
        denominator,
        _CHILD,
    )


DICTIONARY: Final[tuple[Indicator, ...]] = (
    _figure(
        "TBH-S01",
        "present",
        "Balita sasaran hadir (S)",
        "Children under five present (S)",
        "Balita on the register in the area on the last day of a month of the period, or "
        "measured there in it; each child once",
    ),
    _figure(
        "TBH-S02",
        "measured",
        "Balita ditimbang (D)",
        "Children under five measured (D)",
        "Balita with at least one counted measurement in the area in the period",
    ),
    _figure(
        "TBH-S03",
        "coverage",
        "Cakupan penimbangan (D/S)",
        "Weighing coverage (D/S)",
        "measured / present",
        ratio=("measured", "present"),
    ),
    _figure(
        "TBH-S04",
        "measured_valid_haz",
        "Balita diukur dengan TB/U sah",
        "Children measured with a valid height-for-age z-score",
        "Measured balita whose latest measurement in the period has a valid HAZ",
    ),
    _figure(
        "TBH-S05",
        "stunted",
        "Balita pendek dan sangat pendek",
        "Stunted children",
        "Latest valid HAZ in the period < -2 (WHO 2006, Permenkes 2/2020)",
    ),
    _figure(
        "TBH-S06",
        "severely_stunted",
        "Balita sangat pendek",
        "Severely stunted children",
        "Latest valid HAZ in the period < -3",
    ),
    _figure(
        "TBH-S07",
        "prevalence_stunting",
        "Prevalensi stunting",
        "Stunting prevalence",
        "stunted / measured_valid_haz",
        ratio=("stunted", "measured_valid_haz"),
    ),
    _figure(
        "TBH-S08",
        "new_stunting",
        "Kasus stunting baru",
        "New stunting cases",
        "Children whose valid HAZ fell below -2 in the period after a valid HAZ >= -2, or "
        "whose first valid HAZ ever is < -2",
    ),
    _figure(
        "TBH-S09",
        "wasted",
        "Balita gizi kurang dan gizi buruk (BB/TB)",
        "Wasted children",
        "Latest valid WHZ in the period < -2, or bilateral oedema",
    ),
    _figure(
        "TBH-S10",
        "underweight",
        "Balita berat badan kurang (BB/U)",
        "Underweight children",
        "Latest valid WAZ in the period < -2",
    ),
    _figure(
        "TBH-S11",
        "overweight",
        "Balita gizi lebih (BB/TB)",
        "Overweight children",
        "Latest valid WHZ in the period > +2",
    ),
    _figure(
        "TBH-S12",
        "flagged",
        "Pengukuran tidak wajar",
        "Implausible measurements",
        "Measurements in the period with a z-score flagged as biologically implausible",
    ),
    _figure(
        "TBH-S13",
        "desa_zero_new_stunting",
        "Desa/kelurahan nihil stunting baru",
        "Villages with zero new stunting",
        "Desa/kelurahan in the area where children were measured in the period and none "
        "became a new stunting case",
    ),
    Indicator(
        "TBH-M01",
        "meetings_held",
        Source.MEETINGS,
        False,
        "Rapat koordinasi terlaksana",
        "Coordination meetings held",
        "Meetings over the area or under it held in the period",
        "meetings_held",
        None,
        ("meeting.planned", "meeting.held"),
    ),
    Indicator(
        "TBH-M02",
        "resolutions_due",
        Source.MEETINGS,
        False,
        "Keputusan rapat jatuh tempo",
        "Resolutions due",
        "Resolutions concerning the area due in the period",
        "resolutions_due",
        None,
        _RESOLUTION,
    ),
    Indicator(
        "TBH-M03",
        "resolutions_done_on_time",
        Source.MEETINGS,
        False,
        "Keputusan rapat selesai tepat waktu",
        "Resolutions done on time",
        "Of the resolutions due, those closed as done on or before their due date",
        "resolutions_done_on_time",
        "resolutions_due",
        _RESOLUTION,
    ),
    Indicator(
        "TBH-P01",
        "sponsors",
        Source.SPONSORS,
        False,
        "Orang tua asuh aktif",
        "Active sponsors",
        "Sponsors with a commitment running in the period for a beneficiary in the area",
        "sponsors",
        None,
        _COMMITMENT,
    ),
    Indicator(
        "TBH-P02",
        "active_commitments",
        Source.SPONSORS,
        False,
        "Komitmen berjalan",
        "Running commitments",
        "Commitments running on at least one day of the period",
        "active_commitments",
        None,
        _COMMITMENT,
    ),
    Indicator(
        "TBH-P03",
        "rupiah_committed",
        Source.SPONSORS,
        False,
        "Nilai komitmen (Rp)",
        "Rupiah committed",
        "Rupiah falling due in the period by the commitments' frequency, less paused days",
        "rupiah_committed",
        None,
        _COMMITMENT,
    ),
    Indicator(
        "TBH-P04",
        "rupiah_delivered",
        Source.SPONSORS,
        False,
        "Nilai tersalurkan (Rp)",
        "Rupiah delivered",
        "Verified deliveries dated in the period",
        "rupiah_delivered",
        None,
        _COMMITMENT,
    ),
    Indicator(
        "TBH-P05",
        "share_stunted_sponsored",
        Source.SPONSORS,
        True,
        "Balita stunting dengan orang tua asuh",
        "Share of stunted children sponsored",
        "stunted_sponsored / stunted",
        "stunted_sponsored",
        "stunted",
        (*_COMMITMENT, *_CHILD),
    ),
)

BY_CODE: Final = {i.code: i for i in DICTIONARY}


def dhis2_period(period: str) -> str:
    """The DHIS2 name of a period: ``2025-04`` → ``202504``, ``2025-Q2`` → ``2025Q2``."""
    return period.replace("-", "")
