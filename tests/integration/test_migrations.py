"""The migrations build the schema the code declares, on both databases."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import func, inspect, select

from api.demo import data as demo_data
from api.services import Services
from domain.figures import parse_period
from events.area_figures import figures_now, unit_of
from events.database import make_engine
from events.projections.figures import area_period_sums
from migrations import runner as migrate


def test_the_migrated_schema_has_no_drift_from_the_models(database_url: str) -> None:
    config = migrate.config_for(database_url)

    command.check(config)  # raises if autogenerate would find a difference


def test_migrations_go_down_to_nothing_and_up_again(database_url: str) -> None:
    config = migrate.config_for(database_url)
    engine = make_engine(database_url)

    command.downgrade(config, "base")
    emptied = set(inspect(engine).get_table_names()) - {"alembic_version"}
    command.upgrade(config, "head")

    assert emptied == set()
    assert migrate.at_head(engine)
    assert "events" in inspect(engine).get_table_names()
    engine.dispose()


def test_the_sums_migration_rebuilds_the_figures_from_the_log(services: Services) -> None:
    """0010 empties the figures projection and its checkpoint; the next start's catch-up
    fills it again, sums included, exactly as the appends had."""
    demo_data.seed(services, children=40, months=6, today=date(2025, 7, 10))
    kota, unit = "32.79", unit_of("32.79")
    asked = [parse_period(p) for p in ("2025-05", "2025-Q2", "2025")]
    before = [figures_now(services.engine, kota, p, unit) for p in asked]
    config = migrate.config_for(services.settings.database_url)
    services.engine.dispose()

    command.downgrade(config, "0009")
    command.upgrade(config, "head")
    with services.engine.connect() as conn:
        emptied = conn.execute(select(func.count()).select_from(area_period_sums)).scalar()
    rebuilt = services.projections.catch_up(services.store)

    assert emptied == 0
    assert rebuilt > 0
    assert [figures_now(services.engine, kota, p, unit) for p in asked] == before
    assert before[1].figures.total.measured > 0
