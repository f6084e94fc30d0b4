"""Reads of personal data, recorded as events like every other fact.

A read is an event on the reader's access stream (``access-<principal id>``): the subject
read (a stream id, never a name), the route and the subject's area as ``wilayah`` so an
auditor with that area in reach sees who read whom there.
"""

from __future__ import annotations

import hashlib
from typing import Final

from domain.fact import Fact

STREAM_TYPE: Final = "access"
STREAM_PREFIX: Final = "access-"
_LONGEST_ID: Final = 100


class PersonalDataRead(Fact):
    """A principal was shown a subject's personal fields unmasked (``occurred_at``: when)."""

    event_type = "access.personal_read"

    subject: str  # the stream id of whose data was read, e.g. child-<uuid>
    route: str  # the API route template, e.g. /v1/children/{child_id}


def access_stream(principal_id: str) -> str:
    """The stream that holds one principal's reads (a long external id by its digest)."""
    if len(principal_id) > _LONGEST_ID:
        return STREAM_PREFIX + hashlib.sha256(principal_id.encode()).hexdigest()
    return STREAM_PREFIX + principal_id


ACCESS_FACTS: tuple[type[Fact], ...] = (PersonalDataRead,)
