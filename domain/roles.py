"""The roles of the programme, apart from the access rules: the CLI names them cheaply."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A principal's job in the programme; explained once here.

    ``tpps``: Tim Percepatan Penurunan Stunting of the kota/kab (DPPKB, DP3APMP2KB);
    ``kader``: village cadre; ``bidan``: village midwife; ``tpk``: Tim Pendamping Keluarga;
    ``kecamatan``: the camat's office or puskesmas; ``integrator``: a third-party app;
    ``bkkbn``: the national family-planning board's data exchange; ``sponsor``: an orang
    tua asuh acting for one sponsor (its own commitments only, children masked).
    """

    ADMIN = "admin"
    TPPS = "tpps"
    KADER = "kader"
    BIDAN = "bidan"
    TPK = "tpk"
    KECAMATAN = "kecamatan"
    AUDITOR = "auditor"
    INTEGRATOR = "integrator"
    BKKBN = "bkkbn"
    SPONSOR = "sponsor"
