"""Small server-side SVG charts for the dashboard (no chart library, no script).

Each chart is a `<figure>` named for what it counts: the drawing is for the eye (hidden from
screen readers, its links out of the tab order) and a table of the same figures, behind a
disclosure, is for everyone else, with the same links."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from markupsafe import Markup, escape

from irbox.dashboard.figures import DailyVolume

COLOURS = {
    "info": "#4a5568",
    "low": "#2d6a4f",
    "medium": "#9a6b00",
    "high": "#b4461b",
    "critical": "#9b1c1c",
}  # fmt: skip  (least to most severe: bars stack in this order)


LABEL_CHARS = 30  # what fits left of the bars at the chart's font size


def bars(
    name: str, items: list[tuple[str, int, str | None]], width: int = 520, bar_h: int = 18
) -> Markup:
    """Horizontal bars, one per (label, value, link or None); a linked bar opens what it
    counts (the alert queue filtered, an observable's page)."""
    if not items:
        return Markup('<p class="empty">No data in this window.</p>')
    top = max(v for _, v, _ in items) or 1
    height = len(items) * (bar_h + 6)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
             ' aria-hidden="true" focusable="false">']  # fmt: skip
    for i, (label, value, link) in enumerate(items):
        y = i * (bar_h + 6)
        w = max(2, int((width - 220) * value / top))
        shown = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        bar = (
            f"<title>{escape(label)}: {value}</title>"
            f'<text x="0" y="{y + 13}" class="label">{escape(shown)}</text>'
            f'<rect x="200" y="{y}" width="{w}" height="{bar_h}" class="bar"></rect>'
            f'<text x="{205 + w}" y="{y + 13}" class="value">{value}</text>'
        )
        parts.append(
            f'<a href="{escape(link)}" tabindex="-1">{bar}</a>' if link else f"<g>{bar}</g>"
        )
    parts.append("</svg>")
    rows = [
        (
            Markup(f'<a href="{escape(link)}">{escape(label)}</a>') if link else escape(label),
            [value],
        )
        for label, value, link in items
    ]
    return _figure(name, Markup("".join(parts)), ["", "count"], rows)


def stacked_days(
    name: str, volume: list[DailyVolume], since: str, width: int = 640, height: int = 160
) -> Markup:
    """Alerts per day, stacked by severity; every day of the window has its place, so a quiet
    day shows as the gap it is."""
    per_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for v in volume:
        per_day[v.day][v.severity] += v.alerts
    if not per_day:
        return Markup('<p class="empty">No alerts in this window.</p>')
    days = _every_day(since[:10], max(max(per_day), datetime.now(UTC).date().isoformat()))
    top = max(sum(d.values()) for d in per_day.values()) or 1
    slot = width / len(days)
    bar_w = min(40.0, max(1.0, slot - 4))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height + 40}" width="{width}"'
             f' height="{height + 40}" aria-hidden="true" focusable="false">']  # fmt: skip
    for i, day in enumerate(days):
        y: float = height
        for severity in COLOURS:
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
    for i, severity in enumerate(reversed(COLOURS)):  # the legend: critical first
        x = i * 90
        parts.append(
            f'<rect x="{x}" y="{height + 26}" width="10" height="10" fill="{COLOURS[severity]}">'
            f'</rect><text x="{x + 14}" y="{height + 35}" class="label">{severity}</text>'
        )
    parts.append("</svg>")
    severities = list(reversed(COLOURS))
    rows = [
        (escape(day), [per_day[day].get(s, 0) for s in severities])
        for day in days
        if day in per_day
    ]
    return _figure(name, Markup("".join(parts)), ["day", *severities], rows)


def _figure(
    name: str, drawing: Markup, header: list[str], rows: list[tuple[Markup, list[int]]]
) -> Markup:
    """The drawing and, behind a disclosure, a table of its figures; `header[0]` heads the
    label column (empty: the figure's name says what the labels are)."""
    head = "".join(
        f'<th scope="col"{" class=num" if i else ""}>{escape(h) or escape(name)}</th>'
        for i, h in enumerate(header)
    )
    body = "".join(
        f'<tr><th scope="row">{label}</th>'
        + "".join(f'<td class="num">{v}</td>' for v in values)
        + "</tr>"
        for label, values in rows
    )
    return Markup(
        f'<figure class="chart" aria-label="{escape(name)}">{drawing}'
        f'<details class="figures"><summary>Table of these figures</summary>'
        f'<table class="queue"><caption class="visually-hidden">{escape(name)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details></figure>"
    )


def _every_day(first: str, last: str) -> list[str]:
    """`YYYY-MM-DD` from `first` to `last`, both included."""
    day, end = date.fromisoformat(first), date.fromisoformat(last)
    days = []
    while day <= end:
        days.append(day.isoformat())
        day += timedelta(days=1)
    return days
