"""axe-core, the maintained accessibility engine, over a page as a browser test left it: the
WCAG 2.0/2.1 A and AA rules and axe's best practices (landmarks, table headers), in the light
and the dark theme (the page follows the system's
`prefers-color-scheme`), failing with every violating element named."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

AXE_RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
THEMES = ("light", "dark")
_AXE = Axe()


def violations(page: Page) -> list[str]:
    """One line per violating element: rule, impact, what it asks, where."""
    found: list[dict[str, Any]] = _AXE.run(page, options=AXE_RULES).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(node['target'])}: "
        f"{node.get('failureSummary', '').replace(chr(10), ' ')}"
        for v in found
        for node in v["nodes"]
    ]


UNLABELLED = """() => Array.from(document.querySelectorAll(
    "input:not([type=hidden]):not([hidden]), select, textarea"))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                && !el.getAttribute("aria-labelledby"))
  .map(el => el.outerHTML.slice(0, 160))"""


def unlabelled(page: Page) -> list[str]:
    """Form controls named by nothing but a placeholder or a title: axe accepts those, people
    using speech input or a screen reader lose the name once they type."""
    found: list[str] = page.evaluate(UNLABELLED)
    return found


def assert_accessible(page: Page, state: str, themes: tuple[str, ...] = THEMES) -> None:
    """No violation in `state` (a name for the failure message) in each of `themes`."""
    found = [f"[{state}] control without a label: {html}" for html in unlabelled(page)]
    for theme in themes:
        page.emulate_media(color_scheme=theme)  # type: ignore[arg-type]
        found += [f"[{state}, {theme}] {line}" for line in violations(page)]
    page.emulate_media(color_scheme="light")
    assert not found, "\n".join(found)
