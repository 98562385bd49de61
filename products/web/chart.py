"""The stock chart drawn on the server: a series becomes SVG paths, marks, ticks and a summary in words.

No script and no inline style (the CSP allows neither): shapes carry classes that static/css/history.css
colours. A period with more steps than the plot has pixel columns is drawn as each column's low, high
and last level, so the path stays small whatever the product's history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateformat import format as date_format

from products.read.queries import StockSeries
from products.read.tables import MovementKind

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 52, 712, 14, 208
MAX_MARKS = 300
RANGES = {"90d": ("Last 90 days", timedelta(days=90)), "all": ("All time", None)}
DEFAULT_RANGE = "90d"


@dataclass
class Chart:
    """What the template draws; coordinates are in the SVG's viewBox."""

    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP
    bottom: int = BOTTOM
    stock_path: str = ""
    reorder_path: str = ""
    marks: list = field(default_factory=list)
    x_ticks: list = field(default_factory=list)
    y_ticks: list = field(default_factory=list)
    summary: str = ""
    marks_left_out: bool = False


def _nice_ceiling(value: int) -> int:
    """1, 2 or 5 times a power of ten, at least `value` (a readable top for the axis)."""
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude >= value:
                return step * magnitude
        magnitude *= 10


def draw(series: StockSeries) -> Chart:
    since, until = series.since, series.until
    span = max((until - since).total_seconds(), 1.0)
    highest = max(
        series.start_on_hand,
        series.start_reorder_level,
        *(s[1] for s in series.steps),
        *(r[1] for r in series.reorder_steps),
    )
    top_value = _nice_ceiling(max(1, highest + highest // 10))
    plot_width, plot_height = RIGHT - LEFT, BOTTOM - TOP

    def x(moment: datetime) -> float:
        return round(LEFT + plot_width * (moment - since).total_seconds() / span, 1)

    def y(value: int) -> float:
        return round(BOTTOM - plot_height * value / top_value, 1)

    chart = Chart()
    chart.stock_path = _step_path(series.start_on_hand, [(s[0], s[1]) for s in series.steps], x, y, until)
    chart.reorder_path = _step_path(series.start_reorder_level, series.reorder_steps, x, y, until)
    moves = [s for s in series.steps if s[3] in (MovementKind.RECEIVED, MovementKind.ISSUED)]
    chart.marks_left_out = len(moves) > MAX_MARKS
    if not chart.marks_left_out:
        chart.marks = [(x(when), y(after), kind, change) for when, after, change, kind in moves]
    chart.y_ticks = [(y(value), f"{value:,}") for value in (0, top_value // 2, top_value)]
    chart.x_ticks = _time_ticks(since, until, x)
    chart.summary = _summary(series)
    return chart


def _step_path(start: int, steps, x, y, until: datetime) -> str:
    """A step line: level held until the next change; many changes in one pixel column become its low/high/last."""
    parts = [f"M{LEFT},{y(start)}"]
    column, low, high, last = None, None, None, start
    for when, value in steps:
        at = round(x(when))
        if at != column:
            if column is not None:
                parts.append(_column(column, low, high, last, y))
            parts.append(f"H{at}")
            column, low, high = at, value, value
        low, high, last = min(low, value), max(high, value), value
    if column is not None:
        parts.append(_column(column, low, high, last, y))
    parts.append(f"H{x(until)}")
    return "".join(parts)


def _column(column, low, high, last, y) -> str:
    if low == high:
        return f"V{y(last)}"
    return f"V{y(high)}V{y(low)}V{y(last)}"


def _time_ticks(since: datetime, until: datetime, x) -> list:
    short = until - since <= timedelta(days=2)
    pattern = "H:i" if short else "j M"
    count = 5
    ticks = []
    for index in range(count + 1):
        moment = since + (until - since) * index / count
        ticks.append((x(moment), date_format(timezone.localtime(moment), pattern)))
    return ticks


def _summary(series: StockSeries) -> str:
    """The chart in words, for screen readers and as its caption."""
    levels = [series.start_on_hand, *(s[1] for s in series.steps)]
    end = levels[-1]
    low = min(levels)
    when = lambda moment: date_format(timezone.localtime(moment), "j M Y")  # noqa: E731
    text = (
        f"From {when(series.since)} to {when(series.until)}: on hand went from {series.start_on_hand:,} "
        f"to {end:,} (lowest {low:,}, highest {max(levels):,}); {series.receipts:,} receipts and "
        f"{series.issues:,} issues"
    )
    levels_then = [series.start_reorder_level, *(r[1] for r in series.reorder_steps)]
    reorder = f"reorder level {levels_then[-1]:,}" if len(set(levels_then)) == 1 else "reorder level changed"
    shortened = " (only the first part of a very long history is drawn)" if series.truncated else ""
    return f"{text}; {reorder}.{shortened}"
