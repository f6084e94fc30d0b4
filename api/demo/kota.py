"""Kota Banjar as the demo knows it: its kecamatan and desa, read from ``kota_banjar.json``.

The data file holds the demo's tables: the real Kemendagri codes and names of the kota's
kecamatan and desa/kelurahan (1xxx kelurahan, 2xxx desa), each kecamatan's share of the
demo's children (a demo assumption, not a published figure) and its reported count of
stunted children (e-PPGBM Jan-Jul 2024, docs/demo.md, "Sources"), and the names the
meetings and sponsors use.
"""

from __future__ import annotations

from importlib import resources
from typing import Any, Final, NamedTuple

import orjson

TABLES: Final[dict[str, Any]] = orjson.loads(
    resources.files("api.demo").joinpath("kota_banjar.json").read_bytes()
)
KOTA: Final[str] = TABLES["kota"]
REFERENCE_REGISTER: Final[int] = TABLES["reference_register"]
"""The register size the reported e-PPGBM counts are "out of" (docs/demo.md)."""


class Kecamatan(NamedTuple):
    """A kecamatan of Kota Banjar: its share of the demo's children and its reported count."""

    code: str
    name: str
    child_share: float
    stunted_reported: int

    @property
    def target_prevalence(self) -> float:
        """The register prevalence the demo aims at: reported count over its share of 12k."""
        return self.stunted_reported / (self.child_share * REFERENCE_REGISTER)


class DemoArea(NamedTuple):
    """A desa/kelurahan of Kota Banjar with its real Kemendagri code and name."""

    code: str
    name: str
    kecamatan: Kecamatan


KECAMATAN: Final = tuple(
    Kecamatan(k["code"], k["name"], k["child_share"], k["stunted_reported"])
    for k in TABLES["kecamatan"]
)
AREAS: Final = tuple(
    DemoArea(f"{k.code}.{number}", name, k)
    for k, row in zip(KECAMATAN, TABLES["kecamatan"], strict=True)
    for number, name in row["desa"]
)
