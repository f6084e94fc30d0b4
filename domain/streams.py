"""What every stream's decider does alike, written once: a decider states its rules as tables."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from domain.fact import Command, DomainError, Fact, NotFound


class Started(Protocol):
    """A state that knows whether its stream has begun."""

    @property
    def exists(self) -> bool: ...


StateT = TypeVar("StateT", bound=Started)
CommandT = TypeVar("CommandT", bound=Command)

Rule = Callable[[Any, Any], Sequence[Fact]]
"""Decides one kind of command: ``rule(command, state) -> facts``, or a refusal."""

Change = Callable[[Any, Any], Any]
"""Folds one kind of fact: ``change(state, fact) -> state``."""

Rules = Mapping[type[Command], Rule]
Changes = Mapping[type[Fact], Change]


class StreamDecider(Generic[CommandT, StateT]):
    """A pure aggregate given as tables.

    ``rules`` names the rule that decides each kind of command; a command of a kind in
    ``founding`` may start the stream, every other needs the stream begun and is refused
    with ``missing`` before. ``changes`` names how each kind of fact changes the state; a
    fact of another kind leaves it as it is. ``blank`` is the state before the first fact.
    """

    stream_type: ClassVar[str]
    blank: ClassVar[type[Any]]
    founding: ClassVar[tuple[type[Command], ...]] = ()
    missing: ClassVar[str]
    rules: ClassVar[Rules]
    changes: ClassVar[Changes]

    def initial_state(self) -> StateT:
        """The state of a stream not yet begun."""
        state: StateT = self.blank()
        return state

    def evolve(self, state: StateT, fact: Fact) -> StateT:
        """The state after ``fact``."""
        change = self.changes.get(type(fact))
        if change is None:
            return state
        changed: StateT = change(state, fact)
        return changed

    def decide(self, command: CommandT, state: StateT) -> Sequence[Fact]:
        """The facts ``command`` leads to, or a refusal."""
        rule = self.rules.get(type(command))
        if rule is None:
            article = "an" if self.stream_type[0] in "aeiou" else "a"
            raise DomainError(
                f"{type(command).__name__} is not {article} {self.stream_type} command"
            )
        if not state.exists and not isinstance(command, self.founding):
            raise NotFound(self.missing)
        return rule(command, state)
