"""A child's growth chart as SVG, like the KMS card: WHO -3...+3 SD curves and the child's points.

Axes and title are labelled in Indonesian and English. The curves come from
``domain.growth.standard_curves``; the points are the child's counted (non-voided, corrected)
measurements from the projection.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any, Final, Literal
from xml.sax.saxutils import escape

from fastapi import APIRouter, Query, Response

from api.children.views import ChildId, child_row
from api.identity.access import Principal, Requires
from api.web.deps import ServicesDep
from api.web.kit import PROBLEMS
from domain.growth import Indicator, Sex, standard_curves
from domain.growth.rules import DAYS_PER_MONTH
from events.projections import children as index

router = APIRouter(tags=["children"])
Chart = Literal["hfa", "wfa", "wfh", "bfa"]
_W, _H, _LEFT, _RIGHT, _TOP, _BOTTOM = 820, 520, 70, 20, 50, 60
_LINES: Final = {
    -3: "#000000",
    -2: "#d62728",
    -1: "#ff7f0e",
    0: "#2ca02c",
    1: "#ff7f0e",
    2: "#d62728",
    3: "#000000",
}
_TITLES: Final = {
    "hfa": ("PB/U, TB/U", "Length/height-for-age", "Panjang/tinggi badan / Length/height (cm)"),
    "wfa": ("BB/U", "Weight-for-age", "Berat badan / Weight (kg)"),
    "wfh": ("BB/PB, BB/TB", "Weight-for-length/height", "Berat badan / Weight (kg)"),
    "bfa": ("IMT/U", "BMI-for-age", "IMT / BMI (kg/m²)"),
}
_TWO_YEARS_DAYS: Final = 2 * 365.25
_TABLES: Final = {
    "hfa": Indicator.LHFA,
    "wfa": Indicator.WFA,
    "wfh": Indicator.WFH,
    "bfa": Indicator.BFA,
}


@router.get(
    "/v1/children/{child_id}/growth-chart.svg",
    responses={**PROBLEMS, 200: {"content": {"image/svg+xml": {}}}},
    response_class=Response,
)
def growth_chart(
    child_id: ChildId,
    services: ServicesDep,
    principal: Annotated[Principal, Requires("children:read")],
    indicator: Annotated[Chart, Query()] = "hfa",
) -> Response:
    """The child's growth chart for ``indicator`` (hfa, wfa, wfh, bfa) as SVG."""
    row = child_row(services, principal, child_id)
    with services.engine.connect() as conn:
        history = index.measurements_of(conn, str(child_id))
    counted = [m for m in history if m["state"] != "voided" and m["assessment"] is not None]
    points = [p for m in counted for p in _point(indicator, m)]
    latest: Any = counted[-1]["assessment"] if counted else None
    lying = latest is None or latest["age_days"] < _TWO_YEARS_DAYS
    svg = render(indicator, Sex(str(row["sex"])), points, lying=lying)
    return Response(svg, media_type="image/svg+xml", headers={"ETag": f'"{row["version"]}"'})


def _point(indicator: Chart, row: dict[str, Any]) -> list[tuple[float, float]]:
    values, assessment = row["measurement"], row["assessment"]
    if assessment is None:
        return []
    months = assessment["age_days"] / DAYS_PER_MONTH
    weight, length = values.get("weight_kg"), values.get("length_cm")
    pairs = {
        "hfa": (months, length),
        "wfa": (months, weight),
        "wfh": (length, weight),
        "bfa": (months, None if not weight or not length else weight / (length / 100) ** 2),
    }
    x, y = pairs[indicator]
    return [] if x is None or y is None else [(float(x), float(y))]


