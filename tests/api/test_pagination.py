"""Every list pages the same way: ``next`` is the ``after`` of the next page, null at the end."""

from __future__ import annotations

from typing import Any

from tests.api.test_area_stats import World, world
from tests.api.test_meetings import Clock, clock, rakor, resolve

__all__ = ["clock", "world"]  # the fixtures, used by name


def _pages(world: World, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every page of ``path``, following ``next`` as ``after``."""
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        query = {**params, **({"after": after} if after else {})}
        answer = world.client.get(path, params=query, headers=world.headers)
        assert answer.status_code == 200, answer.text
        pages.append(answer.json())
        after = pages[-1]["next"]
        if after is None:
            return pages
        assert not after.startswith("/"), "next is the cursor, not a link"


def test_children_page_by_the_cursor_in_next(world: World) -> None:
    everyone = world.client.get("/v1/children", headers=world.headers).json()["items"]

    pages = _pages(world, "/v1/children", limit=2)

    assert [c["id"] for p in pages for c in p["items"]] == [c["id"] for c in everyone]
    assert len(pages) >= 3


def test_meetings_and_resolutions_page_by_the_cursor_in_next(world: World, clock: Clock) -> None:
    days = ("2025-06-03", "2025-06-04", "2025-06-05")
    meetings = [rakor(world, clock, day) for day in days]
    adopted = [resolve(world, m, due=f"2025-07-{10 + n}")["id"] for n, m in enumerate(meetings)]

    meeting_pages = _pages(world, "/v1/meetings", limit=2)
    resolution_pages = _pages(world, "/v1/resolutions", limit=1)

    assert [m["id"] for p in meeting_pages for m in p["items"]] == meetings
    assert [r["id"] for p in resolution_pages for r in p["items"]] == adopted
