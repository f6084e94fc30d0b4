"""What Schemathesis found (tests/api/test_fuzz.py), each kept as a test of its own."""

from __future__ import annotations

from domain.access import Role
from tests.api.test_area_stats import HEGARSARI, World, world
from tests.api.tokens import Minter, bearer

__all__ = ["world"]  # the fixture, used by name


def test_a_cursor_or_log_position_in_other_than_ascii_digits_is_refused_not_a_500(
    world: World, mint: Minter
) -> None:
    auditor = bearer(mint(Role.AUDITOR, "32.79"))

    events = world.client.get("/v1/events", params={"after": "³"}, headers=auditor)
    stats = world.client.get(
        f"/v1/areas/{HEGARSARI}/stats",
        headers=world.headers,
        params={"period": "2025-05", "known_at": "³"},
    )
    evaluation = world.client.get(
        "/v1/areas/32.79/evaluation",
        headers=auditor,
        params={"period": "2025-05", "known_at": "١٢"},
    )

    assert [a.status_code for a in (events, stats, evaluation)] == [422, 422, 422]
    assert events.json()["errors"][0]["field"] == "after"
    assert stats.json()["errors"][0]["field"] == "known_at"
