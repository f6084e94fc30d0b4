"""SATUSEHAT-style FHIR R4B out: a desa's children as ``Patient`` resources and their
measurements as ``Observation`` resources, built and validated with ``fhir.resources``.

- ``Patient``: sex and birth date; the address's ``administrativeCode`` extension with the
  undotted Kemendagri codes (province, city, district, village) as SATUSEHAT profiles it.
  With ``pii:read``: the name, the NIK (``https://fhir.kemkes.go.id/id/nik``) or, for a
  child without one, the mother's (``…/nik-ibu``, as SATUSEHAT does for newborns), and the
  address line (RT/RW).
- ``Observation`` (category ``vital-signs``, UCUM units, ``effectiveDateTime`` the day
  measured): body weight (LOINC 29463-7), length lying (8306-3) or height standing
  (8302-2), head circumference (9843-4); and one per WHO z-score (category ``exam``, the
  indicator in this system's code system ``https://tumbuh.id/fhir/CodeSystem/who-growth``).
  Voided measurements are left out; corrected ones carry their corrected values.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final, Literal

from fhir.resources.R4B.address import Address
from fhir.resources.R4B.bundle import Bundle, BundleEntry, BundleEntryRequest
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.reference import Reference

from domain.child.events import ChildPersonal

LOINC: Final = "http://loinc.org"
UCUM: Final = "http://unitsofmeasure.org"
CATEGORY: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
NIK: Final = "https://fhir.kemkes.go.id/id/nik"
NIK_IBU: Final = "https://fhir.kemkes.go.id/id/nik-ibu"
ADMINISTRATIVE_CODE: Final = "https://fhir.kemkes.go.id/r4/StructureDefinition/administrativeCode"
WHO_GROWTH: Final = "https://tumbuh.id/fhir/CodeSystem/who-growth"
_IDS: Final = uuid.UUID("5d0c7f4e-41a4-4d8b-9a0e-7c1f3b2e6a90")
_Z: Final = {
    "haz": "Length/height-for-age z-score",
    "waz": "Weight-for-age z-score",
    "whz": "Weight-for-length/height z-score",
    "baz": "BMI-for-age z-score",
}


def bundle(
    children: Sequence[Mapping[str, Any]],
    measurements: Sequence[Mapping[str, Any]],
    personal: Mapping[str, ChildPersonal] | None,
    kind: Literal["collection", "transaction"],
) -> Bundle:
    """The Bundle of the children (``proj_children`` rows) and their measurements
    (``proj_measurements`` rows, decoded); ``personal`` only for callers with ``pii:read``."""
    entries = []
    for child in children:
        mine = None if personal is None else personal.get(str(child["child_id"]))
        entries.append(_entry(_patient(child, mine), kind))
    for row in measurements:
        if row["state"] == "voided":
            continue
        entries.extend(_entry(o, kind) for o in _observations(row))
    return Bundle(type=kind, entry=entries or None)


def _entry(resource: Patient | Observation, kind: str) -> BundleEntry:
    name = resource.get_resource_type()
    request = None
    if kind == "transaction":
        request = BundleEntryRequest(method="PUT", url=f"{name}/{resource.id}")
    return BundleEntry(fullUrl=f"urn:uuid:{resource.id}", resource=resource, request=request)


def _patient(child: Mapping[str, Any], personal: ChildPersonal | None) -> Patient:
    desa = str(child["desa"]).split(".")
    codes = {
        "province": desa[0],
        "city": "".join(desa[:2]),
        "district": "".join(desa[:3]),
        "village": "".join(desa),
    }
    administrative = Extension(
        url=ADMINISTRATIVE_CODE,
        extension=[Extension(url=key, valueCode=value) for key, value in codes.items()],
    )
    address = Address(
        use="home",
        country="ID",
        extension=[administrative],
        line=[personal.address] if personal and personal.address else None,
    )
    identifiers, names = None, None
    if personal is not None:
        if personal.nik:
            identifiers = [Identifier(use="official", system=NIK, value=personal.nik)]
        elif personal.mother_nik:
            identifiers = [Identifier(use="official", system=NIK_IBU, value=personal.mother_nik)]
        names = [HumanName(use="official", text=personal.name)]
    return Patient(
        id=str(child["child_id"]),
        gender="male" if child["sex"] == "M" else "female",
        birthDate=child["birth_date"],
        address=[address],
        identifier=identifiers,
        name=names,
        active=child["status"] == "active",
    )


def _observations(row: Mapping[str, Any]) -> list[Observation]:
    values: Mapping[str, Any] = row["measurement"]
    subject = Reference(reference=f"Patient/{row['child_id']}")
    day: date = row["measured_on"]

    def observation(
        key: str, category: CodeableConcept, code: CodeableConcept, value: Quantity
    ) -> Observation:
        return Observation(
            id=_id(row["event_id"], key),
            status="final",
            category=[category],
            code=code,
            subject=subject,
            effectiveDateTime=day,
            valueQuantity=value,
        )

    found = []
    lying = values.get("position") == "lying"
    for key, code, display, unit in (
        ("weight_kg", "29463-7", "Body weight", "kg"),
        (
            "length_cm",
            "8306-3" if lying else "8302-2",
            "Body height --lying" if lying else "Body height --standing",
            "cm",
        ),
        ("head_cm", "9843-4", "Head Occipital-frontal circumference", "cm"),
    ):
        if values.get(key) is not None:
            measured = CodeableConcept(
                coding=[Coding(system=LOINC, code=code, display=display)], text=display
            )
            quantity = Quantity(value=values[key], unit=unit, system=UCUM, code=unit)
            found.append(
                observation(key, _category("vital-signs", "Vital Signs"), measured, quantity)
            )
    assessment: Mapping[str, Any] = row.get("assessment") or {}
    for key, display in _Z.items():
        if (z := assessment.get(key)) is not None:
            scored = CodeableConcept(
                coding=[Coding(system=WHO_GROWTH, code=key, display=display)],
                text=f"WHO 2006 {display}",
            )
            sd = Quantity(value=round(float(z), 2), unit="SD", system=UCUM, code="{SD}")
            found.append(observation(key, _category("exam", "Exam"), scored, sd))
    return found


def _category(code: str, display: str) -> CodeableConcept:
    return CodeableConcept(coding=[Coding(system=CATEGORY, code=code, display=display)])


def _id(event_id: str, part: str) -> str:
    return str(uuid.uuid5(_IDS, f"{event_id}\n{part}"))
