"""Driving a decider in memory: the state its facts fold to, the state its commands leave."""

from __future__ import annotations

from typing import Any, TypeVar

from domain.fact import Command, Decider, Fact

StateT = TypeVar("StateT")


def folded(decider: Decider[Any, StateT], *facts: Fact) -> StateT:
    """The state ``facts`` leave on a fresh stream of ``decider``."""
    state = decider.initial_state()
    for fact in facts:
        state = decider.evolve(state, fact)
    return state


def decided(decider: Decider[Any, StateT], *commands: Command) -> StateT:
    """The state a fresh stream of ``decider`` is left in by deciding ``commands`` in turn."""
    state = decider.initial_state()
    for command in commands:
        for fact in decider.decide(command, state):
            state = decider.evolve(state, fact)
    return state
