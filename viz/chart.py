"""A small bar chart (a series of yearly figures) as geometry for an inline SVG: no chart library, no script.

The template draws rectangles and text from these numbers; Jinja escapes every text. Rendering only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from chainkg.graph.entity import Series

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 18, 40


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    year: int
    value_text: str
    actual: bool
    note: str  # the status and period when the figure is not an actual full-year one
    year_text: str = ""  # "2023?" when the year is inferred


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    zero_y: float
    left: int
    right: int


def nice_step(span: float, ticks: int = 4) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) that cuts `span` into about `ticks` parts.

    >>> nice_step(1000), nice_step(124.2), nice_step(0.9)
    (250.0, 50.0, 0.25)
    """
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)


def bar_chart(series: Series) -> BarChart:
    """Bars for each year of a series, scaled to the chart, with a zero line and round ticks.

    >>> from chainkg.graph.entity import Link, Point
    >>> from chainkg.graph.labels import Label
    >>> s = Series(Link("m", Label("营业收入")), None, (Point(2020, 55.0, "55", None, None, True, True),
    ...                                             Point(2023, 100.0, "100", None, None, True, True)))
    >>> chart = bar_chart(s)
    >>> [b.year for b in chart.bars], chart.bars[1].height > chart.bars[0].height, chart.ticks[-1].text
    ([2020, 2023], True, '100')
    """
    values = [p.value for p in series.points]
    low, high = min(0.0, *values), max(0.0, *values)
    step = nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step or step
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT

    def y_of(value: float) -> float:
        return TOP + (high - value) / (high - low) * plot_height

    slot = plot_width / len(series.points)
    bar_width = min(56.0, slot * 0.6)
    bars = []
    for index, point in enumerate(series.points):
        top, bottom = sorted((y_of(point.value), y_of(0.0)))
        note = "" if point.actual and point.full_year else " · ".join(
            label.zh for label in (point.status, point.period) if label is not None)
        bars.append(Bar(round(LEFT + slot * index + (slot - bar_width) / 2, 1), round(top, 1), round(bar_width, 1),
                        round(max(bottom - top, 1.0), 1), point.year, point.value_text, point.actual, note,
                        point.year_text or str(point.year)))
    ticks = []
    value = low
    while value <= high + step / 2:
        ticks.append(Tick(round(y_of(value), 1), _tick_text(value)))
        value += step
    return BarChart(WIDTH, HEIGHT, tuple(bars), tuple(ticks), round(y_of(0.0), 1), LEFT, WIDTH - RIGHT)


def _tick_text(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
