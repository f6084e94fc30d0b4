"""Typed failures of the event store."""

from __future__ import annotations

from events.envelope import ExpectedVersion, StreamState


class StoreError(Exception):
    """Base of the store's refusals."""


class WrongExpectedVersion(StoreError):
    """The stream is not at the version the writer expected; nothing was written."""

    def __init__(self, stream_id: str, expected: ExpectedVersion, actual: int) -> None:
        shown = expected.value if isinstance(expected, StreamState) else expected
        super().__init__(f"stream {stream_id} is at version {actual}, expected {shown}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class ConditionFailed(WrongExpectedVersion):
    """The caller made the write conditional on a version (``If-Match``) that is stale."""


class EventIdConflict(StoreError):
    """An event id that is already stored with a different content; nothing was written."""

    def __init__(self, event_id: str, why: str) -> None:
        super().__init__(f"event {event_id} is already stored with a different content: {why}")
        self.event_id = event_id


class InvalidAppend(StoreError):
    """An append that is malformed in itself (no events, an id twice, a bad stream id)."""


class PersonErased(InvalidAppend):
    """Personal data for a person whose data was erased: not written again (422)."""

    def __init__(self, subject: str) -> None:
        super().__init__(
            f"the personal data of this {subject} was erased at the person's request; "
            "write the record without it"
        )
        self.subject = subject
