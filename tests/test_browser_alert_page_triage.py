"""In a real browser: dismiss an alert from its own page with a comment, put it back in triage,
and filter the case list."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser import sign_in
from tests.harness import Server, alert

pytestmark = pytest.mark.browser


def test_dismiss_and_reopen_from_the_alert_page(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        alert_id = api.post("/alerts", json=alert("detail")).json()["id"]
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(f"{ui.url}/alerts/{alert_id}")
    page.select_option("form.detail-dismiss select[name=reason_code]", "test")
    page.fill("form.detail-dismiss input[name=comment]", "drill by the red team")
    page.click("form.detail-dismiss button")
    page.wait_for_selector("#dismissal")
    assert page.locator("#dismissal").inner_text() == "Dismissed as test: drill by the red team"
    page.click("#reopen")
    page.wait_for_selector("form.detail-dismiss")
    with ui.client(ui.token()) as api:
        assert api.get(f"/alerts/{alert_id}").json()["status"] == "triage"


def test_filter_the_case_list(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        me = api.get("/me").json()["id"]
        mine = api.post("/cases", json={"title": "Mine", "severity": "critical", "assignee": me})
        api.post("/cases", json={"title": "Unassigned low", "severity": "low"})
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(ui.url + "/cases")
    assert page.locator("table.cases tbody tr").count() == 2
    page.select_option("select[name=assignee]", me)
    page.click("form.filters button")
    page.wait_for_url("**/cases?*assignee=*")
    assert page.locator("table.cases tbody").inner_text().count("Mine") == 1
    assert page.locator("table.cases tbody tr").count() == 1
    page.goto(ui.url + "/cases?severity=low")
    assert "Unassigned low" in page.locator("table.cases tbody").inner_text()
    assert page.locator("table.cases tbody tr").count() == 1
    answer = page.goto(ui.url + "/cases?severity=urgent")
    assert answer is not None and answer.status == 400
    assert "unknown value 'urgent'" in page.locator(".error").inner_text()
    assert mine.status_code == 201
