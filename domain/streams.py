"""What every stream's decider does alike, written once: a decider lists its rules and the
changes its facts make, and each is found by the type its signature names."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, ClassVar, Generic, Protocol, TypeVar, get_args, get_origin, get_type_hints

from pydantic import BaseModel

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

RuleT = TypeVar("RuleT", bound=Rule)
ModelT = TypeVar("ModelT", bound=BaseModel)


def starts_stream(rule: RuleT) -> RuleT:
    """Marks a rule whose command may start the stream (every other needs it begun)."""
    rule.starts_stream = True  # type: ignore[attr-defined]
    return rule


class StreamDecider(Generic[CommandT, StateT]):
    """A pure aggregate, given as its rules and changes.

    ``rules`` decide the commands, each the kind of command its first parameter names; a
    command whose rule is marked ``starts_stream`` may start the stream, every other needs
    the stream begun and is refused with ``missing`` before. ``changes`` fold the facts,
    each the kind (or kinds) of fact its second parameter names; a fact of another kind
    leaves the state as it is. A stream begins in the state the class is declared with
    (``StreamDecider[Command, State]``), made with no arguments.

    The write path stores the state beside the stream's events and decides the next command
    on it, rather than folding the history again (``events/decisions.py``), unless
    ``snapshots`` is False. Raise ``snapshot_revision`` when a change folds a fact
    differently than before: stored states of the old revision are then ignored.
    """

    stream_type: ClassVar[str]
    snapshots: ClassVar[bool] = True  # its state may be stored beside its events and read back
    snapshot_revision: ClassVar[int] = 1  # raised when its facts fold differently than before
    missing: ClassVar[str] = ""  # "there is no such <stream type>" unless given
    rules: ClassVar[tuple[Rule, ...]]
    changes: ClassVar[tuple[Change, ...]]
    _blank: ClassVar[type[Any]]
    _rules: ClassVar[dict[type, Rule]]
    _changes: ClassVar[dict[type, Change]]
    _founding: ClassVar[tuple[type, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._blank = next(
            get_args(base)[1]
            for base in getattr(cls, "__orig_bases__", ())
            if get_origin(base) is StreamDecider
        )
        cls._rules = _by_kind(cls.rules, 0)
        cls._changes = _by_kind(cls.changes, 1)
        starting = (r for r in cls.rules if getattr(r, "starts_stream", False))
        cls._founding = tuple(kind for rule in starting for kind in _named(rule, 0))
        cls.missing = cls.missing or f"there is no such {cls.stream_type}"

    def initial_state(self) -> StateT:
        """The state of a stream not yet begun."""
        state: StateT = self._blank()
        return state

    def evolve(self, state: StateT, fact: Fact) -> StateT:
        """The state after ``fact``."""
        change = self._changes.get(type(fact))
        if change is None:
            return state
        changed: StateT = change(state, fact)
        return changed

    def decide(self, command: CommandT, state: StateT) -> Sequence[Fact]:
        """The facts ``command`` leads to, or a refusal."""
        rule = self._rules.get(type(command))
        if rule is None:
            article = "an" if self.stream_type[0] in "aeiou" else "a"
            raise DomainError(
                f"{type(command).__name__} is not {article} {self.stream_type} command"
            )
        if not state.exists and not isinstance(command, self._founding):
            raise NotFound(self.missing)
        return rule(command, state)


def _by_kind(functions: Sequence[Any], index: int) -> dict[type, Any]:
    """Each function by the kinds its parameter at ``index`` names; a kind named twice is a
    mistake in the decider's table, refused when the class is declared."""
    found: dict[type, Any] = {}
    for function in functions:
        for kind in _named(function, index):
            if kind in found:
                raise TypeError(f"{kind.__name__} is named by two functions of one decider")
            found[kind] = function
    return found


def _named(function: Callable[..., Any], index: int) -> tuple[type, ...]:
    """The types the parameter at ``index`` of ``function`` is annotated with (a union: each)."""
    parameter = list(inspect.signature(function).parameters)[index]
    hint = get_type_hints(function)[parameter]
    return get_args(hint) or (hint,)


def made_from(model: type[ModelT], source: BaseModel, /, **more: Any) -> ModelT:
    """A ``model`` with the fields it shares with ``source`` taken from it, and ``more``."""
    taken = {name: getattr(source, name) for name in _shared(model, type(source))}
    return model(**(taken | more))


def begun(state_type: type[ModelT], fact: Fact, /, **more: Any) -> ModelT:
    """The state a stream begins in with ``fact``: begun (``exists``), with the fields the
    state shares with the fact taken from it, and ``more``."""
    return made_from(state_type, fact, exists=True, **more)


def fact_from(kind: type[Fact], command: Command, /, **given: Any) -> list[Fact]:
    """The one fact ``command`` leads to: a ``kind`` with the fields it shares with the
    command taken from it, and ``given``; it occurs at the command's ``at`` unless
    ``occurred_at`` is given."""
    if "occurred_at" not in given:
        given["occurred_at"] = getattr(command, "at", None)
    return [made_from(kind, command, **given)]


@cache
def _shared(made: type[BaseModel], source: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``made`` that ``source`` has too."""
    return tuple(n for n in made.model_fields if n in source.model_fields)
