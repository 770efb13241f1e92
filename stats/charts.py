"""Charts drawn on the server as SVG: readable without JavaScript, printable, and accompanied on
every page by a table of the same numbers for screen readers (the SVG itself is aria-hidden)."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

COLOURS = ("#b31b1b", "#1f5fa8", "#2e7d32", "#8d6e00")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 240, 48, 36, 12


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    step = 10 ** (len(str(int(value))) - 1)
    return ((int(value) // step) + 1) * step


def bar_chart(labels: list[str], series: list[tuple[str, list]]) -> str:
    """Grouped bars, one group per label, one bar per series; a legend when there are several."""
    values = [v or 0 for _name, vs in series for v in vs]
    top = _nice_max(max(values, default=0))
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - BOTTOM - TOP
    group_w = plot_w / max(len(labels), 1)
    bar_w = max(group_w * 0.8 / max(len(series), 1), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="stats-chart" aria-hidden="true" focusable="false">',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 8}" y2="{TOP + plot_h}" '
        'stroke="#666"/>',
    ]
    for tick in range(5):
        value = top * tick / 4
        y = TOP + plot_h - plot_h * tick / 4
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{value:g}</text>"
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - 8}" y2="{y:.1f}" stroke="#eee"/>'
        )
    for i, label in enumerate(labels):
        x0 = LEFT + i * group_w + group_w * 0.1
        for j, (_name, vs) in enumerate(series):
            value = vs[i] or 0
            h = plot_h * value / top
            parts.append(
                f'<rect x="{x0 + j * bar_w:.1f}" y="{TOP + plot_h - h:.1f}" '
                f'width="{bar_w - 1:.1f}" height="{h:.1f}" fill="{COLOURS[j % len(COLOURS)]}"/>'
            )
        if len(labels) <= 12 or i % 2 == 0:
            parts.append(
                f'<text x="{LEFT + (i + 0.5) * group_w:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle" font-size="11">{escape(label)}</text>'
            )
    if len(series) > 1:
        for j, (name, _vs) in enumerate(series):
            x = LEFT + j * 130
            parts.append(
                f'<rect x="{x}" y="{HEIGHT - 12}" width="10" height="10" '
                f'fill="{COLOURS[j % len(COLOURS)]}"/>'
                f'<text x="{x + 14}" y="{HEIGHT - 3}" font-size="11">{escape(name)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above
