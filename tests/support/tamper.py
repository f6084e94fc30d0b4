"""What an attacker with full database rights does: drop the guard, then edit rows."""

from __future__ import annotations

from sqlalchemy import Engine, text

from events.envelope import RecordedEvent


def drop_guard(engine: Engine) -> None:
    """Drop the triggers that refuse UPDATE and DELETE on the event table."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER events_no_update"))
            conn.execute(text("DROP TRIGGER events_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER events_no_update_delete ON events"))


def raw(engine: Engine, sql: str, **params: object) -> None:
    """Run one statement in its own transaction."""
    with engine.begin() as conn:
        conn.execute(text(sql), params)


def swap(engine: Engine, second: RecordedEvent, third: RecordedEvent) -> None:
    """Swap the stored rows of positions 2 and 3 (bodies, links and hashes)."""
    for target, source in ((2, third), (3, second)):
        raw(
            engine,
            "UPDATE events SET body = :b, prev_hash = :p, hash = :h, event_id = :e "
            "WHERE position = :pos",
            b=source.body,
            p=source.prev_hash,
            h=source.hash,
            e=f"tmp-{target}",
            pos=target,
        )
