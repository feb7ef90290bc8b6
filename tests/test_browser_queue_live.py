"""The queue as a live view: new alerts appear without a reload, scrolling loads older ones,
several alerts are dismissed at once, and a bad filter answers with a page, not JSON."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser

from tests.browser import sign_in
from tests.harness import Server, alert


def test_new_alert_appears_without_reload(ui: Server, browser: Browser) -> None:
    page = browser.new_page()
    sign_in(page, ui)
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    with ui.client(ui.token()) as api:
        first = api.post("/alerts", json=alert("live-1", title="Live beacon")).json()["id"]
        page.wait_for_selector(f"#row-{first}", timeout=10_000)
        second = api.post("/alerts", json=alert("live-2", severity="low")).json()["id"]
        page.wait_for_selector(f"#row-{second}", timeout=10_000)
    ids = page.eval_on_selector_all("#queue-rows tr[id^=row-]", "rows => rows.map(r => r.id)")
    assert ids == [f"row-{second}", f"row-{first}"]  # newest on top, each once
    assert page.evaluate("window.__sameDocument") is True
    assert page.locator("tr.empty-row").count() == 0
    # a filtered queue only grows with matching alerts
    page.goto(ui.url + "/alerts?severity=critical")
    with ui.client(ui.token()) as api:
        api.post("/alerts", json=alert("live-3", severity="low"))
        hit = api.post("/alerts", json=alert("live-4", severity="critical")).json()["id"]
    page.wait_for_selector(f"#row-{hit}", timeout=10_000)
    assert page.locator("#queue-rows tr[id^=row-]").count() == 1


def test_bulk_dismiss_selected(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        ids = [api.post("/alerts", json=alert(f"bulk-{i}")).json()["id"] for i in range(4)]
    page = browser.new_page()
    sign_in(page, ui)
    page.locator(f"#row-{ids[0]} input[name=ids]").check()
    page.locator(f"#row-{ids[1]} input[name=ids]").check()
    page.keyboard.press("j")  # the newest row (ids[3]), selected with x from the keyboard
    page.keyboard.press("x")
    assert page.locator("#selected-count").inner_text() == "3 selected"
    page.select_option("select[aria-label='bulk reason']", "duplicate")
    page.click("#bulk-button")
    page.wait_for_selector("#bulk-result")
    assert page.locator("#bulk-result").inner_text() == "3 alerts dismissed."
    assert page.locator("#queue-rows tr[id^=row-]").count() == 1  # the triage queue: ids[2]
    with ui.client(ui.token()) as api:
        states = [api.get(f"/alerts/{i}").json() for i in ids]
    assert [s["status"] for s in states] == ["dismissed", "dismissed", "triage", "dismissed"]
    assert {s["dismissal"]["reason_code"] for s in states if s["dismissal"]} == {"duplicate"}


def test_scrolling_loads_the_next_page(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        ids = [api.post("/alerts", json=alert(f"page-{i}")).json()["id"] for i in range(120)]
    page = browser.new_page()
    sign_in(page, ui)
    assert page.locator("#queue-rows tr[id^=row-]").count() == 50
    page.locator("#more-rows").scroll_into_view_if_needed()
    page.locator("#queue-rows tr[id^=row-]").nth(99).wait_for()
    page.locator("#more-rows").scroll_into_view_if_needed()
    page.locator("#queue-rows tr[id^=row-]").nth(119).wait_for()
    shown = page.eval_on_selector_all("#queue-rows tr[id^=row-]", "rows => rows.map(r => r.id)")
    assert shown == [f"row-{i}" for i in reversed(ids)]  # every alert once, newest first
    assert page.locator("#more-rows").count() == 0


def test_bad_filter_answers_with_a_page(ui: Server, browser: Browser) -> None:
    page = browser.new_page()
    sign_in(page, ui)
    response = page.goto(ui.url + "/alerts?severity=urgent")
    assert response is not None and response.status == 400
    assert "text/html" in response.headers["content-type"]
    assert "unknown value 'urgent'" in page.locator(".error").inner_text()
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    rows = httpx.get(f"{ui.url}/alerts/rows?cursor=nonsense", cookies=cookies)
    assert rows.status_code == 400 and "cursor" in rows.text
