"""Every answer tells a browser not to guess its type nor to frame it, and not to keep it
(issue 26): nosniff, frame-ancestors 'none', and no-store on every answer, personal data
and authenticated answers included, unless a route states its own caching."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Headers

from api.app import create_app
from api.services import Services
from tests.api.test_area_stats import World, world

__all__ = ["world"]  # the fixture, used by name
EXPECTED = {
    "x-content-type-options": "nosniff",
    "content-security-policy": "frame-ancestors 'none'",
    "cache-control": "no-store",
}


def shown(headers: Headers) -> dict[str, str]:
    return {name: headers[name] for name in EXPECTED if name in headers}


def test_every_kind_of_answer_carries_the_headers(world: World) -> None:
    child = world.ids["A"]
    paths = [
        "/healthz",
        "/docs",
        "/openapi.json",
        f"/v1/children/{child}",  # personal data, unmasked for the tpps
        f"/v1/children/{child}/measurements",
        "/v1/areas/32.79/stats?period=2025-05&format=csv",
        "/v1/children/not-a-uuid",  # 422
        "/v1/children/00000000-0000-4000-8000-000000000000",  # 404
        "/v1/children?desa=%00",  # refused before any route
    ]

    answers = [world.client.get(path, headers=world.headers) for path in paths]
    anonymous = world.client.get(f"/v1/children/{child}")  # 401

    for answer in [*answers, anonymous]:
        assert shown(answer.headers) == EXPECTED, answer.request.url
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 200, 200, 422, 404, 422]


def test_a_route_s_own_caching_of_an_answer_without_personal_data_is_kept(
    world: World,
) -> None:
    curves = world.client.get("/v1/growth/standards/lhfa?sex=F", headers=world.headers)

    assert curves.headers["cache-control"] == "private, max-age=86400"
    assert curves.headers["x-content-type-options"] == "nosniff"


def test_an_unexpected_error_carries_them_too(services: Services) -> None:
    app = create_app(services.settings, services=services)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/v1/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/v1/broken")

    assert answer.status_code == 500
    assert shown(answer.headers) == EXPECTED
