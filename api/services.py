"""The wired parts of one installation: engine, store, registry, projections."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Engine

from api.audit.log_watch import LogWatch
from api.identity.access_log import AccessLog
from api.identity.accounts import Principals, seed_demo
from api.identity.grants import Grants
from api.identity.passwords import Passwords
from api.identity.throttle import LoginThrottle
from api.identity.tokens import TokenAuthority
from api.personal.master_key import master_keys, master_stamp
from api.settings import Settings
from api.web.memo import Memo
from domain.catalog import DECIDERS, FACTS
from domain.child.commands import ChildCommand
from domain.child.decider import ChildDecider, ChildState
from domain.sponsor.events import RoundImported, round_imported_v1
from events import timefmt
from events.crypto import KeyRing, MissingMasterKey
from events.database import make_engine
from events.handling import GroupCommit
from events.projections.areas import AreaIndex
from events.projections.children import ChildIndex
from events.projections.figures import FigureIndex
from events.projections.meetings import MeetingIndex
from events.projections.principals import PrincipalIndex
from events.projections.runner import ProjectionRunner
from events.projections.snapshots import DecisionIndex
from events.projections.sponsors import SponsorIndex
from events.projections.streams import StreamIndex
from events.projections.subscriptions import SubscriptionIndex
from events.registry import Registry
from events.store import SqlEventStore
from migrations import runner as migrate

log = logging.getLogger("tumbuh")


@dataclass
class Services:
    """Everything a request, a CLI command or a test needs, built once from settings."""

    settings: Settings
    engine: Engine
    store: SqlEventStore
    registry: Registry
    projections: ProjectionRunner
    auth: TokenAuthority = field(init=False)
    passwords: Passwords = field(init=False)
    throttle: LoginThrottle = field(init=False)
    principals: Principals = field(init=False)
    grants: Grants = field(init=False)
    access_log: AccessLog = field(init=False)
    log_watch: LogWatch = field(init=False)
    clock: Callable[[], datetime] = field(default=timefmt.utc_now)  # tests may set it
    evaluations: Memo[Any] = field(default_factory=lambda: Memo(64))
    child_writes: GroupCommit[ChildCommand, ChildState] = field(init=False)

    def __post_init__(self) -> None:
        self.auth = TokenAuthority(self.settings)
        self.passwords = Passwords(concurrent=self.settings.password_checks)
        self.throttle = LoginThrottle(
            self.engine, partial(self.store.writer, lock=False), self.settings
        )
        self.principals = Principals(self.store, self.passwords)
        self.grants = Grants(
            self.engine,
            self.auth,
            passwords=self.passwords,
            throttle=self.throttle,
            settings=self.settings,
        )
        self.access_log = AccessLog(self.store)
        self.log_watch = LogWatch(self.engine)
        # Concurrent writes to children's streams share transactions (docs/scaling.md).
        self.child_writes = GroupCommit(self.store, ChildDecider())

    def start(self) -> None:
        """Migrate (when configured to) and bring the projections up to the log's head."""
        if self.settings.migrate_at_start:
            migrate.upgrade(self.engine)
        if not migrate.at_head(self.engine):
            # Serve anyway: /readyz answers 503 until an operator runs `tumbuh migrate`.
            log.error("the database is not at the newest migration: run `tumbuh migrate`")
            return
        try:
            with self.store.writer(lock=False) as conn:
                self.store.keyring.check(conn, self.clock())
        except MissingMasterKey as missing:
            log.error("%s", missing)
            raise
        self.projections.catch_up(self.store)
        seed_demo(self.principals, self.settings)
        self.access_log.start()

    def close(self) -> None:
        """Append the queued read-access records, then release the database connections."""
        try:
            self.access_log.stop()
        finally:
            self.engine.dispose()


def build_services(settings: Settings) -> Services:
    """Wire an installation from its settings; the only place that builds these parts."""
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    registry = Registry()
    registry.register(*FACTS)
    registry.upcaster(RoundImported.event_type, 1)(round_imported_v1)
    projections = ProjectionRunner(
        [
            StreamIndex(),
            DecisionIndex(registry, DECIDERS),
            PrincipalIndex(registry),
            AreaIndex(registry),
            ChildIndex(registry),
            FigureIndex(registry),
            MeetingIndex(registry),
            SponsorIndex(registry),
            SubscriptionIndex(registry),
        ],
        replay_workers=settings.replay_workers or usable_cores(),
        deciders=DECIDERS,
    )
    keyring = KeyRing(partial(master_keys, settings), stamp=master_stamp(settings))
    store = SqlEventStore(engine, keyring, registry, inline=projections)
    return Services(settings, engine, store, registry, projections)


def usable_cores() -> int:
    """The CPU cores this process may run on, at most 8 (a container's quota is not seen)."""
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return min(8, len(usable) if usable else os.cpu_count() or 1)
