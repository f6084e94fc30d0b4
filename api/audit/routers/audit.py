"""The audit trail: the event feed (JSON pages, NDJSON export, long-poll), stream histories,
the signed head and the server's chain check.

Envelopes are built from the hashed bodies (``events.feed``), so an auditor can recompute
every hash with ``tools/verify_export.py`` or a verifier of their own (``docs/audit.md``).
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Final

import orjson
from fastapi import APIRouter, Header, Path, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.identity.access import Principal, Requires, ensure_reach
from api.services import Services
from api.web.deps import ServicesDep
from api.web.responses import NDJSON, also, problems
from domain import wilayah
from domain.fact import DomainError, NotFound
from domain.values import SAFE_INT_MAX, ascii_digits
from events import feed, timefmt

router = APIRouter(tags=["audit"])
PROBLEMS = problems(404)
MAX_LIMIT: Final = 1000
MAX_WAIT: Final = 30
Auditor = Annotated[Principal, Requires("events:read")]
Cursor = Annotated[
    str | None, Query(description="The cursor: the last position seen.", max_length=40)
]
Limit = Annotated[
    int | None,
    Query(ge=1, le=MAX_LIMIT, description="Per page (default 100); NDJSON: at most, default all."),
]
Area = Annotated[
    str | None, Query(alias="wilayah", max_length=20, description="Only events of this area.")
]
Wait = Annotated[
    int, Query(ge=0, le=MAX_WAIT, description="Long-poll: seconds to wait for a new event.")
]
Last = Annotated[
    int | None,
    Query(alias="to", ge=1, le=SAFE_INT_MAX, description="Last position (default: head)."),
]


class SealedWhole(BaseModel):
    """A personal part sealed whole under one key."""

    key_id: str
    ciphertext: str


class SealedPart(SealedWhole):
    """One person's fields, sealed under her key."""

    subject: str


class SealedParts(BaseModel):
    """A personal part sealed per person."""

    parts: list[SealedPart]


class Envelope(BaseModel):
    """One stored event as the chain covers it (``docs/audit.md`` gives the hashed form)."""

    position: int
    event_id: str
    stream_id: str
    stream_type: str
    version: int = Field(description="The stream version this event produced.")
    type: str
    schema_version: int
    occurred_at: str = Field(description="Valid time: when it happened.")
    recorded_at: str = Field(description="Transaction time: when the log stored it.")
    wilayah: str | None
    payload: dict[str, Any]
    personal: SealedWhole | SealedParts | None = Field(
        description="The personal part as stored: AES-256-GCM ciphertext under a data key, "
        "one part per person (or one whole part, as events from before keys were per person)."
    )
    meta: dict[str, Any]
    prev_hash: str
    hash: str
    withheld: list[str] | None = Field(
        None,
        description="Payload members not shown (secret hashes); the event's own hash "
        "cannot be recomputed from this envelope, its links still are checked.",
    )


class EventPage(BaseModel):
    """One page of the log in position order; ``next`` is the cursor of the next page."""

    events: list[Envelope]
    next: str | None


class StreamHistory(BaseModel):
    """One stream's events in version order."""

    stream_id: str
    events: list[Envelope]


class SignedHead(BaseModel):
    """The head of the log at ``at``, and a compact JWS of the same three fields."""

    position: int
    hash: str
    at: str = Field(description="When the server read and signed the head (RFC 3339, UTC).")
    jws: str = Field(
        description="Compact JWS (ES256/RS256) of {position, hash, at}; the "
        "key is in /.well-known/jwks.json under the header's kid."
    )


class VerifyAnswer(BaseModel):
    """The server's chain check over a range of positions."""

    ok: bool
    checked: int
    first_bad_position: int | None
    reason: str | None


def _cursor(text: str | None) -> int:
    if text is None:
        return 0
    if not ascii_digits(text, 15):
        raise DomainError("the cursor is a log position: digits only", field="after")
    return int(text)


def _selection(
    principal: Principal,
    stream_type: list[str] | None,
    event_type: list[str] | None,
    area: str | None,
) -> feed.Selection:
    code = None if area is None else wilayah.parse(area, field="wilayah")
    if code is not None:
        ensure_reach(principal, code, "area")
    return feed.Selection(
        reach=principal.reach.prefixes,
        stream_types=tuple(stream_type or ()),
        event_types=tuple(event_type or ()),
        wilayah=code,
    )


