"""The HTTP kit every router uses.

- ids: the event id a client chose (in the body or from its ``Idempotency-Key``), and the
  ids derived from it, so that a retry names the same stream;
- versions: ``If-Match`` read as a stream version, the ``ETag`` of an answer;
- a write as a route receives it beside its body (``Write``, the dependency ``Writes``):
  the caller, the event ``meta``, the event id and the expected version;
- the streams one decider keeps, and how a route writes to them (``Streams``) or starts a
  new one;
- pages ordered by day and id: the ``next`` cursor read back (``cursor``);
- ``known_at``: the log position a past instant names;
- masking: children's initials and personal fields, read for many children at once;
- request bodies that refuse unknown fields (``Strict``, ``example``), and the desa a write
  may name;
- answers read from a state or a row, commands from a request body: the fields of the same
  names (``answer_from``, ``command_from``);
- today: the latest date anywhere in Indonesia.

Problem answers are documented by ``api.web.responses`` and answered by ``api.web.errors``;
``PROBLEMS`` are those a write's rules give: 404, 409 and 412.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from functools import cached_property
from typing import Annotated, Any, Final, Generic, Literal, Protocol, TypeVar

from fastapi import Header, Path, Query, Request, Response, params
from pydantic import AwareDatetime, BaseModel, ConfigDict, TypeAdapter, ValidationError

from api.identity.access import Principal, Requires, ensure_writable, write_meta
from api.services import Services
from api.web.responses import problems
from domain import wilayah
from domain.child.decider import stream_id
from domain.child.events import ChildPersonal
from domain.child.personal import initials
from domain.fact import Command, Decider, DomainError
from domain.values import ascii_digits
from events import timefmt
from events.area_figures import position_at
from events.envelope import JsonObject
from events.handling import Outcome, execute
from events.personal import Opened
from events.projections import children as index
from events.projections.areas import find_area

_EASTERNMOST = timezone(timedelta(hours=9), "WIT")  # Papua, the first to reach a new day
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1d2c4e-7a0b-4c55-9d43-3e0f1b2a7c10")
VERSION_DIGITS = 9  # a stream version is an INTEGER column: more digits name no version
IdempotencyKey = Annotated[str | None, Header(max_length=200)]
_CODE = "Kemendagri code of a desa/kelurahan, kecamatan or kota (dotted or undotted)."
_KNOWN_AT = (
    "The figures as the system would have answered at this moment: an RFC 3339 timestamp "
    "or a log position. Entries and corrections recorded later are left out."
)
CodePath = Annotated[str, Path(description=_CODE, max_length=20)]
KnownAt = Annotated[str | None, Query(description=_KNOWN_AT, max_length=40)]
_INSTANT: TypeAdapter[AwareDatetime] = TypeAdapter(AwareDatetime)
PROBLEMS = problems(404, 409, 412)
Answer = TypeVar("Answer", bound=BaseModel)
Model = TypeVar("Model", bound=BaseModel)
CommandT = TypeVar("CommandT", bound=Command)
StateT = TypeVar("StateT")


def today() -> date:
    """The latest date anywhere in Indonesia: a measurement taken today is never "future"."""
    return timefmt.utc_now().astimezone(_EASTERNMOST).date()


def etag(response: Response, version: int) -> None:
    """Set the ``ETag`` of the stream version."""
    response.headers["ETag"] = f'"{version}"'


def expected_version(
    if_match: str | None, *, refusal: str = 'If-Match is a stream version in quotes, like "3"'
) -> int | None:
    """The version an ``If-Match`` header asks for (``*`` or none: unconditional)."""
    if if_match is None or if_match.strip() == "*":
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not ascii_digits(text, VERSION_DIGITS):
        raise DomainError(refusal, field="If-Match")
    return int(text)


def client_event_id(
    principal: Principal, request: Request, given: uuid.UUID | None, key: str | None
) -> str | None:
    """The event id a client chose: in the body, or derived from its ``Idempotency-Key``."""
    if given is not None:
        return str(given)
    if key is None:
        return None
    return str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{principal.id}\n{request.url.path}\n{key}"))


@dataclass(frozen=True)
class Write:
    """A write as a route receives it beside its body: the caller, the request (the event
    ``meta``; the path an ``Idempotency-Key`` is scoped to) and its ``If-Match`` and
    ``Idempotency-Key`` headers."""

    principal: Principal
    request: Request
    if_match: str | None = None
    idempotency_key: str | None = None

    @cached_property
    def meta(self) -> JsonObject:
        """The event ``meta`` of the write: one for all its events (one correlation id)."""
        return write_meta(self.principal, self.request)

    @property
    def expected_version(self) -> int | None:
        """The stream version ``If-Match`` asks for; None: unconditional."""
        return expected_version(self.if_match)

    def event_id(self, given: uuid.UUID | None) -> str | None:
        """The event id the client chose (``given`` in the body, or its Idempotency-Key)."""
        return client_event_id(self.principal, self.request, given, self.idempotency_key)

    def event_ids(self, given: uuid.UUID | None) -> list[str] | None:
        """The event ids of a one-event write, as the write path takes them."""
        event_id = self.event_id(given)
        return None if event_id is None else [event_id]


def Writes(  # noqa: N802 (a marker in Annotated, as Requires)
    scope: str, *, if_match: bool | str = True, idempotency_key: bool = True
) -> params.Depends:
    """A dependency: the ``Write`` of a caller holding ``scope``, with the headers the route
    takes: ``If-Match`` (a write to a stream that exists; a text is its description in the
    OpenAPI document) and ``Idempotency-Key``."""
    # Defaults, not in Annotated: FastAPI reads these annotations as strings, in which a
    # local name cannot be found.
    caller: Any = Requires(scope)
    described = if_match if isinstance(if_match, str) else None
    version: Any = Header(None, max_length=40, description=described)

    async def conditional(
        request: Request,
        principal: Principal = caller,
        if_match: str | None = version,
        idempotency_key: IdempotencyKey = None,
    ) -> Write:
        return Write(principal, request, if_match, idempotency_key)

    async def versioned(
        request: Request, principal: Principal = caller, if_match: str | None = version
    ) -> Write:
        return Write(principal, request, if_match)

    async def keyed(
        request: Request, principal: Principal = caller, idempotency_key: IdempotencyKey = None
    ) -> Write:
        return Write(principal, request, None, idempotency_key)

    async def plain(request: Request, principal: Principal = caller) -> Write:
        return Write(principal, request)

    taken = {(True, True): conditional, (True, False): versioned, (False, True): keyed}
    return params.Depends(dependency=taken.get((bool(if_match), idempotency_key), plain))


class NewStream(Protocol):
    """A request body that starts a stream: the stream's id and the event id the client may
    choose (either may be null)."""

    @property
    def id(self) -> uuid.UUID | None: ...

    @property
    def event_id(self) -> uuid.UUID | None: ...


@dataclass(frozen=True)
class Streams(Generic[CommandT, StateT]):
    """The streams one decider keeps (``prefix`` and an id), and how a route writes
    to them."""

    decider: Decider[CommandT, StateT]
    prefix: str

    def write(
        self,
        services: Services,
        key: str,
        command: CommandT,
        write: Write,
        *,
        given: uuid.UUID | None = None,
    ) -> Outcome[StateT]:
        """Run ``command`` on the stream of ``key`` as ``write``: only at the version its
        ``If-Match`` names when there is one, a safe retry with the event id the client chose
        (``given`` in the body, or its ``Idempotency-Key``)."""
        return execute(
            services.store,
            self.decider,
            self.prefix + key,
            command,
            write.meta,
            expected_version=write.expected_version,
            event_ids=write.event_ids(given),
        )

    def start(
        self,
        services: Services,
        body: NewStream,
        command: CommandT,
        write: Write,
        response: Response,
        *,
        at: str,
    ) -> str:
        """Run ``command`` on a new stream and answer its id: the one ``body`` chose, or one
        derived from the event id, so that a retry names the same stream. The answer's
        ``Location`` is the stream's under ``at``."""
        key = str(body.id or derived_id(write.event_id(body.event_id)))
        self.write(services, key, command, write, given=body.event_id)
        response.headers["Location"] = f"{at}/{key}"
        return key

    def write_more(
        self, services: Services, key: str, command: CommandT, write: Write
    ) -> Outcome[StateT]:
        """Run a further command of ``write`` on the stream of ``key``: the same ``meta``,
        neither conditional nor a retry."""
        return execute(services.store, self.decider, self.prefix + key, command, write.meta)


