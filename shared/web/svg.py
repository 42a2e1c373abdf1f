"""Tiny server-side charts as inline SVG (no JavaScript, no chart library). Each chart has a title and a
description for screen readers (role="img"); pages also show the numbers as a table."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

# Colour-blind-safe series colours (Okabe–Ito), all at least 3:1 against white.
SERIES_COLOURS = ("#17453b", "#d55e00", "#0072b2", "#8a6d00", "#cc79a7", "#4a4a4a")


def _frame(width: int, height: int, title: str, description: str, body: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>{body}</svg>"
    )


def bar_chart(
    bars: Sequence[tuple[str, int]], *, title: str, description: str = "", width: int = 640, height: int = 240
) -> Markup:
    """Vertical bars, one per (label, value), e.g. a histogram of waiting time."""
    left, bottom, top = 36, 40, 14
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max([value for _, value in bars] + [1])
    step = plot_w / max(len(bars), 1)
    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" stroke="#6b6b6b"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11" fill="#4a4a4a">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="11" fill="#4a4a4a">0</text>',
    ]
    for i, (label, value) in enumerate(bars):
        h = plot_h * value / peak
        x = left + i * step + step * 0.12
        parts.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{step * 0.76:.1f}" height="{h:.1f}" '
            f'fill="{SERIES_COLOURS[0]}"><title>{escape(label)}: {value}</title></rect>'
        )
        if value:
            parts.append(
                f'<text x="{x + step * 0.38:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" '
                f'font-size="11" fill="#1f1f1f">{value}</text>'
            )
        parts.append(
            f'<text x="{x + step * 0.38:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="11" '
            f'fill="#1f1f1f">{escape(label)}</text>'
        )
    return _frame(width, height, title, description, "".join(parts))


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    description: str = "",
    width: int = 640,
    height: int = 260,
) -> Markup:
    """One line per (name, values over x_labels), with a legend: e.g. groups per municipality per month."""
    left, bottom, top, legend_h = 36, 40, 14, 18 * ((len(series) + 2) // 3)
    plot_w, plot_h = width - left - 12, height - bottom - top - legend_h
    peak = max([v for _, values in series for v in values] + [1])
    step = plot_w / max(len(x_labels) - 1, 1)

    def point(i: int, v: int) -> tuple[float, float]:
        return left + i * step, top + plot_h - plot_h * v / peak

    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 12}" y2="{top + plot_h}" stroke="#6b6b6b"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="11" fill="#4a4a4a">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="11" fill="#4a4a4a">0</text>',
    ]
    for i, label in enumerate(x_labels):
        x, _ = point(i, 0)
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="11" '
            f'fill="#1f1f1f">{escape(label)}</text>'
        )
    for n, (name, values) in enumerate(series):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        points = [point(i, v) for i, v in enumerate(values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for (x, y), v, label in zip(points, values, x_labels, strict=False):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(name)}, {escape(label)}: {v}</title></circle>"
            )
        lx, ly = left + (n % 3) * (plot_w / 3), height - legend_h + 18 * (n // 3) + 4
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly:.1f}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 16:.1f}" y="{ly + 11:.1f}" font-size="12" fill="#1f1f1f">{escape(name)}</text>'
        )
    return _frame(width, height, title, description, "".join(parts))