@router.get(
    "/v1/events",
    response_model=EventPage,
    responses={**PROBLEMS, **also(NDJSON)},
)
async def read_events(
    services: ServicesDep,
    principal: Auditor,
    after: Cursor = None,
    limit: Limit = None,
    stream_type: Annotated[list[str] | None, Query(max_length=40)] = None,
    type: Annotated[list[str] | None, Query(max_length=100)] = None,
    area: Area = None,
    wait: Wait = 0,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """The log in order, as stored envelopes; NDJSON for bulk replay, long-poll to tail it."""
    start = _cursor(after)
    selection = _selection(principal, stream_type, type, area)
    if accept is not None and NDJSON in accept:
        until = await run_in_threadpool(feed.head_position, services.engine)
        lines = feed.export(services.engine, selection, start, until, limit)
        return StreamingResponse(
            lines, media_type=NDJSON, headers={"Tumbuh-Log-Position": str(until)}
        )
    size = limit or 100
    shown = await _page_or_wait(services, selection, start, size, wait)
    cursor = str(shown[-1]["position"]) if len(shown) == size else None
    return Response(orjson.dumps({"events": shown, "next": cursor}), media_type="application/json")


async def _page_or_wait(
    services: Services, selection: feed.Selection, after: int, size: int, wait: int
) -> list[dict[str, Any]]:
    """A page; if it is empty, wait for the head to move (at most ``wait`` s) and look again."""
    deadline = time.monotonic() + wait
    while True:
        looked = await run_in_threadpool(feed.head_position, services.engine)
        shown = await run_in_threadpool(feed.page, services.engine, selection, after, size)
        left = deadline - time.monotonic()
        if shown or left <= 0:
            return shown
        await services.log_watch.beyond(looked, left)


@router.get("/v1/streams/{stream_id}", response_model=StreamHistory, responses=PROBLEMS)
def read_stream(
    stream_id: Annotated[str, Path(max_length=120)],
    services: ServicesDep,
    principal: Auditor,
) -> Response:
    """One stream's history (only its events inside the caller's reach)."""
    shown = feed.visible(
        feed.Selection(reach=principal.reach.prefixes),
        feed.stream_history(services.engine, stream_id),
    )
    if not shown:
        raise NotFound("there is no such stream in the caller's reach")
    return Response(
        orjson.dumps({"stream_id": stream_id, "events": shown}), media_type="application/json"
    )


@router.get("/v1/audit/head", response_model=SignedHead)
def audit_head(services: ServicesDep, principal: Auditor) -> SignedHead:
    """The log's head, signed with a published key so an auditor can pin what they saw."""
    head = services.store.head()
    claims = {
        "position": head.position,
        "hash": head.hash,
        "at": timefmt.to_text(timefmt.utc_now()),
    }
    jws = services.auth.sign(claims, headers={"typ": "tumbuh-head+jws"})
    return SignedHead(**claims, jws=jws)


@router.get("/v1/audit/verify", response_model=VerifyAnswer, responses=PROBLEMS)
def audit_verify(
    services: ServicesDep,
    principal: Auditor,
    first: Annotated[
        int, Query(alias="from", ge=1, le=SAFE_INT_MAX, description="First position.")
    ] = 1,
    last: Annotated[
        int | None, Query(alias="to", ge=1, le=SAFE_INT_MAX, description="Last (default: head).")
    ] = None,
) -> VerifyAnswer:
    """Check links, hashes and indexed columns from ``from`` to ``to``."""
    if last is not None and last < first:
        raise DomainError("'to' is before 'from'", field="to")
    head = services.store.head().position
    if first > max(head, 1):
        raise DomainError(f"the log ends at position {head}", field="from")
    if last is not None and last > head:
        raise DomainError(f"the log ends at position {head}", field="to")
    verdict = services.store.verify(first, last)
    return VerifyAnswer(
        ok=verdict.ok,
        checked=verdict.checked,
        first_bad_position=verdict.first_bad_position,
        reason=verdict.reason,
    )
