"""In a real browser: open an alert, escalate it to a new case, comment with a mention; a
`<script>` in the comment never runs."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Browser

from tests.browser import ARTIFACTS, sign_in
from tests.harness import Server, alert


def test_escalate_and_comment_with_a_mention(ui: Server, browser: Browser) -> None:
    token = ui.token()
    with ui.client(token) as api:
        obs = [{"type": "domain", "value": "c2.evil.example"}]
        alert_id = api.post("/alerts", json=alert("ws", observables=obs, raw={"k": "v"})).json()[
            "id"
        ]
        analyst = api.post(
            "/users", json={"email": "ana@x.example", "role": "analyst", "name": "Ana"}
        )
        analyst_id = analyst.json()["user"]["id"]
    page = browser.new_page()
    problems: list[str] = []
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("console", lambda m: problems.append(m.text) if "Content Security" in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    sign_in(page, ui)
    page.click(f"#row-{alert_id} .title a")
    page.wait_for_url(f"**/alerts/{alert_id}?*")  # with the queue's filters
    assert (
        "c2.evil.example" in page.content() and '"k": "v"' in page.locator("pre.raw").inner_text()
    )
    page.click("#escalate-new")
    page.wait_for_url("**/cases/case_*")
    case_id = page.url.rsplit("/", 1)[1]
    assert "Suspicious PowerShell on WS-ws" in page.locator("#case-alerts").inner_text()
    found = page.locator("a", has_text="c2.evil.example").get_attribute("href")
    assert found == "/observables?type=domain&value=c2.evil.example"  # "seen it before?"
    box = page.locator("textarea[name=body]")
    box.fill("**Isolated** the host <script>window.__pwned=1</script>")
    page.click("text=Preview")  # rendered and sanitised by the server, before saving
    page.wait_for_selector("#comment-preview strong")
    assert page.locator("#comment-preview strong").inner_text() == "Isolated"
    box.press("End")
    box.type(" cc @an")  # the autocomplete offers Ana; Enter picks her
    page.wait_for_selector("#mention-menu li[aria-selected=true]")
    assert "ana@x.example" in page.locator("#mention-menu").inner_text()
    box.press("Enter")
    assert problems == []
    assert box.input_value().endswith("cc @ana@x.example ")
    page.click(".comment-form button[type=submit]")
    page.wait_for_selector("article.comment strong")
    assert page.locator("article.comment strong").inner_text() == "Isolated"
    assert page.evaluate("window.__pwned") is None
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "case-workspace.png"), full_page=True)
    assert problems == []
    with ui.client(ui.token("ana@x.example")) as ana:
        inbox = ana.get("/me/notifications").json()["items"]
    assert inbox and inbox[0]["case_id"] == case_id
    with ui.client(token) as api:
        comment = api.get(f"/cases/{case_id}").json()["comments"][0]
    assert comment["mentions"] == [analyst_id]
    # A typo spotted after posting: the author edits it in place.
    page.click("article.comment details.edit-comment summary")
    page.fill("article.comment textarea[name=body]", "**Isolated** the host WS-042")
    with page.expect_navigation():
        page.click("article.comment details.edit-comment button[type=submit]")
    assert page.locator("article.comment .body").inner_text().strip() == "Isolated the host WS-042"
    assert "edited" in page.locator("article.comment .who").inner_text()
    assert problems == []


def test_viewer_sees_no_write_controls(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        alert_id = api.post("/alerts", json=alert("v")).json()["id"]
        api.post(
            "/users",
            json={"email": "vic@x.example", "role": "viewer", "password": "viewer-password-1"},
        )
    page = browser.new_page()
    sign_in(page, ui, "vic@x.example", "viewer-password-1")
    assert page.locator(f"#row-{alert_id}").count() == 1
    assert page.locator(f"#row-{alert_id} button").count() == 0  # no dismiss
    assert page.locator("#bulk-dismiss").count() == 0
    page.click(f"#row-{alert_id} .title a")
    assert page.locator("#escalate-new").count() == 0
    assert page.locator("form.detail-dismiss").count() == 0
    page.goto(ui.url + "/observables")
    assert page.locator("form.suppress-form").count() == 0
    with ui.client(ui.token()) as api:
        case_id = api.post("/cases", json={"title": "ro", "severity": "low"}).json()["id"]
    page.goto(f"{ui.url}/cases/{case_id}")
    assert page.locator("form").count() == 1  # only "sign out"
    page.goto(f"{ui.url}/cases")
    assert page.locator("#new-case").count() == 0


def test_observable_page_links_alerts_and_cases(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        obs = [{"type": "ip", "value": "198.51.100.23"}]
        first = api.post("/alerts", json=alert("o1", observables=obs)).json()["id"]
        api.post("/alerts", json=alert("o2", observables=obs))
        api.post(f"/alerts/{first}/escalate", json={})
        time.sleep(0.6)  # one index flush
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(f"{ui.url}/alerts/{first}")
    page.click("text=198.51.100.23")
    page.wait_for_url("**/observables?*")
    assert page.locator("#alert-count").inner_text() == "2"
    assert page.locator("#case-count").inner_text() == "1"
    page.goto(f"{ui.url}/observables?type=ip&value=not-an-ip")
    assert "not an IPv4 or IPv6 address" in page.locator(".error").inner_text()


def test_dashboard_draws_its_charts(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        detected = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())  # in the window
        for i, severity in enumerate(["critical", "high", "high"]):
            api.post("/alerts", json=alert(f"d{i}", severity=severity, detected_at=detected))
        first = api.get("/alerts").json()["items"][-1]["id"]
        api.post(f"/alerts/{first}/dismiss", json={"reason_code": "benign"})
        time.sleep(0.6)
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(ui.url + "/dashboard")
    assert page.locator("svg.chart").count() >= 3
    assert "high" in page.locator("#open-chart").inner_text()
    assert re.fullmatch(
        r"p50 [<0-9. ]+ s · p90 [<0-9. ]+ s · p99 [<0-9. ]+ s \(1 alert\)", page.inner_text("#ttt")
    )
    legend = page.locator("svg.chart text.label").all_text_contents()
    assert {"critical", "high", "medium", "low", "info"} <= set(legend)  # the volume's colours
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    page.click("#open-chart a:has-text('high')")  # a bar opens the alerts it counts
    page.wait_for_url("**/alerts?severity=high")
    assert page.locator("table.queue tbody tr[id^='row-']").count() == 2
    page.goto(ui.url + "/dashboard")
    page.click("#windows a:has-text('7d')")
    page.wait_for_url("**/dashboard?window=7d")
    assert page.inner_text("h1") == "Dashboard last 7d"


def test_evidence_attack_resolve_and_report(ui: Server, browser: Browser, tmp_path) -> None:
    import hashlib

    with ui.client(ui.token()) as api:
        case_id = api.post("/cases", json={"title": "UI case", "severity": "high"}).json()["id"]
    evidence = tmp_path / "memory.dmp"
    evidence.write_bytes(b"\x00\x01 evidence bytes " * 1000)
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(f"{ui.url}/cases/{case_id}")
    page.set_input_files("form.upload input[type=file]", str(evidence))
    page.fill("form.upload input[name=description]", "RAM image")
    page.click("form.upload button")
    page.wait_for_selector("#evidence-list a")
    with page.expect_download() as download:
        page.click("#evidence-list a")
    saved = tmp_path / "downloaded"
    download.value.save_as(saved)
    assert saved.read_bytes() == evidence.read_bytes()
    assert download.value.suggested_filename == "memory.dmp"
    page.fill("input[name=attack_q]", "powershell")
    page.click("form.inline button:has-text('Search')")
    page.click("form.technique:has-text('T1059.001') button")
    page.wait_for_selector("#attack-list:has-text('T1059.001')")
    page.click("#open-resolve")  # the resolve dialog
    page.select_option("select[name=verdict]", "true_positive")
    page.fill("input[name=root_cause]", "Macro in an invoice")
    page.fill("textarea[name=narrative]", "Opened by **finance**; host reimaged.")
    page.click("form.resolve button")
    page.wait_for_selector("#verdict")
    assert page.locator("#verdict").inner_text() == "true positive"
    # the resolution on the case page, not only in the report; the status in words
    assert page.locator("#root-cause").inner_text() == "Macro in an invoice"
    assert page.locator("#narrative strong").inner_text() == "finance"
    assert page.locator("#case-status").inner_text() == "Resolved"
    with page.context.expect_page() as report_page:
        page.click("#report-link")
    report = report_page.value
    report.wait_for_load_state()
    text = report.content()
    assert "Incident report" in text and "T1059.001" in text and "Macro in an invoice" in text
    assert hashlib.sha256(evidence.read_bytes()).hexdigest() in text
    report.screenshot(path=str(ARTIFACTS / "report.png"), full_page=False)
    # after the verdict: what happened before it still goes on the timeline; then reopen
    page.fill("#timeline-entry input[name=at]", "2026-06-02T08:02:30")
    page.fill("#timeline-entry input[name=summary]", "the user opened the invoice")
    page.click("#timeline-entry button")
    page.wait_for_selector("ol.timeline li:has-text('the user opened the invoice')")
    first = page.locator("ol.timeline li").first.inner_text()
    assert first.startswith("2026-06-02 08:02:30 UTC the user opened the invoice")
    page.click("#reopen-case button")
    page.wait_for_selector("#open-resolve")  # open again: the resolve button is back
    assert page.locator("#case-status").inner_text() == "Open"
    assert page.locator("#reopen-case").count() == 0


def test_edit_severity_status_and_assignee(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        case_id = api.post("/cases", json={"title": "edit me", "severity": "low"}).json()["id"]
        ana = api.post("/users", json={"email": "ed@x.example", "role": "analyst", "name": "Ed"})
        ana_id = ana.json()["user"]["id"]
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(f"{ui.url}/cases/{case_id}")
    page.select_option("form.case-edit select[name=severity]", "critical")
    page.select_option("form.case-edit select[name=status]", "in_progress")
    page.select_option("form.case-edit select[name=assignee]", ana_id)
    page.click("form.case-edit summary")
    page.fill("form.case-edit input[name=title]", "Edited title")
    page.fill("form.case-edit input[name=tags]", "phishing, finance")
    page.fill("form.case-edit textarea[name=description]", "Invoice **macro** <script>x</script>")
    page.click("form.case-edit button")
    page.wait_for_selector("#case-status:has-text('In progress')")
    with ui.client(ui.token()) as api:
        case = api.get(f"/cases/{case_id}").json()
    assert (case["severity"], case["status"], case["assignee"]) == (
        "critical",
        "in_progress",
        ana_id,
    )
    assert (case["title"], case["tags"]) == ("Edited title", ["phishing", "finance"])
    assert case["description"] == "Invoice **macro** <script>x</script>"
    assert page.locator("#case-description strong").inner_text() == "macro"
    assert page.locator("#case-description script").count() == 0
    fields = {e["data"].get("field") for e in case["timeline"]}
    assert fields >= {"severity", "status", "assignee", "title", "tags", "description"}
    timeline = page.locator("ol.timeline").inner_text()  # what changed, not only that it did
    assert "severity: low → critical" in timeline and "assignee: none → Ed" in timeline


def test_drop_a_file_on_the_evidence_form_then_remove_it(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        case_id = api.post("/cases", json={"title": "drop", "severity": "low"}).json()["id"]
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(f"{ui.url}/cases/{case_id}")
    dropped = page.evaluate_handle(
        """() => { const dt = new DataTransfer();
                   dt.items.add(new File(["dropped bytes"], "notes.txt", {type: "text/plain"}));
                   return dt; }"""
    )
    page.dispatch_event("form[data-dropzone]", "drop", {"dataTransfer": dropped})
    page.wait_for_selector("#evidence-list a:has-text('notes.txt')")
    with ui.client(ui.token()) as api:
        evidence = api.get(f"/cases/{case_id}").json()["evidence"]
        assert [(e["filename"], e["size"]) for e in evidence] == [("notes.txt", 13)]
        body = api.get(f"/cases/{case_id}/attachments/{evidence[0]['id']}").content
    assert body == b"dropped bytes"
    # Dropped on the wrong case: removed, after a confirmation that says the file goes too.
    questions: list[str] = []
    page.once("dialog", lambda d: (questions.append(d.message), d.accept()))
    with page.expect_navigation():
        page.click("#evidence-list button[aria-label='remove notes.txt']")
    assert "notes.txt" in questions[0] and "deleted" in questions[0]
    assert page.locator("#evidence-list li.empty").count() == 1
    with ui.client(ui.token()) as api:
        assert api.get(f"/cases/{case_id}").json()["evidence"] == []


def test_delete_a_comment_after_confirming(ui: Server, browser: Browser) -> None:
    """An admin deletes a comment an analyst wrote (a password pasted by mistake)."""
    with ui.client(ui.token()) as api:
        case_id = api.post("/cases", json={"title": "talk", "severity": "low"}).json()["id"]
        api.post("/users", json={"email": "paste@x.example", "role": "analyst", "name": "P"})
    with ui.client(ui.token("paste@x.example")) as analyst:
        analyst.post(f"/cases/{case_id}/comments", json={"body": "vpn password: hunter2"})
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(f"{ui.url}/cases/{case_id}")
    assert page.locator("article.comment details.edit-comment").count() == 0  # not theirs
    questions: list[str] = []
    page.once("dialog", lambda d: (questions.append(d.message), d.dismiss()))
    page.click("article.comment button[aria-label='delete comment']")  # asked, and kept
    assert "erased" in questions[0]
    assert page.locator("article.comment").count() == 1
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("article.comment button[aria-label='delete comment']")
    assert page.locator("article.comment").count() == 0
    assert page.locator("ol.timeline li", has_text="comment deleted").count() == 1
    with ui.client(ui.token()) as api:
        assert api.get(f"/cases/{case_id}").json()["comments"] == []


def test_a_case_reads_on_a_phone(ui: Server, browser: Browser) -> None:
    """On a narrow screen the workspace is one column and long values wrap: nothing makes the
    page wider than the phone."""
    long_url = "https://evil.example/" + "/".join(["segment"] * 20) + "?q=" + "a" * 60
    with ui.client(ui.token()) as api:
        obs = [{"type": "url", "value": long_url}, {"type": "hash", "value": "ab" * 64}]
        alert_id = api.post("/alerts", json=alert("phone", observables=obs)).json()["id"]
        case_id = api.post(f"/alerts/{alert_id}/escalate", json={"case_id": None}).json()
    page = browser.new_page(viewport={"width": 400, "height": 800})
    sign_in(page, ui)
    for path in (f"/cases/{case_id['case_id']}", f"/alerts/{alert_id}", "/settings"):
        page.goto(ui.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 400, path


def test_open_a_case_by_hand(ui: Server, browser: Browser) -> None:
    """A report by phone or mail has no alert behind it: the case list opens a case directly."""
    with ui.client(ui.token()) as api:
        api.post("/users", json={"email": "oncall@x.example", "role": "analyst", "name": "Oncall"})
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(ui.url + "/cases")
    page.click("details.new-case summary")
    page.fill("#new-case input[name=title]", "CFO reports a suspicious invoice mail")
    page.select_option("#new-case select[name=severity]", "high")
    page.select_option("#new-case select[name=assignee]", label="Oncall")
    page.fill("#new-case textarea[name=description]", "Forwarded by **phone**")
    page.click("#new-case button")
    page.wait_for_url("**/cases/case_*")
    assert page.locator("#case-description strong").inner_text() == "phone"
    with ui.client(ui.token()) as api:
        case = api.get(f"/cases/{page.url.rsplit('/', 1)[1]}").json()
    assert (case["title"], case["severity"], case["status"]) == (
        "CFO reports a suspicious invoice mail",
        "high",
        "open",
    )
    assert case["timeline"][0]["type"] == "created" and case["assignee"]


def test_add_and_remove_an_observable_and_unmap_a_technique(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        typo = [{"type": "ip", "value": "198.51.100.1"}]
        case_id = api.post(
            "/cases",
            json={"title": "IOC hunt", "severity": "high", "attack": ["T1059.001"],
                  "observables": typo},
        ).json()["id"]  # fmt: skip
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(f"{ui.url}/cases/{case_id}")
    page.select_option("#add-observable select[name=type]", "domain")
    page.fill("#add-observable input[name=value]", "C2.Evil.EXAMPLE.")
    page.click("#add-observable button")
    page.wait_for_selector("#case-observables a:has-text('c2.evil.example')")  # normalised
    page.fill("#add-observable input[name=value]", "not a domain!")
    with page.expect_response(f"**/cases/{case_id}/observables") as answer:
        page.click("#add-observable button")
    assert answer.value.status == 400 and "value" in answer.value.text()
    page.goto(f"{ui.url}/cases/{case_id}")
    with page.expect_navigation():
        page.click("#case-observables button[aria-label='remove ip 198.51.100.1']")
    assert "198.51.100.1" not in page.inner_text("#case-observables")
    assert page.locator("ol.timeline li", has_text="ip 198.51.100.1").count() == 2  # added, removed
    page.click("#attack-list form.unmap button")
    page.wait_for_selector("#attack-list:has-text('None mapped')")
    with ui.client(ui.token()) as api:
        case = api.get(f"/cases/{case_id}").json()
    assert case["attack"] == [] and [o["value"] for o in case["observables"]] == ["c2.evil.example"]


def test_a_case_shows_where_else_its_observables_were_seen(ui: Server, browser: Browser) -> None:
    shared = [{"type": "ip", "value": "203.0.113.66"}]
    with ui.client(ui.token()) as api:
        for n in range(3):
            api.post("/alerts", json=alert(f"seen{n}", observables=shared))
        earlier = api.post("/cases", json={"title": "earlier", "severity": "low",
                                           "observables": shared})  # fmt: skip
        case_id = api.post("/cases", json={"title": "now", "severity": "high",
                                           "observables": shared}).json()["id"]  # fmt: skip
        assert earlier.status_code == 201
        time.sleep(1.0)  # the index follows within a second
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(f"{ui.url}/cases/{case_id}")
    seen = page.locator("#case-observables li", has_text="203.0.113.66").locator(".seen")
    assert seen.inner_text() == "3 alerts · 1 other case"
