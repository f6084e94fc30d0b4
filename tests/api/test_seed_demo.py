"""``tumbuh seed-demo``: a small demo Kota Banjar on each database."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, func, select
from typer.testing import CliRunner

from api.cli import app
from api.demo import data as demo_data
from api.services import Services, build_services
from api.settings import Settings
from domain.sponsor.fulfilment import fulfilment
from events.envelope import RecordedEvent
from events.projections.areas import area_sasaran, areas
from events.projections.children import children, measurements
from events.projections.figures import child_month_rows, child_spans
from events.projections.meetings import find_meeting, list_resolutions, meetings
from events.projections.sponsors import families, list_commitments, sponsor_of_principal
from events.schema import events
from migrations import runner as migrate
from tests.conftest import TEST_MASTER_KEY

TODAY = date(2025, 6, 15)  # the window: December 2024 to May 2025
FIRST, LAST = date(2024, 12, 1), date(2025, 5, 1)
CHILDREN, MONTHS = 150, 6
NAMES = re.compile(r"Demo (Anak|Ibu) \d{5}|Alamat Demo")


def _seed(services: Services, seed: int = 11, *, inline: bool = False) -> demo_data.SeedResult:
    return demo_data.seed(
        services, children=CHILDREN, months=MONTHS, seed=seed, today=TODAY, inline=inline
    )


def _log(services: Services) -> list[RecordedEvent]:
    return services.store.read_all(limit=1_000_000)


def _count(services: Services, table: Table) -> int:
    with services.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.fixture
def other_store(tmp_path: Path) -> Iterator[Services]:
    """A second empty store (SQLite), to seed again beside the test's own."""
    url = f"sqlite:///{tmp_path / 'other.db'}"
    wired = build_services(
        Settings(
            database_url=url,
            master_key=TEST_MASTER_KEY,
            migrate_on_start=False,
            key_dir=tmp_path / "k",
        )
    )
    migrate.upgrade(wired.engine)
    wired.start()
    yield wired
    wired.close()


def test_the_demo_registers_the_25_desa_and_every_child_and_the_chain_verifies(
    services: Services,
) -> None:
    result = _seed(services)

    log = _log(services)
    types = [e.event_type for e in log]
    with services.engine.connect() as conn:
        registered = dict(conn.execute(select(areas.c.code, areas.c.name)).all())
    assert result.children == CHILDREN == _count(services, children)
    assert result.events == len(log)
    assert types.count("child.registered") == CHILDREN
    assert types.count("area.registered") == 25
    assert registered["32.79.02.2008"] == "Sinartanjung"
    assert registered["32.79.04.1005"] == "Bojongkantong"
    assert set(registered) == {a.code for a in demo_data.AREAS}
    assert _count(services, area_sasaran) == 25 * 2  # 2024 and 2025
    assert types.count("area.kampung_kb_designated") >= 6
    assert types.count("child.measurement_recorded") > CHILDREN * MONTHS * 0.6
    verdict = services.store.verify()
    assert verdict.ok, verdict.reason
    assert verdict.checked == result.events


def test_the_latest_month_has_a_plausible_register_prevalence_and_attendance(
    services: Services,
) -> None:
    result = _seed(services)

    kota = demo_data.prevalence(services, result.last_month)[-1]
    with services.engine.connect() as conn:
        born = conn.execute(select(children.c.birth_date, children.c.status)).all()
    mid = LAST + timedelta(days=14)
    present = sum(
        1 for b, status in born if status == "active" and b < mid and (mid - b).days < 60 * 30.4375
    )
    assert result.last_month == LAST
    assert kota.area == "Kota Banjar"
    assert 1.0 <= kota.percent <= 15.0
    assert 0.65 <= kota.counted / present <= 0.95


def test_late_entries_corrections_and_voids_are_in_the_log_and_the_projections(
    services: Services,
) -> None:
    result = _seed(services)

    log = _log(services)
    late = [
        e
        for e in log
        if e.event_type == "child.measurement_recorded"
        and e.recorded_at - e.occurred_at >= timedelta(days=7)
    ]
    corrected = [e for e in log if e.event_type == "child.measurement_corrected"]
    voided = [e for e in log if e.event_type == "child.measurement_voided"]
    with services.engine.connect() as conn:
        states: dict[str, int] = dict(
            conn.execute(
                select(measurements.c.state, func.count()).group_by(measurements.c.state)
            ).all()
        )
    assert len(late) == result.late > 0
    assert len(corrected) == result.corrections > 0
    assert all(str(e.payload["reason"]).strip() for e in corrected)
    assert len(voided) == result.voids > 0
    assert states.get("corrected", 0) > 0
    assert states.get("voided", 0) == result.voids


def test_each_event_is_recorded_at_its_simulated_time_inside_the_window(
    services: Services,
) -> None:
    _seed(services)

    log = _log(services)
    recorded = [e.recorded_at for e in log]
    start = datetime(FIRST.year, FIRST.month, FIRST.day, tzinfo=demo_data.WIB)
    end = datetime(TODAY.year, TODAY.month, 1, tzinfo=demo_data.WIB)
    assert recorded == sorted(recorded)
    assert start <= recorded[0]
    assert recorded[-1] < end
    assert len({r.date() for r in recorded}) > 60  # many days, not one instant
    assert all(e.recorded_at >= e.occurred_at for e in log if "measurement" in e.event_type)


