"""Every table the migrations manage: the store's and the projections'."""

from __future__ import annotations

from sqlalchemy import MetaData


def all_metadata() -> MetaData:
    """The metadata with every table registered (importing the modules registers them)."""
    import events.decisions  # noqa: PLC0415
    import events.outbox  # noqa: PLC0415
    import events.projections.areas  # noqa: PLC0415
    import events.projections.children  # noqa: PLC0415
    import events.projections.figure_tables  # noqa: PLC0415
    import events.projections.meetings  # noqa: PLC0415
    import events.projections.principals  # noqa: PLC0415
    import events.projections.sponsor_tables  # noqa: PLC0415
    import events.projections.streams  # noqa: PLC0415
    import events.projections.subscriptions  # noqa: PLC0415
    import events.refresh_tokens  # noqa: PLC0415
    import events.throttle  # noqa: F401, PLC0415
    from events.schema import metadata  # noqa: PLC0415

    return metadata
