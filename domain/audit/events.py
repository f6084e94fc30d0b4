"""Reads and erasures of personal data, recorded as events like every other fact.

A read is an event on the reader's access stream (``access-<principal id>``): the subject
read (a stream id, never a name), the route and the subject's area as ``wilayah`` so an
auditor with that area in reach sees who read whom there. An erasure is an event on the
eraser's access stream: whose data (a stream id and the person's place in it), the data
keys destroyed (their ids: pseudonyms, never a name or a NIK) and the reason given.
"""

from __future__ import annotations

import hashlib
from typing import Final

from pydantic import Field

from domain.fact import Fact

STREAM_TYPE: Final = "access"
STREAM_PREFIX: Final = "access-"
_LONGEST_ID: Final = 100


class PersonalDataRead(Fact):
    """A principal was shown a subject's personal fields unmasked (``occurred_at``: when)."""

    event_type = "access.personal_read"

    subject: str  # the stream id of whose data was read, e.g. child-<uuid>
    route: str  # the API route template, e.g. /v1/children/{child_id}


class PersonalDataErased(Fact):
    """A person's personal data was erased at her request: her data keys were destroyed,
    in every stream that names her. ``reason`` must not name her (a letter's number)."""

    event_type = "access.personal_erased"

    subject: str  # the stream the erasure was asked for, e.g. child-<uuid>
    person: str  # her place in it: child, mother, head, mother-<id>, sponsor, official
    keys: tuple[str, ...]  # the data keys destroyed
    streams: tuple[str, ...]  # every stream that named her
    reason: str = Field(min_length=3, max_length=500)


def access_stream(principal_id: str) -> str:
    """The stream that holds one principal's reads (a long external id by its digest)."""
    if len(principal_id) > _LONGEST_ID:
        return STREAM_PREFIX + hashlib.sha256(principal_id.encode()).hexdigest()
    return STREAM_PREFIX + principal_id


ACCESS_FACTS: tuple[type[Fact], ...] = (PersonalDataRead, PersonalDataErased)