def test_the_same_seed_writes_the_same_facts(services: Services, other_store: Services) -> None:
    _seed(services, seed=5)
    _seed(other_store, seed=5)
    mine, theirs = _log(services), _log(other_store)

    def facts(log: list[RecordedEvent], store: Services) -> list[tuple[Any, ...]]:
        personal = store.store.open_personal(log)
        return [
            (
                e.event_id,
                e.stream_id,
                e.event_type,
                e.payload,
                e.wilayah,
                e.occurred_at,
                e.recorded_at,
                personal.get(e.event_id),
            )
            for e in log
        ]

    assert len(mine) > CHILDREN * MONTHS * 0.6
    assert facts(mine, services) == facts(theirs, other_store)


def test_another_seed_gives_other_children(services: Services, other_store: Services) -> None:
    _seed(services, seed=5)
    _seed(other_store, seed=6)

    def payloads(store: Services) -> list[object]:
        return [e.payload for e in _log(store) if e.stream_type == "child"]

    assert payloads(services) != payloads(other_store)


def test_the_projections_rebuilt_at_the_end_equal_those_kept_inline(
    services: Services,
) -> None:
    _seed(services, inline=True)
    tables = (areas, area_sasaran, children, measurements, child_spans, child_month_rows)

    def snapshot() -> dict[str, list[tuple[Any, ...]]]:
        with services.engine.connect() as conn:
            return {t.name: sorted(tuple(r) for r in conn.execute(select(t))) for t in tables}

    inline = snapshot()
    services.projections.rebuild(services.store)

    assert snapshot() == inline
    assert len(inline["proj_measurements"]) > CHILDREN * MONTHS * 0.6


def test_a_store_that_holds_children_is_left_alone_and_the_cli_says_already_seeded(
    services: Services,
) -> None:
    env = {
        "TUMBUH_DATABASE_URL": services.settings.database_url,
        "TUMBUH_MASTER_KEY": TEST_MASTER_KEY,
    }
    first = CliRunner().invoke(app, ["seed-demo", "--children", "20", "--months", "2"], env=env)
    written = _count(services, events)

    second = CliRunner().invoke(app, ["seed-demo", "--children", "20", "--months", "2"], env=env)

    assert first.exit_code == 0, first.output
    assert re.search(r"seeded 20 children, \d+ events in [\d.]+ s", first.output)
    assert written > 20
    assert second.exit_code == 0, second.output
    assert "already seeded" in second.output
    assert _count(services, events) == written
    with pytest.raises(demo_data.AlreadySeeded):
        _seed(services)


def test_a_log_with_later_events_is_refused_rather_than_stamped_out_of_order(
    services: Services,
) -> None:
    services.principals.seed_demo("a-demo-password")  # recorded now, after the window

    with pytest.raises(demo_data.StoreNotEmpty):
        _seed(services)

    assert _count(services, children) == 0


def test_no_demo_name_reaches_the_stored_bodies_or_the_log(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    _seed(services)

    with services.engine.connect() as conn:
        bodies = [bytes(b).decode() for (b,) in conn.execute(select(events.c.body))]
    registered = [e for e in _log(services) if e.event_type == "child.registered"]
    opened = services.store.open_personal(registered[:3])
    assert not any(NAMES.search(body) for body in bodies)
    assert not NAMES.search(caplog.text)
    assert all(NAMES.fullmatch(str(p["name"])) for p in opened.values() if p)  # sealed, not lost
    assert all(p and p.get("nik") is None for p in opened.values())


def test_the_demo_holds_held_meetings_with_reports_and_resolutions_in_every_state(
    services: Services,
) -> None:
    result = _seed(services)

    with services.engine.connect() as conn:
        held = [find_meeting(conn, m) for m in conn.execute(select(meetings.c.id)).scalars()]
        found = list_resolutions(conn, reach=("*",))
    assert result.meetings == len(held) > 0
    assert result.resolutions == len(found) > 0
    assert all(m is not None and m.state.status.value == "held" for m in held)
    reports = [r for m in held if m is not None for r in m.state.reports]
    assert len(reports) == 4 * sum(1 for m in held if m is not None and m.state.level == "kota")
    assert all(r.figures is not None and r.figures.log_position > 0 for r in reports)
    assert {r.state.status.value for r in found} == {"open", "done", "dropped"}
    late = [r for r in found if r.state.closed_on and r.state.closed_on > r.state.due]
    assert late


def test_the_demo_holds_sponsors_commitments_deliveries_and_krs_families(
    services: Services,
) -> None:
    _seed(services)

    with services.engine.connect() as conn:
        held = list_commitments(conn, reach=("*",))
        krs = conn.execute(select(func.count()).select_from(families)).scalar_one()
        linked = sponsor_of_principal(conn, "demo-sponsor")
    day = TODAY.replace(day=1)
    accounts = [fulfilment(state, day) for _, state, _ in held]
    assert linked is not None
    assert {s.beneficiary.kind.value for _, s, _ in held if s.beneficiary} == {"child", "family"}
    assert krs > 0
    assert sum(a.delivered for a in accounts) > 0
    assert any(a.pending for a in accounts) or any(
        d.verified is False for _, s, _ in held for d in s.deliveries
    )
    assert 0 < sum(a.overdue for a in accounts) < len(accounts)
