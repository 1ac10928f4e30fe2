"""Small charts drawn on the server as SVG: no scripts, no external libraries, CSP-safe.

Sizes are SVG attributes and colours are CSS classes (static/beheer.css), never style
attributes. Each chart carries a text alternative; pages also show the numbers in a table.
"""

from __future__ import annotations

from markupsafe import Markup, escape

BAR_HEIGHT = 120  # the tallest bar
BAR_WIDTH = 36
GAP = 8
TOP = 16  # room above a bar for its count
BOTTOM = 20  # room below the axis for the date


def bar_chart(points: list[tuple[str, int]], label: str) -> Markup:
    """Vertical bars, one per point, each with its count above and its name (a short date)
    below; `label` is the chart's accessible name."""
    if not points:
        return Markup("")
    top = max(value for _, value in points) or 1
    width = len(points) * (BAR_WIDTH + GAP)
    axis = TOP + BAR_HEIGHT
    parts = []
    for index, (name, value) in enumerate(points):
        height = round(BAR_HEIGHT * value / top)
        x = index * (BAR_WIDTH + GAP)
        middle = x + BAR_WIDTH / 2
        parts.append(
            f'<rect class="chart-bar" x="{x}" y="{axis - height}" width="{BAR_WIDTH}" '
            f'height="{height}"><title>{escape(name)}: {value}</title></rect>'
            f'<text class="chart-count" x="{middle}" y="{axis - height - 4}" '
            f'text-anchor="middle">{value}</text>'
            f'<text class="chart-date" x="{middle}" y="{axis + 14}" '
            f'text-anchor="middle">{escape(name)}</text>')
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {width} {axis + BOTTOM}" width="{width}" height="{axis + BOTTOM}">'
        f'<line class="chart-axis" x1="0" y1="{axis}" x2="{width}" y2="{axis}"/>'
        + "".join(parts) + "</svg>")


def capacity_bar(taken: int, capacity: int | None, label: str) -> Markup:
    """How full a meeting is, as a 100-unit wide bar; no bar when there is no limit."""
    if not capacity:
        return Markup("")
    share = min(100, round(100 * taken / capacity))
    state = "full" if taken >= capacity else "high" if share >= 80 else "ok"
    return Markup(
        f'<svg class="capacity capacity-{state}" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 100 10" preserveAspectRatio="none">'
        f'<rect class="capacity-track" x="0" y="0" width="100" height="10"/>'
        f'<rect class="capacity-fill" x="0" y="0" width="{share}" height="10"/></svg>')
