"""Render a resolved case into the incident report (HTML and Markdown) with Jinja templates.

The HTML has inline CSS only and no external resource: it opens air-gapped and prints to PDF
from the browser (`@page` rules). User text is escaped; markdown fields are rendered through the
same sanitising renderer as comments."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import jinja2
from markupsafe import Markup

from irbox import clock, markdown_html
from irbox.cases.custom_fields import shown_value
from irbox.cases.models import Case, TimelineEvent
from irbox.observables.normalize import defang

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("irbox.reports", "templates"),
    autoescape=jinja2.select_autoescape(["html", "html.j2"], default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
_env.filters["markdown"] = lambda text: Markup(markdown_html.render(text or ""))
_env.filters["safe_html"] = Markup  # only for HTML that was sanitised when it was stored


# A link's target where Markdown takes one: `](target` or a reference definition
# `[label]: target`, its scheme and colon (a backslash-escaped colon counts: renderers unescape it).
_LINK_TARGET = re.compile(
    r"(\]\(\s*|^[ \t]{0,3}\[[^\]\n]*\]:[ \t]*)([A-Za-z][A-Za-z0-9+.\-]*)(?=\\?:)", re.M
)
_LINK_SCHEMES = ("http", "https", "mailto")


def _neutral_target(match: re.Match[str]) -> str:
    """`javascript:…` (any scheme but http, https and mailto) becomes `#javascript:…`: a
    fragment of the same page, which runs and opens nothing wherever the report is rendered."""
    lead, scheme = match.group(1), match.group(2)
    return match.group(0) if scheme.lower() in _LINK_SCHEMES else f"{lead}#{scheme}"


def _md_text(value: object) -> str:
    """User text in the Markdown report: no raw HTML may survive a later markdown render (an
    autolink `<javascript:…>` is escaped with it), and no link may point at a script."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _LINK_TARGET.sub(_neutral_target, text)


def _md_cell(value: object) -> str:
    return _md_text(value).replace("|", "\\|").replace("\n", " ")


_env.filters["md"] = _md_text
_env.filters["when"] = clock.readable
_env.filters["cell"] = _md_cell
_env.filters["field_value"] = shown_value


def render(
    case: Case,
    people: dict[str, str],
    product_url: str,
    labels: dict[str, str] | None = None,
    defanged: bool = False,
) -> tuple[str, str]:
    """Returns (html, markdown). `labels`: custom fields' labels by key; `defanged`: show
    observable values defanged (`hxxps://evil[.]example`)."""
    context = {"case": case, "people": people, "product_url": product_url,
               "labels": labels or {},
               "shown": (lambda o: defang(o.type, o.value)) if defanged else (lambda o: o.value),
               "told": (lambda e: _defanged_summary(e)) if defanged else (lambda e: e.summary),
               }  # fmt: skip
    html = _env.get_template("report.html.j2").render(context)
    markdown = _env.get_template("report.md.j2").render(context)
    return html, markdown


def _defanged_summary(event: TimelineEvent) -> str:
    """A timeline entry naming an observable (added, removed), its value defanged."""
    kind, value = event.data.get("type"), event.data.get("value")
    if isinstance(kind, str) and isinstance(value, str) and value:
        return event.summary.replace(value, defang(kind, value))
    return event.summary


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".report-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
