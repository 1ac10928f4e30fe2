"""Small charts drawn on the server as SVG: no scripts, no external libraries, CSP-safe.

Sizes are SVG attributes and colours are CSS classes (static/beheer.css), never style
attributes. Each chart carries a text alternative; pages also show the numbers in a table.
"""

from __future__ import annotations

from markupsafe import Markup, escape

BAR_HEIGHT = 120
BAR_WIDTH = 14
GAP = 4


def bar_chart(points: list[tuple[str, int]], label: str) -> Markup:
    """Vertical bars, one per point; `label` is the chart's accessible name."""
    if not points:
        return Markup("")
    top = max(value for _, value in points) or 1
    width = len(points) * (BAR_WIDTH + GAP)
    bars = []
    for index, (name, value) in enumerate(points):
        height = round(BAR_HEIGHT * value / top)
        x = index * (BAR_WIDTH + GAP)
        bars.append(
            f'<rect class="chart-bar" x="{x}" y="{BAR_HEIGHT - height}" width="{BAR_WIDTH}" '
            f'height="{height}"><title>{escape(name)}: {value}</title></rect>')
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {width} {BAR_HEIGHT}" width="{width}" height="{BAR_HEIGHT}" '
        f'preserveAspectRatio="none">'
        f'<line class="chart-axis" x1="0" y1="{BAR_HEIGHT}" x2="{width}" y2="{BAR_HEIGHT}"/>'
        + "".join(bars) + "</svg>")


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
