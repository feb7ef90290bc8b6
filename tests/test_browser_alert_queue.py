"""In a real browser (Debian's Chromium through Playwright): sign in, see an ingested alert in
the queue, dismiss it, and check that neither script injection nor a forged form gets through."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser

from tests.browser import ARTIFACTS, sign_in
from tests.harness import Server, alert

XSS_TITLE = (
    "<script>window.__pwned = 1; alert('x')</script><img src=x onerror=\"window.__pwned=2\">"
)


def test_sign_in_see_and_dismiss_an_alert(ui: Server, browser: Browser) -> None:
    token = ui.token()
    with ui.client(token) as api:
        alert_id = api.post("/alerts", json=alert("ui", title=f"Beacon {XSS_TITLE}")).json()["id"]
    page = browser.new_page()
    problems: list[str] = []
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    # nothing the page loads is missing either (Chromium asks for /favicon.ico unless told
    # otherwise, and reports that only on the console)
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if "Content Security" in m.text or "Failed to load" in m.text
            else None
        ),
    )
    sign_in(page, ui)
    row = page.locator(f"#row-{alert_id}")
    assert "Beacon <script>" in row.locator(".title").inner_text()  # shown as text
    assert page.evaluate("window.__pwned") is None  # and never run
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "alert-queue.png"), full_page=True)
    row.locator("select[name=reason_code]").select_option("false-positive")
    row.locator("button").click()  # htmx posts with the CSRF header and swaps the row
    page.wait_for_selector(f"#row-{alert_id}.status-dismissed")
    assert problems == []
    with ui.client(token) as api:
        dismissal = api.get(f"/alerts/{alert_id}").json()["dismissal"]
    assert dismissal["reason_code"] == "false-positive"


def test_forged_form_without_csrf_token_is_refused(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        alert_id = api.post("/alerts", json=alert("csrf")).json()["id"]
    page = browser.new_page()
    sign_in(page, ui)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    forged = httpx.post(
        f"{ui.url}/alerts/{alert_id}/dismiss", data={"reason_code": "benign"}, cookies=cookies
    )
    assert forged.status_code == 403
    wrong = httpx.post(
        f"{ui.url}/alerts/{alert_id}/dismiss",
        data={"reason_code": "benign", "csrf_token": "guess"},
        cookies=cookies,
    )
    assert wrong.status_code == 403
    with ui.client(ui.token()) as api:
        assert api.get(f"/alerts/{alert_id}").json()["status"] == "triage"
    # signing out ends the session
    page.click("header button[type=submit]")
    page.wait_for_url("**/login")
    assert httpx.get(f"{ui.url}/alerts", cookies=cookies).status_code == 302


def test_wrong_password_and_login_rate_limit(ui: Server, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(ui.url + "/login")
    page.fill("input[name=email]", "admin@irbox.local")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert "Wrong email or password" in page.locator(".error").inner_text()
    codes = [
        httpx.post(f"{ui.url}/login", data={"email": "a@b.c", "password": "x"}).status_code
        for _ in range(12)
    ]
    assert 429 in codes  # guessing is throttled per client IP


def test_keyboard_triage(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        older = api.post("/alerts", json=alert("k1")).json()["id"]
        newer = api.post("/alerts", json=alert("k2")).json()["id"]
    page = browser.new_page()
    sign_in(page, ui)
    page.keyboard.press("?")
    assert page.locator("#keys-help").is_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("j")  # the first row (newest)
    page.keyboard.press("j")  # the second
    assert page.locator("tr.selected").get_attribute("id") == f"row-{older}"
    page.keyboard.press("d")  # asks why first; Esc leaves the alert as it was
    assert page.locator("#dismiss-dialog").is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("#dismiss-dialog").is_visible()
    assert page.locator(f"#row-{older}.status-triage").count() == 1
    page.keyboard.press("d")
    page.keyboard.press("4")  # the fourth reason: duplicate
    page.keyboard.press("Tab")
    page.keyboard.type("same as yesterday's")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#row-{older}.status-dismissed")
    page.keyboard.press("k")
    assert page.locator("tr.selected").get_attribute("id") == f"row-{newer}"
    page.keyboard.press("e")
    page.wait_for_url(f"**/alerts/{newer}?*")  # with the queue's filters
    with ui.client(ui.token()) as api:
        dismissed = api.get(f"/alerts/{older}").json()
        assert dismissed["status"] == "dismissed"
        assert dismissed["dismissal"]["reason_code"] == "duplicate"
        assert dismissed["dismissal"]["comment"] == "same as yesterday's"
        assert api.get(f"/alerts/{newer}").json()["status"] == "triage"


def test_filter_by_a_known_source(ui: Server, browser: Browser) -> None:
    """The source box offers the sources alerts came from (who remembers `crowdstrike-eu`?)."""
    with ui.client(ui.token()) as api:
        for n, source in enumerate(["sentinel", "crowdstrike-eu", "sentinel", "zeek"]):
            api.post("/alerts", json=alert(f"s{n}", source=source))
    page = browser.new_page()
    sign_in(page, ui)
    offered = page.locator("#known-sources option").evaluate_all("os => os.map(o => o.value)")
    assert offered == ["crowdstrike-eu", "sentinel", "zeek"]
    page.fill("input[name=source]", "sentinel")
    page.click("form.filters button:has-text('Filter')")
    page.wait_for_url("**/alerts?*source=sentinel*")
    assert page.locator("table.queue tbody tr[id^='row-']").count() == 2
