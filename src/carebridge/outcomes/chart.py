"""The person's PHQ-9 and GAD-7 chart, laid out here and drawn by templates/staff/outcomes/chart.html as inline SVG:
no JavaScript, no library. One y axis (0 to 27, PHQ-9's range; GAD-7's 0 to 21 fits in it), the band thresholds
(5, 10, 15, 20: the same numbers for both instruments) as light reference lines, dates on the x axis.

The two lines differ by more than colour (high contrast, forced colours, print): PHQ-9 is a solid line with round
markers, GAD-7 a dashed line with square markers; both are drawn in `currentColor`. The chart stays left to right in
a right-to-left page (time runs that way on a chart); the table after it follows the page's direction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carebridge.kit import clock
from carebridge.outcomes.measures import MEASURES
from carebridge.outcomes.service import Series

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 64
Y_MAXIMUM = max(measure.maximum for measure in MEASURES.values())
STYLES = {"phq-9": {"dash": "", "marker": "circle"}, "gad-7": {"dash": "6 4", "marker": "square"}}
TICKS = 5


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    total: int
    day: str


@dataclass(frozen=True)
class Line:
    instrument: str
    title: str
    dash: str
    marker: str
    points: list[Point]

    @property
    def path(self) -> str:
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / Y_MAXIMUM)


def layout(series: list[Series], timezone: str | None) -> dict | None:
    """Coordinates for the template; None when there is no score to draw."""
    zone = clock.zone(timezone) if timezone else dt.UTC
    days = [score.completed_at.astimezone(zone).date() for item in series for score in item.scores]
    if not days:
        return None
    first, last = min(days), max(days)
    if first == last:
        first, last = first - dt.timedelta(days=14), last + dt.timedelta(days=14)
    span = (last - first).days
    plot_width = WIDTH - LEFT - RIGHT

    def x(day: dt.date) -> float:
        return LEFT + plot_width * (day - first).days / span

    lines = []
    for item in series:
        if not item.scores:
            continue
        points = []
        for score in item.scores:
            day = score.completed_at.astimezone(zone).date()
            points.append(Point(x(day), _y(score.total), score.total, day.isoformat()))
        style = STYLES[item.instrument]
        lines.append(Line(item.instrument, MEASURES[item.instrument].title, style["dash"], style["marker"], points))
    ticks = []
    for index in range(TICKS):
        day = first + dt.timedelta(days=round(span * index / (TICKS - 1)))
        ticks.append({"x": x(day), "label": day.isoformat()})
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "y_ticks": [{"y": _y(value), "label": value} for value in range(0, Y_MAXIMUM + 1, 5)],
        "references": [{"y": _y(value), "value": value} for value in (5, 10, 15, 20)],
        "x_ticks": ticks,
        "lines": lines,
        "first_day": min(days).isoformat(),
        "last_day": max(days).isoformat(),
    }
