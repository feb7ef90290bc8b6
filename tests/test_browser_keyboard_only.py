"""Without a mouse: sign in, triage the queue, escalate an alert, work the case and resolve it
from the keyboard alone, the focus visible at every stop; `?` lists the keys of each page."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from tests.browser import sign_in
from tests.harness import Server, alert

FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return [el.tagName, el.getAttribute("name"),
          style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2];
}"""


def _focused(page: Page, tag: str, name: str | None = None) -> None:
    """The focus is on a `tag` (named `name`) and shows plainly."""
    got_tag, got_name, visible = page.evaluate(FOCUS_VISIBLE)
    assert (got_tag, got_name) == (tag, name) if name else got_tag == tag, (got_tag, got_name)
    assert visible, f"the focus on {got_tag} {got_name} does not show"


def test_triage_to_resolve_with_the_keyboard_alone(ui: Server, browser: Browser) -> None:
    password = ui.change_first_password("admin@irbox.local", ui.first_password)
    with ui.client(ui.token()) as api:
        noise = api.post("/alerts", json=alert("noise", title="Port scan from the scanner"))
        real = api.post(
            "/alerts",
            json=alert("real", observables=[{"type": "domain", "value": "c2.evil.example"}]),
        )
        noise_id, real_id = noise.json()["id"], real.json()["id"]
    page = browser.new_page()
    keys = page.keyboard
    page.goto(ui.url + "/login")  # the address, typed
    _focused(page, "INPUT", "email")
    keys.type("admin@irbox.local")
    keys.press("Tab")
    _focused(page, "INPUT", "password")
    keys.type(password)
    keys.press("Enter")
    page.wait_for_url("**/alerts")

    # The queue, newest first: the real alert, then the noise.
    keys.press("j")
    keys.press("j")
    selected = page.locator("tr.selected")
    assert selected.get_attribute("id") == f"row-{noise_id}"
    assert selected.evaluate("row => getComputedStyle(row).outlineStyle") == "solid"
    keys.press("d")  # asks why: 3 picks "benign", Enter dismisses
    keys.press("3")
    keys.press("Enter")
    page.wait_for_selector(f"#row-{noise_id}.status-dismissed")
    keys.press("k")
    assert page.locator("tr.selected").get_attribute("id") == f"row-{real_id}"
    keys.press("Enter")
    page.wait_for_url(f"**/alerts/{real_id}?*")

    keys.press("e")  # escalate to a new case
    page.wait_for_url("**/cases/case_*")
    case_id = page.url.rsplit("/", 1)[1]

    keys.press("c")
    _focused(page, "TEXTAREA", "body")
    keys.type("Isolated the host; blocking the domain.")
    keys.press("Control+Enter")
    page.wait_for_selector("article.comment")

    keys.press("o")
    _focused(page, "INPUT", "value")
    keys.press("Shift+Tab")
    _focused(page, "SELECT", "type")
    keys.type("ip")  # a closed select picks the option its letters start
    keys.press("Tab")
    keys.type("198.51.100.7")
    keys.press("Enter")
    page.wait_for_selector("#case-observables a:has-text('198.51.100.7')")

    keys.press("r")  # the resolve dialog, its first field focused
    _focused(page, "SELECT", "verdict")
    keys.type("true")
    keys.press("Tab")
    keys.type("Phishing mail opened on WS-real")
    keys.press("Tab")
    keys.type("Host isolated and reimaged.")
    keys.press("Tab")
    _focused(page, "BUTTON")
    keys.press("Enter")
    page.wait_for_selector("#verdict")

    with ui.client(ui.token()) as api:
        case = api.get(f"/cases/{case_id}").json()
        assert case["status"] == "resolved"
        assert case["resolution"]["verdict"] == "true_positive"
        assert case["resolution"]["root_cause"] == "Phishing mail opened on WS-real"
        assert [c["body"] for c in case["comments"]] == ["Isolated the host; blocking the domain."]
        assert {o["value"] for o in case["observables"]} >= {"198.51.100.7", "c2.evil.example"}
        assert [a["id"] for a in case["alerts"]] == [real_id]
        assert api.get(f"/alerts/{noise_id}").json()["status"] == "dismissed"


def test_question_mark_lists_the_keys_of_the_page(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        alert_id = api.post("/alerts", json=alert("keys")).json()["id"]
        case_id = api.post("/cases", json={"title": "Keys", "severity": "low"}).json()["id"]
    page = browser.new_page()
    sign_in(page, ui)
    expected = {
        "/alerts": ["next / previous alert", "dismiss: asks for the reason", "bulk actions"],
        f"/alerts/{alert_id}": ["escalate to a new case", "back to the queue", "dismissal"],
        f"/cases/{case_id}": ["comment box", "resolve the case", "new observable"],
        "/cases": ["a new case", "to the filter"],
        "/dashboard": ["go to Alerts"],
    }
    for path, lines in expected.items():
        page.goto(ui.url + path)
        help = page.locator("#keys-help")
        assert not help.is_visible()
        page.keyboard.press("?")
        assert help.is_visible()
        listed = help.inner_text()
        assert all(line in listed for line in lines), (path, listed)
        page.keyboard.press("Escape")
        assert not help.is_visible()
    # g then a letter goes to a page of the menu
    page.keyboard.press("g")
    page.keyboard.press("c")
    page.wait_for_url("**/cases")
