"""SATUSEHAT FHIR out: a desa's Bundle validated by ``fhir.resources``, personal data only
with ``pii:read``, on the Kota Banjar of ``test_area_stats`` (Hegarsari: girls A, B, C)."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle

from domain.access import Role
from tests.api.test_area_stats import HEGARSARI, World, world
from tests.api.tokens import Minter, bearer

__all__ = ["world"]  # the fixture, used by name


def fetch(world: World, headers: dict[str, str], **params: str) -> tuple[Bundle, str]:
    answer = world.client.get(
        "/v1/exchange/fhir", headers=headers, params={"desa": HEGARSARI, **params}
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/fhir+json")
    return Bundle.model_validate_json(answer.text), answer.text


def resources(found: Bundle, kind: str) -> list[Any]:
    return [
        e.resource
        for e in found.entry or []
        if e.resource is not None and e.resource.get_resource_type() == kind
    ]


def test_patients_and_observations_without_personal_data(world: World, mint: Minter) -> None:
    found, text = fetch(world, bearer(mint(Role.BKKBN, "32.79")))

    patients = resources(found, "Patient")
    observations = resources(found, "Observation")
    assert found.type == "collection"
    assert sorted(p.id for p in patients) == sorted(world.ids[n] for n in "ABC")
    assert all(p.name is None and p.identifier is None for p in patients)
    codes = {e.url: e.valueCode for e in patients[0].address[0].extension[0].extension}
    assert codes == {
        "province": "32",
        "city": "3279",
        "district": "327902",
        "village": "3279021001",
    }
    lengths = [o for o in observations if o.code.coding[0].code == "8302-2"]
    scores = [o for o in observations if o.code.coding[0].code == "haz"]
    assert len(lengths) == len(scores) == 3  # A twice, B once; C was not measured
    assert {o.valueQuantity.unit for o in lengths} == {"cm"}
    assert lengths[0].category[0].coding[0].code == "vital-signs"
    assert "Demo" not in text


def test_names_and_the_mothers_nik_only_with_pii_read_and_a_transaction_bundle(
    world: World, mint: Minter
) -> None:
    body = {
        "sex": "M",
        "birth_date": "2025-01-02",
        "desa": HEGARSARI,
        "posyandu": "Demo",
        "personal": {"name": "Demo Bayi", "mother_nik": "3279014506900001"},
    }
    baby = world.client.post("/v1/children", json=body, headers=world.headers).json()["id"]
    reader = bearer(mint(Role.BKKBN, "32.79", scopes=["exchange:read", "pii:read"]))

    found, _ = fetch(world, reader, type="transaction", since="2025-05-01")

    patient = next(p for p in resources(found, "Patient") if p.id == baby)
    assert patient.name[0].text == "Demo Bayi"
    assert (patient.identifier[0].system, patient.identifier[0].value) == (
        "https://fhir.kemkes.go.id/id/nik-ibu",
        "3279014506900001",
    )
    assert found.type == "transaction"
    assert all(e.request is not None and e.request.method == "PUT" for e in found.entry or [])
    dates = {str(o.effectiveDateTime) for o in resources(found, "Observation")}
    assert dates == {"2025-05-10", "2025-05-11"}  # since 1 May: A's April visit is left out


def test_fhir_needs_exchange_read_and_a_desa_in_reach(world: World, mint: Minter) -> None:
    tpps = world.client.get("/v1/exchange/fhir", headers=world.headers, params={"desa": HEGARSARI})
    elsewhere = world.client.get(
        "/v1/exchange/fhir",
        headers=bearer(mint(Role.BKKBN, "32.79.01")),
        params={"desa": HEGARSARI},
    )

    assert (tpps.status_code, elsewhere.status_code) == (403, 404)