def cursor(after: str | None) -> tuple[date, str] | None:
    """The ``next`` of a previous page ordered by day and id (``2025-07-15_<uuid>``)."""
    if after is None:
        return None
    day, _, last = after.partition("_")
    try:
        return date.fromisoformat(day), str(uuid.UUID(last))
    except ValueError:
        raise DomainError("give the `next` of the previous page", field="after") from None


def erased_subjects(opened: Opened) -> list[Literal["child", "mother"]]:
    """Whose parts were erased ("*", a part from before keys were per person: both)."""
    erased: set[str] = set(opened.erased)
    if "*" in erased:
        erased = {"child", "mother"}
    return [s for s in ("child", "mother") if s in erased]


def personal_of(services: Services, child_ids: Sequence[str]) -> dict[str, ChildPersonal]:
    """The children's personal fields now, for any number of children (children without a
    personal part, or whose own part was erased, are left out)."""
    return {
        child_id: ChildPersonal.model_validate(plain)
        for child_id, plain in _personal_parts(services, child_ids).items()
        if "name" in plain
    }


def masked_initials(services: Services, child_ids: Sequence[str]) -> dict[str, str | None]:
    """The children's initials, by id (absent: no personal part or an erased key)."""
    # The name as stored (validated when it was written): a kota's hundreds of new cases
    # need only it.
    parts = _personal_parts(services, child_ids).items()
    return {c: initials(str(p["name"])) for c, p in parts if "name" in p}


