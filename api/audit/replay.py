"""Replay an export into a separate SQLite file and rebuild the projections there.

An auditor recomputes the published figures on their own machine: ``tumbuh replay``
reads an NDJSON export (``GET /v1/events``, ``Accept: application/x-ndjson``), checks the
chain while it reads (positions without gaps, each ``prev_hash`` the previous hash, each
hash recomputed from the canonical body), stores the events up to ``--to`` in a new SQLite
file and rebuilds the projections that the figures come from. The replay has no data
keys, so personal parts stay ciphertext there; principals' events arrive with their secret
hashes withheld, so their own hashes cannot be recomputed (their links are checked) and the
replay stores them with ``PLACEHOLDER`` in place of the secret: the principals projection
shows who could do what, where, and nobody can log in to a replay.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson
from sqlalchemy import Engine

from api.services import Services, build_services
from api.settings import Settings
from events import timefmt
from events.chain import GENESIS_HASH, canonical, link_hash
from events.schema import events
from migrations import runner as migrate

BATCH: Final = 5000
PLACEHOLDER: Final = "(withheld)"  # stands for a withheld secret hash; no password matches it
_BODY_NAMES: Final = {"type": "event_type", "version": "stream_version"}
_NOT_IN_BODY: Final = frozenset({"hash", "withheld"})


class ReplayRefused(Exception):
    """The export does not verify, or the target file already exists."""


@dataclass(frozen=True)
class Replayed:
    """What a replay stored."""

    events: int
    withheld: int
    last_position: int
    last_hash: str


def replay_services(database: Path) -> Services:
    """Services on a replay file, with a throwaway master key (the replay holds no keys)."""
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    return build_services(Settings(database_url=f"sqlite:///{database}", master_key=key))


def replay(lines: Iterable[bytes | str], database: Path, until: int | None) -> Replayed:
    """Check and store the export's events up to ``until`` in ``database``, then project."""
    if database.exists():
        raise ReplayRefused(f"{database.name} exists already: replay into a new file")
    services = replay_services(database)
    try:
        migrate.upgrade(services.engine)
        done = _store(services.engine, _envelopes(lines, until))
        services.projections.rebuild(services.store)
    except BaseException:
        services.close()
        database.unlink(missing_ok=True)
        raise
    services.close()
    return done


def _envelopes(lines: Iterable[bytes | str], until: int | None) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            envelope = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise ReplayRefused(f"line {number} is not JSON") from None
        if not isinstance(envelope, dict) or not isinstance(envelope.get("position"), int):
            raise ReplayRefused(f"line {number} is not an event envelope")
        if until is not None and envelope["position"] > until:
            return
        yield envelope


def _store(engine: Engine, envelopes: Iterable[dict[str, Any]]) -> Replayed:
    position, last_hash, count, withheld = 0, GENESIS_HASH, 0, 0
    batch: list[dict[str, Any]] = []
    for envelope in envelopes:
        row = _row(envelope)
        if row["position"] != position + 1 or row["prev_hash"] != last_hash:
            raise ReplayRefused(
                f"the chain breaks at position {row['position']}: the export must start at "
                "position 1 and have no gaps"
            )
        if envelope.get("withheld"):
            withheld += 1
        elif link_hash(row["prev_hash"], row["body"]) != row["hash"]:
            raise ReplayRefused(f"the hash of position {row['position']} does not match")
        position, last_hash, count = row["position"], row["hash"], count + 1
        batch.append(row)
        if len(batch) >= BATCH:
            _insert(engine, batch)
            batch = []
    if batch:
        _insert(engine, batch)
    if count == 0:
        raise ReplayRefused("the export holds no events")
    return Replayed(count, withheld, position, last_hash)


def _row(envelope: dict[str, Any]) -> dict[str, Any]:
    body = {_BODY_NAMES.get(k, k): v for k, v in envelope.items() if k not in _NOT_IN_BODY}
    withheld = envelope.get("withheld") or ()
    if withheld and isinstance(body.get("payload"), dict):
        body["payload"] = {
            k: PLACEHOLDER if k in withheld else v for k, v in body["payload"].items()
        }
    try:
        return {
            "position": body["position"],
            "event_id": body["event_id"],
            "stream_id": body["stream_id"],
            "stream_type": body["stream_type"],
            "stream_version": body["stream_version"],
            "event_type": body["event_type"],
            "schema_version": body["schema_version"],
            "occurred_at": timefmt.from_text(body["occurred_at"]),
            "recorded_at": timefmt.from_text(body["recorded_at"]),
            "wilayah": body["wilayah"],
            "body": canonical(body),
            "prev_hash": body["prev_hash"],
            "hash": envelope["hash"],
        }
    except (KeyError, TypeError, ValueError) as wrong:
        raise ReplayRefused(
            f"position {envelope['position']} is not a complete envelope ({wrong})"
        ) from None


def _insert(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(events.insert(), rows)
