"""Every page, in every state an analyst or an admin sees, in both themes: zero axe-core
violations of the WCAG 2.1 A and AA rules."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, Page

from tests.accessibility import assert_accessible
from tests.browser import sign_in
from tests.harness import Server, alert
from tests.test_license import DAY, PUBLIC, license_doc


def _visit(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def test_every_page_of_an_investigation(ui: Server, browser: Browser) -> None:
    page = browser.new_page()
    _visit(page, ui.url + "/login")
    assert_accessible(page, "sign-in")
    page.fill("input[name=email]", "admin@irbox.local")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert_accessible(page, "sign-in refused")
    sign_in(page, ui)
    assert_accessible(page, "empty queue")
    _visit(page, ui.url + "/dashboard")
    assert_accessible(page, "empty dashboard")

    with ui.client(ui.token()) as api:
        shared = [{"type": "domain", "value": "c2.evil.example"}]
        ids = [
            api.post(
                "/alerts",
                json=alert(n, severity=sev, observables=shared, tags=["phish"]),
            ).json()["id"]
            for n, sev in enumerate(["critical", "high", "medium", "low", "info"])
        ]
        analyst = api.post(
            "/users", json={"email": "ana@x.example", "role": "analyst", "name": "Ana"}
        ).json()
        api.post(f"/alerts/{ids[4]}/dismiss", json={"reason_code": "benign"})
        # SLA targets: the critical alert is late at once, the others have time left
        targets = {"critical": {"triage_m": 0.001, "resolve_h": 0.0001},
                   "high": {"triage_m": 60, "resolve_h": 8}}  # fmt: skip
        assert api.put("/settings/sla", json=targets).status_code == 200
        for field in [{"key": "region", "label": "Region", "type": "choice", "choices": ["EMEA"]},
                      {"key": "contained", "label": "Contained", "type": "boolean"},
                      {"key": "seen_on", "label": "Seen on", "type": "date"},
                      {"key": "hosts", "label": "Hosts", "type": "number"}]:  # fmt: skip
            assert api.post("/custom-fields", json=field).status_code == 201
        assert (
            api.post(
                "/me/views", json={"name": "Critical", "filters": {"severity": "critical"}}
            ).status_code
            == 201
        )  # a tab above the queue
    _visit(page, ui.url + "/alerts")
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert_accessible(page, "filled queue, a row selected and ticked")
    page.keyboard.press("?")
    assert_accessible(page, "queue with its keys shown")
    page.keyboard.press("?")
    page.keyboard.press("d")
    assert page.locator("#dismiss-dialog").is_visible()
    assert_accessible(page, "queue asking why an alert is dismissed")
    page.keyboard.press("Escape")
    _visit(page, ui.url + "/alerts?status=dismissed")
    assert_accessible(page, "dismissed alerts")
    _visit(page, ui.url + f"/alerts/{ids[0]}")
    assert_accessible(page, "alert with related alerts")
    page.click("#escalate-new")
    page.wait_for_url("**/cases/case_*")
    case_url = page.url
    page.fill("#add-task input[name=title]", "Isolate WS-1")
    page.check("#add-task input[name=required]")
    page.click("#add-task button")
    page.wait_for_selector("#case-tasks .task-title")
    page.fill("textarea[name=body]", "Isolated **WS-1** cc @ana@x.example")
    page.click(".comment-form button[type=submit]")
    page.wait_for_selector("article.comment")
    page.click("#edit-custom-fields summary")
    assert_accessible(page, "open case with a task, a comment and its custom fields")
    page.click("#case-tasks button")  # ticked: the case may be resolved
    page.wait_for_selector("#case-tasks li.task-done")
    page.keyboard.press("?")
    assert_accessible(page, "case with its keys shown")
    page.keyboard.press("r")
    assert page.locator("#resolve-dialog").is_visible()
    assert_accessible(page, "case with the resolve dialog open")
    _visit(page, ui.url + "/cases")
    page.keyboard.press("n")
    assert_accessible(page, "cases with the new case form open")
    with ui.client(ui.token()) as api:
        api.post(
            "/observables/suppress",
            json={"type": "domain", "value": "c2.evil.example", "reason": "sinkholed"},
        )
    _visit(page, ui.url + "/observables?type=domain&value=c2.evil.example")
    assert_accessible(page, "observable search, the value suppressed")
    _visit(page, ui.url + "/dashboard")
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert_accessible(page, "dashboard with the tables of its figures open")
    _visit(page, ui.url + "/settings")
    assert_accessible(page, "admin settings")
    page.fill("form.key-form input[name=name]", "for the scan")
    page.click("form.key-form button")
    page.wait_for_selector("#shown-secret")
    assert_accessible(page, "settings showing a new key once")
    page.check("form.theme-form input[value=dark]")
    page.click("form.theme-form button")
    page.wait_for_url("**/settings#theme")
    assert_accessible(page, "settings, dark chosen by the user", themes=("light",))
    page.check("form.theme-form input[value=system]")
    page.click("form.theme-form button")
    _visit(page, ui.url + "/settings/audit")
    assert_accessible(page, "audit")
    case_id = case_url.rsplit("/", 1)[1]
    with ui.client(ui.token()) as api:
        resolved = api.post(
            f"/cases/{case_id}/resolve",
            json={"verdict": "true_positive", "root_cause": "Phish", "narrative": "Contained."},
        )
        assert resolved.status_code == 200, resolved.text
    _visit(page, case_url)
    assert_accessible(page, "resolved case")
    _visit(page, case_url + "/report")
    assert_accessible(page, "report", themes=("light",))  # printed: always light

    page.context.clear_cookies()
    sign_in(page, ui, "ana@x.example", analyst["password"])
    _visit(page, ui.url + "/notifications")
    assert_accessible(page, "analyst's notifications")
    _visit(page, ui.url + "/settings")
    assert_accessible(page, "analyst settings")


@pytest.fixture
def licensed_ui(fresh_server: Server) -> Server:
    fresh_server.env["IRBOX_LICENSE_PUBLIC_KEYS"] = PUBLIC
    return fresh_server.start()


def test_grace_banner_and_lock_page(licensed_ui: Server, browser: Browser) -> None:
    with licensed_ui.client(licensed_ui.token()) as api:
        api.put("/license", content=json.dumps(license_doc(-2 * DAY)).encode())
        page = browser.new_page()
        sign_in(page, licensed_ui)
        assert page.locator("#grace-banner").is_visible()
        assert_accessible(page, "queue under the grace banner")
        api.put("/license", content=json.dumps(license_doc(-20 * DAY, grace_days=14)).encode())
    _visit(page, licensed_ui.url + "/alerts")
    assert page.locator("#locked").is_visible()
    assert_accessible(page, "lock page")