def _personal_parts(services: Services, child_ids: Sequence[str]) -> dict[str, JsonObject]:
    streams = {stream_id(c): c for c in child_ids}
    found = services.store.latest_personal(list(streams), index.PERSONAL_TYPES)
    return {streams[s]: plain for s, plain in found.items()}


def checked_desa(
    services: Services, principal: Principal, code: str, *, field: str = "desa"
) -> str:
    """The canonical code of a registered desa a write may name: 422 naming ``field``, or
    404 outside the caller's reach."""
    desa = wilayah.parse_desa(code, field=field)
    ensure_writable(principal, [desa], "desa")
    with services.engine.connect() as conn:
        if find_area(conn, desa) is None:
            raise DomainError("there is no registered desa/kelurahan with this code", field=field)
    return desa


def answer_from(model: type[Answer], held: object, /, **given: Any) -> Answer:
    """``model`` with the fields ``given``, the others read from ``held``'s attributes of the
    same names (one ``held`` lacks keeps its default): for an answer that shows a state or a
    row as it is. A field that may hold a secret or personal data is never read this way:
    the caller gives it (masked, opened for a reader allowed to see it, or None)."""
    unsaid = _GIVEN_ONLY.intersection(model.model_fields) - given.keys()
    if unsaid:
        raise TypeError(f"{model.__name__}: give {sorted(unsaid)} explicitly")
    return _model_from(model, held, given)


# Fields ``answer_from`` never copies: a secret, or a person's data (UU 27/2022).
_GIVEN_ONLY: Final = frozenset(
    {"secret", "personal", "nik", "mother_name", "mother_nik", "address", "phone", "kk"}
)


def command_from(command: type[CommandT], body: BaseModel, /, **given: Any) -> CommandT:
    """``command`` with the fields ``given`` (what the server adds: the instant, checked codes,
    ids), the others the request ``body``'s fields of the same names, as the client sent them."""
    return _model_from(command, body, given)


def _model_from(model: type[Model], held: object, given: dict[str, Any]) -> Model:
    read = {
        name: getattr(held, name)
        for name in model.model_fields
        if name not in given and hasattr(held, name)
    }
    return model.model_validate({**read, **given})


class Strict(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


def example(shown: JsonObject) -> ConfigDict:
    """The config of a request body: unknown fields refused, ``shown`` its example in the
    OpenAPI document."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [shown]})


def derived_id(event_id: str | None) -> uuid.UUID:
    """The id of a new stream: derived from the client's event id, so that a retry names the
    same stream, or random without one."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"tumbuh:{event_id}") if event_id else uuid.uuid4()


def log_position_of(services: Services, known_at: str | None) -> int | None:
    """The log position ``known_at`` names, or None for now (also when it is the head)."""
    if known_at is None:
        return None
    head = services.store.head().position
    if ascii_digits(known_at, 15):
        position = int(known_at)
        if position > head:
            raise DomainError(f"the log ends at position {head}", field="known_at")
    else:
        try:
            instant = _INSTANT.validate_python(known_at)
        except ValidationError:
            raise DomainError(_known_at_refusal(known_at), field="known_at") from None
        position = position_at(services.engine, instant)
    return None if position >= head else position


def _known_at_refusal(known_at: str) -> str:
    refusal = "give an RFC 3339 timestamp with its offset or a log position"
    if " " in known_at:  # a "+" sent unencoded arrives as a space
        refusal += (
            "; in a URL a + stands for a space, so send the offset's + as %2B "
            "(known_at=2025-06-01T00:00:00%2B07:00)"
        )
    return refusal
