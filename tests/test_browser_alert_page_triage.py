"""In a real browser: dismiss an alert from its own page with a comment, put it back in triage,
and filter the case list."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.browser import sign_in
from tests.harness import Server, alert


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
    dismissal = page.locator("#dismissal").inner_text()
    assert dismissal.startswith("Dismissed as test: drill by the red team Admin 20")
    page.click("#reopen")
    page.wait_for_selector("form.detail-dismiss")
    with ui.client(ui.token()) as api:
        assert api.get(f"/alerts/{alert_id}").json()["status"] == "triage"


def test_the_alert_page_shows_what_the_tool_sent(ui: Server, browser: Browser) -> None:
    description = "Encoded **PowerShell** ran.<script>document.title='owned'</script>"
    with ui.client(ui.token()) as api:
        sent = alert("shown", description=description, tags=["powershell", "ws-042"])
        escalated = api.post("/alerts", json=sent).json()["id"]
        case_id = api.post(f"/alerts/{escalated}/escalate", json={"case_id": None}).json()
        number = api.get(f"/cases/{case_id['case_id']}").json()["number"]
        api.post("/alerts", json=sent)  # seen a second time
        dismissed = api.post("/alerts", json=alert("quiet")).json()["id"]
        api.post(f"/alerts/{dismissed}/dismiss", json={"reason_code": "benign", "comment": "ok"})
        viewer = {"email": "viewer@example.com", "role": "viewer", "password": "v" * 12}
        assert api.post("/users", json=viewer).status_code == 201
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(f"{ui.url}/alerts/{escalated}")
    assert page.locator("#alert-description strong").inner_text() == "PowerShell"
    assert page.locator("#alert-description script").count() == 0 and page.title() != "owned"
    assert page.locator("#alert-tags").inner_text().split() == ["powershell", "ws-042"]
    assert (
        page.locator("#alert-case").inner_text() == f"#{number} Suspicious PowerShell on WS-shown"
    )
    assert "2 time(s), first" in page.inner_text("dl.facts") and ", last" in page.inner_text(
        "dl.facts"
    )
    # a viewer reads why an alert was dismissed, without the button to undo it
    page.context.clear_cookies()
    sign_in(page, ui, "viewer@example.com", "v" * 12)
    page.goto(f"{ui.url}/alerts/{dismissed}")
    assert page.locator("#dismissal").inner_text().startswith("Dismissed as benign: ok Admin")
    assert page.locator("#reopen").count() == 0


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
    page.fill("form.filters input[name=q]", "UNASSIGNED")
    page.select_option("select[name=assignee]", "")
    page.click("form.filters button")
    page.wait_for_url("**/cases?*q=UNASSIGNED*")
    assert page.locator("table.cases tbody").inner_text().count("Unassigned low") == 1
    assert page.locator("table.cases tbody tr").count() == 1
    page.goto(ui.url + "/cases?severity=low")
    assert "Unassigned low" in page.locator("table.cases tbody").inner_text()
    assert page.locator("table.cases tbody tr").count() == 1
    answer = page.goto(ui.url + "/cases?severity=urgent")
    assert answer is not None and answer.status == 400
    assert "unknown value 'urgent'" in page.locator(".error").inner_text()
    assert mine.status_code == 201
