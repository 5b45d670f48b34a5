"""Geometry for small server-rendered SVG charts (the templates draw them; CSS colours
them through classes: no script, no inline style)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date


@dataclass
class Bar:
    day: date
    total: int
    part: int
    x: float
    width: float
    total_y: float
    total_height: float
    part_y: float
    part_height: float
    label_x: float
    show_label: bool


@dataclass
class GridLine:
    y: float
    value: int


@dataclass
class Chart:
    width: int
    height: int
    left: int
    right: int
    baseline: float
    label_y: float
    bars: list[Bar]
    grid: list[GridLine]


def nice_step(maximum: float, lines: int = 4) -> int:
    """A round step (1, 2 or 5 × 10ⁿ) that splits ``maximum`` into at most ``lines``."""
    if maximum <= 0:
        return 1
    raw = maximum / lines
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * magnitude >= raw:
            return max(1, int(m * magnitude))
    return max(1, int(10 * magnitude))  # pragma: no cover


def part_of_total_chart(
    points: list[tuple[date, int, int]],
    *,
    width: int = 480,
    height: int = 220,
    label_every: int = 1,
) -> Chart:
    """One bar per day: ``total`` as the full bar, ``part`` (<= total) drawn inside it."""
    left, right, top, bottom = 36, 22, 12, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    baseline = top + plot_h
    peak = max((max(t, p) for _d, t, p in points), default=0)
    step = nice_step(peak)
    ceiling = step * max(1, math.ceil(peak / step))
    scale = plot_h / ceiling
    slot = plot_w / max(1, len(points))
    bar_w = max(2.0, slot * 0.7)
    bars = []
    for i, (day, total, part) in enumerate(points):
        x = left + i * slot + (slot - bar_w) / 2
        th, ph = total * scale, min(part, total) * scale
        bars.append(
            Bar(
                day=day,
                total=total,
                part=part,
                x=round(x, 1),
                width=round(bar_w, 1),
                total_y=round(baseline - th, 1),
                total_height=round(th, 1),
                part_y=round(baseline - ph, 1),
                part_height=round(ph, 1),
                label_x=round(x + bar_w / 2, 1),
                show_label=(len(points) - 1 - i) % label_every == 0,
            )
        )
    grid = [
        GridLine(y=round(baseline - v * scale, 1), value=v) for v in range(0, ceiling + 1, step)
    ]
    return Chart(
        width=width,
        height=height,
        left=left,
        right=width - right,
        baseline=baseline,
        label_y=height - 8,
        bars=bars,
        grid=grid,
    )
