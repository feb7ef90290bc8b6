"""Template filters for the web pages."""

from __future__ import annotations

from litestar.plugins.jinja import JinjaTemplateEngine
from markupsafe import Markup, escape

from irbox import clock


def when(value: str | None) -> Markup:
    """A timestamp to the second for reading; the exact value stays in `<time datetime>` (and
    its tooltip)."""
    if not value:
        return Markup("")
    exact = escape(value)
    shown = escape(clock.readable(value))
    return Markup(f'<time datetime="{exact}" title="{exact}">{shown}</time>')


def register(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters["when"] = when
