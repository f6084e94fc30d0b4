"""An attacker with database access drops the guard and edits rows: verify finds it."""

from __future__ import annotations

import pytest

from events.chain import link_hash
from events.envelope import NO_STREAM
from events.store import SqlEventStore
from tests.integration.conftest import new_event
from tests.support.tamper import drop_guard, raw, swap


@pytest.fixture
def five(store: SqlEventStore) -> SqlEventStore:
    """A store with five events in two streams, its guard dropped by an attacker."""
    store.append("a", "tally", NO_STREAM, [new_event(f"a{i}", {"kg": 9.5}) for i in range(3)])
    store.append("b", "tally", NO_STREAM, [new_event(f"b{i}") for i in range(2)])
    assert store.verify().ok
    drop_guard(store.engine)
    return store


def test_a_changed_byte_in_a_body_is_found_at_its_position(five: SqlEventStore) -> None:
    body = five.read_all()[2].body.replace(b'"kg":9.5', b'"kg":9.6')
    raw(five.engine, "UPDATE events SET body = :b WHERE position = 3", b=body)

    verdict = five.verify()

    assert not verdict.ok
    assert verdict.first_bad_position == 3
    assert verdict.reason is not None
    assert "changed content" in verdict.reason
    assert verdict.checked == 2


def _forge_the_third_row(store: SqlEventStore) -> None:
    """Change the third event's body and store the hash recomputed over it."""
    third = store.read_all()[2]
    forged = third.body.replace(b'"kg":9.5', b'"kg":1.0')
    raw(
        store.engine,
        "UPDATE events SET body = :b, hash = :h WHERE position = 3",
        b=forged,
        h=link_hash(third.prev_hash, forged),
    )


def _broken_at(store: SqlEventStore, position: int) -> str:
    """Verify ``store``, which must be found broken first at ``position``: the reason given."""
    verdict = store.verify()
    assert (verdict.ok, verdict.first_bad_position) == (False, position)
    assert verdict.reason is not None
    return verdict.reason


def test_a_changed_index_column_is_found_although_the_body_is_intact(five: SqlEventStore) -> None:
    raw(five.engine, "UPDATE events SET wilayah = '63.72.02.1001' WHERE position = 4")

    reason = _broken_at(five, 4)

    assert "wilayah" in reason


def test_a_deleted_row_is_found_as_missing(five: SqlEventStore) -> None:
    raw(five.engine, "DELETE FROM events WHERE position = 2")

    reason = _broken_at(five, 2)

    assert "missing" in reason


def test_two_swapped_rows_are_found_at_the_first_of_them(five: SqlEventStore) -> None:
    events = five.read_all()
    swap(five.engine, events[1], events[2])

    verdict = five.verify()

    assert (verdict.ok, verdict.first_bad_position) == (False, 2)


def test_a_forged_row_with_a_recomputed_hash_breaks_the_next_link(five: SqlEventStore) -> None:
    _forge_the_third_row(five)

    reason = _broken_at(five, 4)

    assert "broken link" in reason


def test_verifying_a_range_checks_only_that_range_and_its_link_to_the_one_before(
    five: SqlEventStore,
) -> None:
    raw(five.engine, "DELETE FROM events WHERE position = 5")

    assert five.verify(1, 4).ok
    assert five.verify(3, 4).checked == 2
    assert not five.verify(1, 5).ok


@pytest.mark.parametrize("case", ["body", "delete", "forge"])
def test_the_chain_only_pass_catches_what_breaks_the_chain(five: SqlEventStore, case: str) -> None:
    third = five.read_all()[2]
    if case == "body":
        changed = third.body.replace(b'"kg":9.5', b'"kg":9.6')
        raw(five.engine, "UPDATE events SET body = :b WHERE position = 3", b=changed)
    elif case == "delete":
        raw(five.engine, "DELETE FROM events WHERE position = 3")
    else:
        _forge_the_third_row(five)

    verdict = five.verify(columns=False)

    assert not verdict.ok
    assert verdict.first_bad_position == (4 if case == "forge" else 3)


def test_the_chain_only_pass_does_not_compare_the_indexed_columns(five: SqlEventStore) -> None:
    raw(five.engine, "UPDATE events SET wilayah = '63.72.02.1001' WHERE position = 4")

    assert five.verify(columns=False).ok
    assert not five.verify().ok
