"""Stable event names and schema versions ↔ domain classes, with upcasters on read.

Stored bytes never change: an event written as version 1 is read through the upcasters
registered for its type until it has the shape the current class expects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from domain.fact import Decider, Fact
from events.envelope import JsonObject, NewEvent, RecordedEvent

Upcaster = Callable[[JsonObject], JsonObject]
StateT = TypeVar("StateT")
_ENVELOPE_FIELDS = frozenset({"occurred_at", "wilayah", "personal"})


class UnknownEventType(LookupError):
    """The log holds an event type no class is registered for."""


@dataclass
class Registry:
    """Maps stored names to fact classes and knows how to upcast old versions."""

    _classes: dict[str, type[Fact]] = field(default_factory=dict)
    _upcasters: dict[tuple[str, int], Upcaster] = field(default_factory=dict)

    def register(self, *classes: type[Fact]) -> None:
        """Register fact classes under their ``event_type``; a name is taken once."""
        for cls in classes:
            known = self._classes.get(cls.event_type)
            if known is not None and known is not cls:
                raise ValueError(f"event type {cls.event_type} is already {known.__name__}")
            self._classes[cls.event_type] = cls

    def upcaster(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator: turn a ``from_version`` payload of ``event_type`` into the next version."""

        def add(function: Upcaster) -> Upcaster:
            self._upcasters[(event_type, from_version)] = function
            return function

        return add

    def class_of(self, event_type: str) -> type[Fact]:
        """The class registered for a stored type name."""
        try:
            return self._classes[event_type]
        except KeyError:
            raise UnknownEventType(event_type) from None

    def types(self, classes: Iterable[type[Fact]]) -> list[str]:
        """Stored names of the given classes (for filtering reads)."""
        return [cls.event_type for cls in classes]

    def to_new(self, fact: Fact, event_id: str, meta: JsonObject) -> NewEvent:
        """The storable form of a fact: non-personal payload and the personal part apart."""
        cls = type(fact)
        if self._classes.get(cls.event_type) is not cls:
            raise UnknownEventType(f"{cls.__name__} is not registered")
        payload = fact.model_dump(mode="json", exclude=set(_ENVELOPE_FIELDS))
        personal = getattr(fact, "personal", None)
        return NewEvent(
            event_id=event_id,
            event_type=cls.event_type,
            schema_version=cls.schema_version,
            occurred_at=fact.occurred_at,
            wilayah=fact.wilayah,
            payload=payload,
            personal=None if personal is None else personal.model_dump(mode="json"),
            meta=meta,
            parts=fact.personal_parts(),
        )

    def to_fact(self, event: RecordedEvent, personal: JsonObject | None = None) -> Fact:
        """The fact a stored event records, upcast to its class's current version."""
        cls = self.class_of(event.event_type)
        payload = self.upcast(event.event_type, event.schema_version, event.payload)
        fields: JsonObject = dict(payload)
        fields["wilayah"] = event.wilayah
        if "personal" in cls.model_fields:
            fields["personal"] = personal
        return cls.model_validate({**fields, "occurred_at": event.occurred_at})

    def fold(
        self,
        decider: Decider[Any, StateT],
        events: Iterable[RecordedEvent],
        state: StateT | None = None,
    ) -> StateT:
        """The state ``events`` lead ``decider`` to from ``state`` (None: a stream not begun)."""
        folded = decider.initial_state() if state is None else state
        for event in events:
            folded = decider.evolve(folded, self.to_fact(event))
        return folded

    def upcast(self, event_type: str, version: int, payload: JsonObject) -> JsonObject:
        """Apply upcasters from ``version`` to the registered class's version."""
        target = self.class_of(event_type).schema_version
        while version < target:
            step = self._upcasters.get((event_type, version))
            if step is None:
                raise UnknownEventType(f"no upcaster for {event_type} v{version}")
            payload, version = step(payload), version + 1
        return payload
