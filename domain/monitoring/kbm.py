"""KBM, *Kenaikan Berat Badan Minimal*: the least monthly weight gain that still counts as N.

Design: the table is data, kept here and nowhere else, and ``KBM_VERSION`` names it, so a
change of table is applied by rebuilding what was classified with it (as the growth
rule's ``RULE_VERSION`` is).

Source. Kementerian Kesehatan RI, *Buku Kesehatan Ibu dan Anak* (Buku KIA), 2023 edition
(the print file dated 6 May 2023), the child's weight-for-age chart 0-24 months (KMS), row
"KBM (gr)" under the months of age, with the footnote "KBM digunakan bila ada keraguan
menginterpretasikan arah kurva pertumbuhan" and the definitions N = "Kenaikan BB sama
dengan KBM (Kenaikan BB Minimal) atau lebih", T = "Kenaikan BB kurang dari KBM". The row
reads 800, 900, 800, 600, 500, 400, 300, 200 g, in cells merged across months; the KMS
itself was set by Permenkes 155/Menkes/Per/I/2010 (*Penggunaan Kartu Menuju Sehat bagi
Balita*) and adjusted to Permenkes 2/2020 by the 2021 Juknis KMS.

Where sources disagree. The text of the printed row does not say which months the merged
400/300/200 cells span. Two independent transcriptions of the printed KMS give 400 g at
6 months, 300 g at 7-10 months and 200 g from 11 months; another transcription spans
400 g over 6-7 and 300 g over 8-11 months, and one programme spreadsheet writes 600 g at
3 months where the printed row has 800 g. This table follows the printed values and the
6 / 7-10 / 11+ spans that two transcriptions agree on. It must be checked against a
printed Buku KIA before N/T figures are published; a correction changes ``KBM_VERSION``.

Ages: the table starts at 1 month (there is no gain to judge before a first weighing); a
weighing under 1 month is judged by the 1-month row, one from 60 months by the last row.
"""

from __future__ import annotations

from typing import Final

KBM_VERSION: Final = "buku-kia-2023/1"
"""Changes whenever a value of the table changes, so stored N/T can be rebuilt."""

KBM_SOURCE: Final = "Buku KIA 2023 (Kemenkes RI), KMS 0-24 months, row 'KBM (gr)'"

_KBM_GRAMS: Final[dict[int, int]] = {1: 800, 2: 900, 3: 800, 4: 600, 5: 500, 6: 400}
"""Months of age 1-6, each its own cell of the printed row."""

_KBM_300_UNTIL: Final = 10
"""300 g from 7 up to and including this month of age; 200 g after it."""


def kbm_grams(age_months: int) -> int:
    """The minimum gain, in grams, for a weighing at ``age_months`` completed months."""
    if age_months < 0:
        raise ValueError("age in months cannot be negative")
    if age_months <= 6:
        return _KBM_GRAMS[max(age_months, 1)]
    return 300 if age_months <= _KBM_300_UNTIL else 200


def kbm_table() -> dict[int, int]:
    """The table month by month (1-60), for documentation and the HTTP layer."""
    return {month: kbm_grams(month) for month in range(1, 61)}