def render(
    indicator: Chart, sex: Sex, points: Sequence[tuple[float, float]], *, lying: bool = False
) -> str:
    """The SVG document: curves, the child's points, axes labelled in both languages.

    Weight-for-length (45-110 cm, lying) is drawn for a child under two at its latest
    measurement, weight-for-height (65-120 cm, standing) otherwise, as on WHO's charts.
    """
    table = Indicator.WFL if indicator == "wfh" and lying else _TABLES[indicator]
    curves = standard_curves(table, sex)
    scale = 1.0 if curves.x_unit == "cm" else 1 / DAYS_PER_MONTH
    xs = [float(x) * scale for x in curves.x]
    lines = {k: [float(v) for v in curves.sd[k]] for k in _LINES}
    x_range = (min(xs), max(xs))
    y_range = (min(lines[-3] + [p[1] for p in points]), max(lines[3] + [p[1] for p in points]))
    plot = _Plot(x_range, y_range)
    step = max(1, len(xs) // 300)
    body = [plot.polyline(xs[::step], lines[k][::step], colour) for k, colour in _LINES.items()]
    body += [plot.dot(x, y) for x, y in points if x_range[0] <= x <= x_range[1]]
    return _document(indicator, sex, plot, curves.x_unit, "".join(body))


class _Plot:
    """Maps data coordinates onto the drawing area."""

    def __init__(self, x_range: tuple[float, float], y_range: tuple[float, float]) -> None:
        self.x0, self.x1 = x_range
        pad = (y_range[1] - y_range[0]) * 0.03
        self.y0, self.y1 = y_range[0] - pad, y_range[1] + pad

    def x(self, value: float) -> float:
        return _LEFT + (value - self.x0) / (self.x1 - self.x0) * (_W - _LEFT - _RIGHT)

    def y(self, value: float) -> float:
        return _H - _BOTTOM - (value - self.y0) / (self.y1 - self.y0) * (_H - _TOP - _BOTTOM)

    def polyline(self, xs: Sequence[float], ys: Sequence[float], colour: str) -> str:
        points = " ".join(f"{self.x(x):.1f},{self.y(y):.1f}" for x, y in zip(xs, ys, strict=True))
        return f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{points}"/>'

    def dot(self, x: float, y: float) -> str:
        return f'<circle cx="{self.x(x):.1f}" cy="{self.y(y):.1f}" r="4" fill="#1f77b4"/>'

    def ticks(self, unit: str) -> str:
        every = 6.0 if unit != "cm" else 5.0
        start = every * int(self.x0 / every + 0.999)
        marks, value = [], start
        while value <= self.x1 + 0.05:  # the age tables end at day 1826, 59.99 months
            x = self.x(value)
            marks.append(
                f'<line x1="{x:.1f}" y1="{_H - _BOTTOM}" x2="{x:.1f}" y2="{_H - _BOTTOM + 5}" '
                f'stroke="#333"/><text x="{x:.1f}" y="{_H - _BOTTOM + 20}" '
                f'text-anchor="middle">{value:g}</text>'
            )
            value += every
        step = next(s for s in (0.5, 1, 2, 5, 10, 20, 50) if (self.y1 - self.y0) / s <= 8)
        value = step * math.ceil(self.y0 / step)
        while value <= self.y1:
            marks.append(
                f'<text x="{_LEFT - 8}" y="{self.y(value) + 4:.1f}" '
                f'text-anchor="end">{value:g}</text>'
            )
            value += step
        return "".join(marks)


def _document(indicator: Chart, sex: Sex, plot: _Plot, unit: str, body: str) -> str:
    code, name, y_label = _TITLES[indicator]
    child = "Laki-laki / Boys" if sex is Sex.MALE else "Perempuan / Girls"
    x_label = (
        "Panjang/tinggi badan / Length/height (cm)"
        if unit == "cm"
        else "Umur / Age (bulan / months)"
    )
    title = escape(f"{code} — {name} · {child} · WHO 2006 (-3 … +3 SD)")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" font-family="sans-serif" font-size="12">'
        f'<title>{title}</title><rect width="{_W}" height="{_H}" fill="#ffffff"/>'
        f'<text x="{_W / 2}" y="28" text-anchor="middle" font-size="16">{title}</text>'
        f'<rect x="{_LEFT}" y="{_TOP}" width="{_W - _LEFT - _RIGHT}" '
        f'height="{_H - _TOP - _BOTTOM}" fill="none" stroke="#333"/>'
        f"{body}{plot.ticks(unit)}"
        f'<text x="{(_W + _LEFT) / 2}" y="{_H - 15}" text-anchor="middle">{escape(x_label)}</text>'
        f'<text transform="translate(18 {(_H - _BOTTOM + _TOP) / 2}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_label)}</text></svg>'
    )
