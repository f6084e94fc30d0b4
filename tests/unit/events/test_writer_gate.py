"""The SQLite writer gate: writers of one process take turns, and a wait is bounded."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from events.database import WriterGate


def test_a_second_writer_waits_for_the_first_and_then_goes_in() -> None:
    gate, order = WriterGate(), list[str]()
    inside, release = threading.Event(), threading.Event()

    def first() -> None:
        with gate.held():
            order.append("first in")
            inside.set()
            release.wait(5)
            order.append("first out")

    def second() -> None:
        with gate.held():
            order.append("second in")

    one = threading.Thread(target=first)
    one.start()
    inside.wait(5)
    two = threading.Thread(target=second)
    two.start()
    two.join(0.2)  # still waiting: the first holds the gate
    release.set()
    one.join(5)
    two.join(5)

    assert order == ["first in", "first out", "second in"]


def test_a_writer_that_waits_too_long_fails_as_sqlite_would() -> None:
    gate, inside, release = WriterGate(seconds=0.05), threading.Event(), threading.Event()

    def holder() -> None:
        with gate.held():
            inside.set()
            release.wait(5)

    one = threading.Thread(target=holder)
    one.start()
    inside.wait(5)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"), gate.held():
            pass
    finally:
        release.set()
        one.join(5)


def test_the_same_thread_may_enter_again() -> None:
    gate = WriterGate(seconds=0.05)

    with gate.held(), gate.held():
        pass
