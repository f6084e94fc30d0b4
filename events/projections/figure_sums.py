"""The desa-period sums of the area figures and the children left out of them (movers): what
a batch changes in them, counted per month and period, then added to the stored ones."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from functools import cache
from typing import Any, Final

from sqlalchemy import Connection, bindparam, delete

from domain.figures import ChildMonth, ChildProfile
from domain.figures.shares import Share, periods_of, shares
from domain.figures.tally import COUNTS
from events import sql
from events.projections.figure_tables import area_period_sums, month_from_row, period_movers
from events.projections.upsert import insert_for


class Sums:
    """What a batch changes in the desa-period sums and the list of movers."""

    def __init__(self) -> None:
        self.deltas: dict[tuple[str, str, str, str], list[int]] = {}
        self.movers: dict[tuple[str, str, str], int] = defaultdict(int)

    def change(
        self,
        old_profile: ChildProfile | None,
        old_rows: Mapping[str, Mapping[str, Any]],
        profile: ChildProfile,
        new_rows: Mapping[str, ChildMonth | Mapping[str, Any]],
        months: Collection[str],
    ) -> None:
        """Count a child's new shares instead of its old ones: those of the periods of
        ``months`` (the months whose rows changed), or of all if its profile changed."""
        periods: set[str] | None = None
        if old_profile == profile:
            if not months:
                return
            periods = {p for m in months for p in periods_of(m)}
        before = (
            {} if old_profile is None else shares(old_profile, _months(old_rows, periods), periods)
        )
        after = shares(profile, _months(new_rows, periods), periods)
        for period in before.keys() | after.keys():
            was, now = before.get(period), after.get(period)
            if was != now:
                if was is not None:
                    self._count(profile.child_id, period, was, -1)
                if now is not None:
                    self._count(profile.child_id, period, now, 1)

    def add(self, other: Sums) -> None:
        """Take in ``other``'s changes too."""
        for key, delta in other.deltas.items():
            mine = self.deltas.setdefault(key, [0] * len(COUNTS))
            mine[:] = [a + b for a, b in zip(mine, delta, strict=True)]
        for mover, n in other.movers.items():
            self.movers[mover] += n

    def _count(self, child_id: str, period: str, share: Share, sign: int) -> None:
        if share.counts is None:
            for desa in share.desa:
                self.movers[period, desa, child_id] += sign
            return
        key = (period, share.desa[0], share.sex, share.band)
        delta = self.deltas.setdefault(key, [0] * len(COUNTS))
        # A Split's fields, in the order of COUNTS; most are 0 (present, not measured).
        for i, n in enumerate(share.counts.__dict__.values()):
            if n:
                delta[i] += sign * n

    def write(self, conn: Connection) -> None:
        """Add the changes to the stored sums; drop sums left empty; update the movers."""
        changed = {k: d for k, d in self.deltas.items() if any(d)}
        if changed:
            rows = [
                {**dict(zip(_SUM_KEY, key, strict=True)), **dict(zip(COUNTS, delta, strict=True))}
                for key, delta in changed.items()
            ]
            sql.execute_many(conn, _add_sums(conn.dialect.name), rows)
            # A sum whose ``present`` (the first count) fell may have reached no child at all.
            emptied = [dict(zip(_SUM_KEY, k, strict=True)) for k, d in changed.items() if d[0] < 0]
            if emptied:
                sql.execute_many(conn, _DROP_EMPTY_SUM, emptied)
        keys = ("period", "desa", "child_id")
        gone = [dict(zip(keys, k, strict=True)) for k, n in self.movers.items() if n < 0]
        new = [dict(zip(keys, k, strict=True)) for k, n in self.movers.items() if n > 0]
        if gone:
            sql.execute_many(conn, _DROP_MOVER, gone)
        if new:
            sql.execute_many(conn, _INSERT_MOVER, new)


def _months(
    rows: Mapping[str, ChildMonth | Mapping[str, Any]], periods: set[str] | None
) -> list[ChildMonth]:
    """The months (stored rows or computed) that count in ``periods`` (all if None)."""
    return [
        row if isinstance(row, ChildMonth) else month_from_row(dict(row))
        for month, row in rows.items()
        if periods is None or not periods.isdisjoint(periods_of(month))
    ]


_SUM_KEY: Final = ("period", "desa", "sex", "band")


@cache
def _add_sums(dialect: str) -> Any:
    """INSERT the sums, or where the key exists add them to the stored ones."""
    statement = insert_for(dialect, area_period_sums)
    c = area_period_sums.c
    return statement.on_conflict_do_update(
        index_elements=list(_SUM_KEY),
        set_={name: c[name] + statement.excluded[name] for name in COUNTS},
    )


_DROP_EMPTY_SUM = delete(area_period_sums).where(
    *(area_period_sums.c[k] == bindparam(k) for k in _SUM_KEY), area_period_sums.c.present == 0
)
_DROP_MOVER = delete(period_movers).where(
    *(period_movers.c[k] == bindparam(k) for k in ("period", "desa", "child_id"))
)
_INSERT_MOVER = period_movers.insert()
