"""Triage at volume in a real browser (Debian's Chromium): escalate ticked rows of the queue
into one case, see an alert's related alerts and take them along, find a pasted defanged
indicator without picking its type, save the queue's filters as a view of one's own, and see
on a queue row how many related alerts wait and which case holds some."""

from __future__ import annotations

import time

import httpx
from playwright.sync_api import Browser

from tests.browser import sign_in
from tests.harness import Server, alert


def _indexed(api: httpx.Client, kind: str, value: str, count: int) -> None:
    deadline = time.monotonic() + 5
    while (
        api.get("/observables/search", params={"type": kind, "value": value}).json()["alert_count"]
        < count
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_escalate_ticked_rows_into_one_case(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        ids = [api.post("/alerts", json=alert(f"q{n}", source="phish")).json()["id"]
               for n in range(3)]  # fmt: skip
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(ui.url + "/alerts?source=phish")
    for alert_id in ids[:2]:
        page.locator(f"#row-{alert_id} input[name=ids]").check()
    page.click("#bulk-escalate")
    page.wait_for_url(lambda url: "/cases/case_" in url)
    case_id = page.url.rsplit("/", 1)[1].split("#", 1)[0]
    with ui.client(ui.token()) as api:
        case = api.get(f"/cases/{case_id}").json()
        assert {a["id"] for a in case["alerts"]} == set(ids[:2])
        assert api.get(f"/alerts/{ids[2]}").json()["status"] == "triage"


def test_related_alerts_are_shown_and_taken_along(ui: Server, browser: Browser) -> None:
    c2 = {"type": "domain", "value": "beacon.related.example"}
    with ui.client(ui.token()) as api:
        first = api.post("/alerts", json=alert("r1", observables=[c2])).json()["id"]
        second = api.post("/alerts", json=alert("r2", observables=[c2],
                                                title="Beacon on WS-2")).json()["id"]  # fmt: skip
        _indexed(api, "domain", c2["value"], 2)
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(f"{ui.url}/alerts/{first}")
    related = page.locator("#related")
    assert "Beacon on WS-2" in related.inner_text()
    assert c2["value"] in related.inner_text()
    page.click("#escalate-related")
    page.wait_for_url(lambda url: "/cases/case_" in url)
    with ui.client(ui.token()) as api:
        assert api.get(f"/alerts/{second}").json()["status"] == "escalated"


def test_paste_a_defanged_indicator(ui: Server, browser: Browser) -> None:
    domain = "evil.paste.example"
    with ui.client(ui.token()) as api:
        alert_id = api.post("/alerts", json=alert("p1", observables=[
            {"type": "domain", "value": domain}])).json()["id"]  # fmt: skip
        _indexed(api, "domain", domain, 1)
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(ui.url + "/observables")
    page.fill("form[method=get] input[name=value]", "evil[.]paste[.]example")
    page.locator("form[method=get] button[type=submit]").click()
    page.wait_for_url(lambda url: "value=" in url)
    assert domain in page.locator("main").inner_text()
    assert page.locator(f"a[href='/alerts/{alert_id}']").count() == 1


def test_save_a_view_and_open_it_as_a_tab(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        api.post("/alerts", json=alert("v1", source="firewall", title="Port scan"))
        api.post("/alerts", json=alert("v2", source="edr", title="Mimikatz", severity="critical"))
    page = browser.new_page()
    sign_in(page, ui)
    page.fill("form.filters input[name=source]", "edr")
    page.select_option("form.filters select[name=sort]", "severity")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(lambda url: "source=edr" in url)
    page.click("details.save-view summary")
    page.fill("#save-view input[name=name]", "EDR first")
    page.click("#save-view button")
    page.wait_for_selector("nav.views a[aria-current=page]:has-text('EDR first')")

    page.click("nav.views a:has-text('In triage')")
    page.wait_for_selector("nav.views a[aria-current=page]:has-text('In triage')")
    assert page.locator("#alert-queue td.title").count() == 2
    page.click("nav.views a:has-text('EDR first')")
    page.wait_for_selector("nav.views a[aria-current=page]:has-text('EDR first')")
    assert page.locator("#alert-queue td.title > a:first-child").all_inner_texts() == ["Mimikatz"]
    page.close()


def test_queue_rows_hint_at_related_alerts_and_cases(ui: Server, browser: Browser) -> None:
    shared = [{"type": "domain", "value": "hint-c2.example"}]
    with ui.client(ui.token()) as api:
        ids = [api.post("/alerts", json=alert(f"h{n}", observables=shared)).json()["id"]
               for n in range(3)]  # fmt: skip
        api.post(
            "/alerts", json=alert("alone", observables=[{"type": "ip", "value": "192.0.2.99"}])
        )
        case_id = api.post(f"/alerts/{ids[0]}/escalate", json={}).json()["case_id"]
        number = api.get(f"/cases/{case_id}").json()["number"]
        _indexed(api, "domain", "hint-c2.example", 3)
    page = browser.new_page()
    sign_in(page, ui)
    hint = page.locator(f"#row-{ids[2]} a.related-hint")
    hint.wait_for()
    assert hint.inner_text() == f"1 related · case #{number}"
    assert page.locator("#alert-queue a.related-hint").count() == 2  # not on the lone alert
    hint.click()
    page.wait_for_url(lambda url: url.endswith(f"/alerts/{ids[2]}#related"))
    page.close()
