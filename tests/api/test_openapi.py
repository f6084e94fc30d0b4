"""The committed OpenAPI document is exactly what the app generates."""

from __future__ import annotations

from api.openapi import DOCUMENT, render


def test_the_committed_openapi_document_matches_the_app() -> None:
    committed = DOCUMENT.read_text(encoding="utf-8")

    assert committed == render(), "openapi/openapi.json is stale: run `make openapi`"


def test_the_document_is_openapi_3_1() -> None:
    assert '"openapi": "3.1' in render()
