"""The area figures' tables: each child's residence spans, its figures per measured month,
and the desa-period sums with the children left out of them (movers)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Final

from sqlalchemy import Column, Date, Float, Index, Integer, String, Table, text

from domain.figures import ChildMonth
from domain.figures.tally import COUNTS
from events.schema import code_column, id_column, metadata

FLAGS: Final = (
    "haz_valid",
    "stunted",
    "severely_stunted",
    "whz_valid",
    "wasted",
    "severely_wasted",
    "overweight",
    "waz_valid",
    "underweight",
    "incident",
    "first_measured_stunted",
)

NEW_CASE: Final = "incident = 1 OR first_measured_stunted = 1"  # a month that made a new case

child_spans = Table(
    "proj_child_spans",
    metadata,
    id_column("child_id", primary_key=True),
    Column("seq", Integer, primary_key=True),
    code_column("desa", nullable=False),
    Column("sex", String(1), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),  # exclusive; null while the child lives there
    Index("ix_proj_child_spans_desa", "desa", "starts_on"),
)

child_month_rows = Table(
    "proj_child_months",
    metadata,
    id_column("child_id", primary_key=True),
    Column("month", String(7), primary_key=True),
    code_column("desa", nullable=False),
    code_column("end_desa", nullable=True),
    Column("sex", String(1), nullable=False),
    Column("band", String(5), nullable=False),
    *(Column(name, Integer, nullable=False) for name in (*FLAGS, "flagged")),
    id_column("event_id", nullable=False),
    Column("measured_on", Date, nullable=False),
    Column("haz", Float, nullable=True),
    Index("ix_proj_child_months_month_desa", "month", "desa"),
    # The new cases of an area and period, listed beside its sums.
    Index(
        "ix_proj_child_months_new_cases",
        "month",
        "desa",
        postgresql_where=text(NEW_CASE),
        sqlite_where=text(NEW_CASE),
    ),
)
area_period_sums = Table(
    "proj_area_periods",
    metadata,
    Column("period", String(7), primary_key=True),
    code_column("desa", primary_key=True),
    Column("sex", String(1), primary_key=True),
    Column("band", String(5), primary_key=True),
    *(Column(name, Integer, nullable=False) for name in COUNTS),
)
period_movers = Table(
    "proj_period_movers",
    metadata,
    Column("period", String(7), primary_key=True),
    code_column("desa", primary_key=True),
    id_column("child_id", primary_key=True),
)

COLUMNS: Final = tuple(f.name for f in fields(ChildMonth))


def row_of(month: ChildMonth) -> dict[str, Any]:
    """A month's figures as its row (flags as 0 or 1)."""
    row = {name: getattr(month, name) for name in COLUMNS}
    for name in FLAGS:
        row[name] = int(row[name])
    return row


def month_from_row(row: dict[str, Any]) -> ChildMonth:
    """A stored row as the month's figures (flags as booleans)."""
    for name in FLAGS:
        row[name] = bool(row[name])
    return ChildMonth(**row)
