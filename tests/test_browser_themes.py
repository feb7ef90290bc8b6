"""Dark and light: pages follow the system's `prefers-color-scheme` unless the user picked a
theme in Settings; the j/k selection stands out at 3:1 or more in both; the report stays light
for printing. Screenshots of both themes go to tests/artifacts (the README shows them)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page

from tests.browser import ARTIFACTS, sign_in
from tests.harness import Server, alert

BACKGROUND = """() => {
  const body = getComputedStyle(document.body).backgroundColor;
  return body === "rgba(0, 0, 0, 0)" ? getComputedStyle(document.documentElement).backgroundColor
                                     : body;
}"""


def _luminance(css: str) -> float:
    """WCAG relative luminance of an `rgb(r, g, b)` colour."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", css)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _dark(page: Page) -> bool:
    return _luminance(page.evaluate(BACKGROUND)) < 0.05


def test_the_system_theme_and_the_users_choice(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        for n, severity in enumerate(["critical", "high", "medium", "low"]):
            api.post("/alerts", json=alert(n, severity=severity))
        case_id = api.post("/cases", json={"title": "Printed", "severity": "low"}).json()["id"]
        api.post(
            f"/cases/{case_id}/resolve",
            json={"verdict": "benign", "root_cause": "test", "narrative": "Nothing."},
        )
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    sign_in(page, ui)
    ARTIFACTS.mkdir(exist_ok=True)
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)
        page.goto(ui.url + "/alerts")
        assert _dark(page) == (theme == "dark")
        page.keyboard.press("j")
        page.keyboard.press("j")
        row = page.locator("tr.selected")
        outline = row.evaluate("r => getComputedStyle(r).outlineColor")
        selected = row.locator("td").nth(2).evaluate("c => getComputedStyle(c).backgroundColor")
        other = page.locator("#alert-queue tbody tr:not(.selected) td").nth(2)
        around = other.evaluate("c => getComputedStyle(c).backgroundColor")
        assert _contrast(outline, around) >= 3, (theme, outline, around)
        assert _contrast(outline, selected) >= 3, (theme, outline, selected)
        page.screenshot(path=str(ARTIFACTS / f"queue-{theme}.png"))
        page.goto(f"{ui.url}/cases/{case_id}/report")
        assert not _dark(page)  # printed: light in either theme

    # The user's choice wins over the system's.
    page.emulate_media(color_scheme="light")
    page.goto(ui.url + "/settings")
    page.check("form.theme-form input[value=dark]")
    page.click("form.theme-form button")
    page.wait_for_url("**/settings#theme")
    assert _dark(page) and page.locator("html").get_attribute("data-theme") == "dark"
    page.goto(ui.url + "/dashboard")
    assert _dark(page)
    page.emulate_media(color_scheme="dark")
    page.goto(ui.url + "/settings")
    assert page.locator("form.theme-form input[value=dark]").is_checked()
    page.check("form.theme-form input[value=light]")
    page.click("form.theme-form button")
    page.wait_for_url("**/settings#theme")
    assert not _dark(page)
    page.check("form.theme-form input[value=system]")
    page.click("form.theme-form button")
    page.wait_for_url("**/settings#theme")
    assert _dark(page) and page.locator("html").get_attribute("data-theme") is None
