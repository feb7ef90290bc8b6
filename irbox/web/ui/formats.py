"""Template filters for the web pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec
from litestar.plugins.jinja import JinjaTemplateEngine
from markupsafe import Markup, escape

from irbox import clock
from irbox.cases.custom_fields import shown_value
from irbox.identity.users import User
from irbox.sla.targets import Sla


def when(value: str | None) -> Markup:
    """A timestamp to the second for reading; the exact value stays in `<time datetime>` (and
    its tooltip)."""
    if not value:
        return Markup("")
    exact = escape(value)
    shown = escape(clock.readable(value))
    return Markup(f'<time datetime="{exact}" title="{exact}">{shown}</time>')


# (unit, its seconds, shown from this many seconds): days only from two ("30 h", not "1.3 d")
_UNITS = (("d", 86_400, 172_800), ("h", 3_600, 3_600), ("min", 60, 60), ("s", 1, 0))


def duration(seconds: float | None) -> str:
    """A span for reading: `0.02 s`, `4.5 s`, `42 s`, `12 min`, `5.2 h`, `3.1 d`."""
    if seconds is None:
        return "—"
    if seconds < 0.01:
        return "< 0.01 s"
    unit, size = next((u, n) for u, n, start in _UNITS if seconds >= start)
    value = seconds / size
    if value < 1:
        return f"{value:.2f} {unit}"
    whole = round(value, 1) >= 10 or unit == "min"
    return f"{value:.0f} {unit}" if whole else f"{value:.1f} {unit}"


def age(value: str | None) -> Markup:
    """How long ago a timestamp was (`12 min`), the exact time in its tooltip."""
    if not value:
        return Markup("")
    seconds = max(0.0, (clock.now_us() - clock.parse_rfc3339(value)) / 1_000_000)
    exact = escape(value)
    return Markup(f'<time datetime="{exact}" title="{exact}">{escape(duration(seconds))}</time>')


def due(sla: Sla | None) -> Markup:
    """An SLA as a glance: `late`, or how long is left (`due in 40 min`); the time in its
    tooltip. Nothing without a target."""
    if sla is None:
        return Markup("")
    exact = escape(sla.due_at)
    if sla.breached:
        return Markup(f'<span class="badge late" title="was due {exact}">SLA late</span>')
    seconds = max(0.0, (clock.parse_rfc3339(sla.due_at) - clock.now_us()) / 1_000_000)
    left = escape(duration(seconds))
    return Markup(
        f'<time class="hint due" datetime="{exact}" title="due {exact}">due in {left}</time>'
    )


def names_of(users: Iterable[User]) -> dict[str, str]:
    """How pages show a user id: the name, or the email when there is none."""
    return {u.id: u.name or u.email for u in users}


_DETAILS_CHARS = 160


def details(data: dict[str, Any] | None) -> str:
    """An audit entry's data on one line: `role: viewer · disabled: 1`."""
    if not data:
        return ""
    shown = " · ".join(
        f"{key}: {value if isinstance(value, str) else msgspec.json.encode(value).decode()}"
        for key, value in data.items()
    )
    return shown if len(shown) <= _DETAILS_CHARS else shown[: _DETAILS_CHARS - 1] + "…"


STATUS_WORDS = {"triage": "In triage", "escalated": "Escalated", "dismissed": "Dismissed",
                "open": "Open", "in_progress": "In progress", "resolved": "Resolved",
                "merged": "Merged"}  # fmt: skip


def status(value: str) -> str:
    """An alert's or a case's status as people say it: `in_progress` -> `In progress`."""
    return STATUS_WORDS.get(value, value.replace("_", " "))


def register(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters["status"] = status
    engine.engine.filters["field_value"] = shown_value
    engine.engine.filters["due"] = due
    engine.engine.filters["when"] = when
    engine.engine.filters["duration"] = duration
    engine.engine.filters["age"] = age
    engine.engine.filters["details"] = details
