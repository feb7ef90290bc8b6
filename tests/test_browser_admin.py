"""In a real browser: an admin manages users and reads the audit log; a mentioned analyst finds
the notification; suppressions are created and lifted from the observables page."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser

from tests.browser import sign_in
from tests.harness import Server, alert


def test_admin_manages_users_and_reads_the_audit_log(ui: Server, browser: Browser) -> None:
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(ui.url + "/settings#users")
    page.fill("form.user-form input[name=email]", "new@x.example")
    page.fill("form.user-form input[name=name]", "Newt")
    page.click("form.user-form button")
    password = page.locator("#shown-secret .secret").inner_text().strip()
    assert len(password) >= 12  # generated, shown once
    other = browser.new_page()
    sign_in(other, ui, "new@x.example", password)
    other.wait_for_url("**/alerts")
    assert "analyst" in other.locator("header .who").inner_text()
    # Newt forgot it: the admin hands over a new one (after a confirmation)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tr", has_text="new@x.example").locator("button:has-text('New password')").click()
    page.wait_for_selector("#shown-secret .secret")
    renewed = page.locator("#shown-secret .secret").inner_text().strip()
    assert len(renewed) >= 12 and renewed != password
    assert page.locator("tr", has_text="admin@irbox.local").locator(".new-password").count() == 0
    other.reload()  # the old sign-in has ended
    assert other.url.endswith("/login")
    sign_in(other, ui, "new@x.example", renewed)
    other.wait_for_url("**/alerts")
    page.goto(ui.url + "/settings#users")
    row = page.locator("tr", has_text="new@x.example")
    row.locator("select[name=role]").select_option("viewer")
    row.locator("input[name=disabled]").check()
    row.locator("button:has-text('Save')").click()
    page.wait_for_url("**/settings#users")
    with ui.client(ui.token()) as api:
        user = next(u for u in api.get("/users").json()["items"] if u["email"] == "new@x.example")
    assert (user["role"], user["disabled"]) == ("viewer", True)
    other.reload()  # a disabled user's session ends at once
    assert other.url.endswith("/login")
    page.click("#audit-link")
    page.wait_for_url("**/settings/audit")
    actions = page.locator("table.audit").inner_text()
    assert "user.create" in actions and "user.update" in actions
    # who, what and with which key, readably: names, the change itself, the key's name
    update = page.locator("table.audit tr", has_text="user.update").first
    cells = update.locator("td").all_inner_texts()
    assert cells[3] == "role: viewer · disabled: 1" and cells[4] == "Admin" and cells[5] == ""
    with ui.client(ui.token()) as api:  # ui.token() makes a key named "test" for the admin
        case_id = api.post("/cases", json={"title": "audited", "severity": "low"}).json()["id"]
    page.reload()
    created = page.locator("table.audit tr", has_text="case.created").first
    assert created.locator("td").nth(5).inner_text() == "test"
    created.locator(f"a[href='/cases/{case_id}']").click()
    page.wait_for_url(f"**/cases/{case_id}")
    # not for analysts: the audit log is an admin page
    with ui.client(ui.token()) as api:
        api.post("/users", json={"email": "an@x.example", "role": "analyst",
                                 "password": "analyst-password-1"})  # fmt: skip
    sign_in(other, ui, "an@x.example", "analyst-password-1")
    other.wait_for_url("**/alerts")
    assert other.goto(ui.url + "/settings/audit").status == 403
    other.goto(ui.url + "/settings")
    assert other.locator("#users").count() == 0  # and no Users section


def test_mentioned_user_reads_the_notification(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        api.post("/users", json={"email": "mo@x.example", "role": "analyst",
                                 "password": "analyst-password-2"})  # fmt: skip
        mo = next(u for u in api.get("/users").json()["items"] if u["email"] == "mo@x.example")
        case_id = api.post("/cases", json={"title": "Mention me", "severity": "low"}).json()["id"]
        api.post(f"/cases/{case_id}/comments", json={"body": "look", "mentions": [mo["id"]]})
    page = browser.new_page()
    sign_in(page, ui, "mo@x.example", "analyst-password-2")
    page.wait_for_url("**/alerts")
    assert page.locator("#unread-count").inner_text() == "1"
    page.click("#notifications-link")
    assert page.locator("li.unread").count() == 1
    page.click("li.unread button")
    page.wait_for_url(f"**/cases/{case_id}#comments")
    assert page.locator("#unread-count").count() == 0
    with ui.client(ui.token("mo@x.example")) as api:
        assert api.get("/me/notifications").json()["items"][0]["read_at"] is not None


def test_suppress_and_lift_from_the_observables_page(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:  # a known source, for the scope to pick
        api.post("/alerts", json=alert("edr-1", source="edr"))
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(ui.url + "/observables?type=domain&value=Stats.Example.com.")
    page.fill("form.suppress-form input[name=reason]", "analytics beacon")
    page.select_option("form.suppress-form select[name=scope]", "source:edr")
    page.click("form.suppress-form button")
    row = page.locator("table.suppressions tr", has_text="stats.example.com")
    assert "source:edr" in row.inner_text()
    obs = [{"type": "domain", "value": "stats.example.com"}]
    with ui.client(ui.token()) as api:
        quiet = api.post("/alerts", json=alert("sup-1", observables=obs)).json()
        other_source = api.post("/alerts", json=alert("sup-2", source="ndr", observables=obs))
    assert quiet["status"] == "dismissed"
    assert other_source.json()["status"] == "triage"
    page.fill("form.suppress-form input[name=value]", "not a domain!")
    page.fill("form.suppress-form input[name=reason]", "x")
    page.click("form.suppress-form button")
    assert "value" in page.locator(".error").inner_text()  # a 400 page naming the field
    page.goto(ui.url + "/observables#suppressions")
    page.locator("table.suppressions tr", has_text="stats.example.com").locator("button").click()
    page.wait_for_url("**/observables#suppressions")
    assert page.locator("table.suppressions tr", has_text="stats.example.com").count() == 0
    with ui.client(ui.token()) as api:
        assert (
            api.post("/alerts", json=alert("sup-3", observables=obs)).json()["status"] == "triage"
        )
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    forged = httpx.post(f"{ui.url}/observables/suppressions", cookies=cookies,
                        data={"type": "ip", "value": "1.2.3.4", "reason": "x"})  # fmt: skip
    assert forged.status_code == 403
