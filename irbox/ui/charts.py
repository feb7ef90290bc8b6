"""Small server-side SVG charts for the dashboard (no chart library, no script)."""

from __future__ import annotations

from collections import defaultdict

from markupsafe import Markup, escape

COLOURS = {"critical": "#9b1c1c", "high": "#b4461b", "medium": "#9a6b00", "low": "#2d6a4f",
           "info": "#4a5568"}  # fmt: skip


def bars(items: list[tuple[str, int]], width: int = 520, bar_h: int = 18) -> Markup:
    """Horizontal bars, one per (label, value)."""
    if not items:
        return Markup('<p class="empty">No data in this window.</p>')
    top = max(v for _, v in items) or 1
    height = len(items) * (bar_h + 6)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
             ' role="img">']  # fmt: skip
    for i, (label, value) in enumerate(items):
        y = i * (bar_h + 6)
        w = max(2, int((width - 220) * value / top))
        parts.append(
            f'<text x="0" y="{y + 13}" class="label">{escape(label[:32])}</text>'
            f'<rect x="200" y="{y}" width="{w}" height="{bar_h}" fill="#27466e"></rect>'
            f'<text x="{205 + w}" y="{y + 13}" class="value">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_days(volume: list, width: int = 640, height: int = 160) -> Markup:
    """Alerts per day, stacked by severity."""
    per_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for v in volume:
        per_day[v.day][v.severity] += v.alerts
    if not per_day:
        return Markup('<p class="empty">No alerts in this window.</p>')
    days = sorted(per_day)
    top = max(sum(d.values()) for d in per_day.values()) or 1
    slot = width / len(days)
    bar_w = min(40.0, max(1.0, slot - 4))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height + 20}" width="{width}"'
             f' height="{height + 20}" role="img">']  # fmt: skip
    for i, day in enumerate(days):
        y = height
        for severity in ("info", "low", "medium", "high", "critical"):
            n = per_day[day].get(severity, 0)
            if not n:
                continue
            h = height * n / top
            y -= h
            parts.append(
                f'<rect x="{i * slot + 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}"'
                f' height="{h:.1f}" fill="{COLOURS[severity]}"><title>{escape(day)}'
                f" {severity}: {n}</title></rect>"
            )
        if len(days) <= 14 or i % max(1, len(days) // 7) == 0:
            parts.append(f'<text x="{i * slot + 2:.1f}" y="{height + 14}" class="label">'
                         f"{escape(day[5:])}</text>")  # fmt: skip
    parts.append("</svg>")
    return Markup("".join(parts))
