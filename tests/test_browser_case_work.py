"""Case work in Chromium, as an admin does it: define a custom field in Settings, fill it in on
a case, find the case by it in the cases list; save a case as a template, open a new case with
it; merge a case into another from its page; export a case and import it."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.browser import sign_in
from tests.harness import Server


def test_define_fill_and_filter_a_custom_field(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        east = api.post("/cases", json={"title": "Eastern", "severity": "low"}).json()
        api.post("/cases", json={"title": "Western", "severity": "low"})
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(ui.url + "/settings#custom-fields")
    form = page.locator("form.field-form")
    form.locator("input[name=key]").fill("region")
    form.locator("input[name=label]").fill("Region")
    form.locator("select[name=type]").select_option("choice")
    form.locator("input[name=choices]").fill("EMEA, APAC")
    form.locator("button").click()
    page.wait_for_selector("#field-region")
    assert page.locator("#field-region input[name=choices]").input_value() == "EMEA, APAC"

    page.goto(f"{ui.url}/cases/{east['id']}")
    page.click("#edit-custom-fields summary")
    page.select_option("select[name='cf.region']", "APAC")
    page.click("form.case-edit button[type=submit]")
    page.wait_for_selector("#cf-region")
    assert page.locator("#cf-region").inner_text() == "APAC"
    assert "Region: none → APAC" in page.locator("ol.timeline").inner_text()

    page.goto(ui.url + "/cases")
    page.select_option("select[name=cf_key]", "region")
    page.fill("input[name=cf_value]", "APAC")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(lambda url: "cf_key=region" in url)
    titles = page.locator("table.cases tbody a").all_inner_texts()
    assert titles == ["Eastern"]
    page.close()


def test_save_a_case_as_a_template_and_open_one_with_it(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        case = api.post("/cases", json={"title": "USB stick found", "severity": "high",
                                        "tags": ["usb"], "tlp": "green"}).json()  # fmt: skip
        api.post(f"/cases/{case['id']}/tasks", json={"title": "Image the stick", "required": True})
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(f"{ui.url}/cases/{case['id']}")
    page.click("details.save-template summary")
    page.fill("#save-template input[name=name]", "Found media")
    page.click("#save-template button")
    page.wait_for_url("**/settings#template-tpl_*")
    listed = page.locator("ul.templates").inner_text()
    assert "Found media · 1 task · high · TLP:GREEN" in listed
    assert "Phishing" in listed  # the starter set

    page.goto(ui.url + "/cases")
    page.click("details.new-case summary")
    page.select_option("#new-case select[name=template_id]", label="Found media")
    page.click("#new-case button[type=submit]")
    page.wait_for_url("**/cases/case_*")
    assert "USB stick found" in page.locator("h1").inner_text()
    assert page.locator("#case-tlp").inner_text() == "TLP:GREEN"
    assert page.locator("#case-tasks .task-title").all_inner_texts() == ["Image the stick"]
    page.close()


def test_merge_a_case_from_its_page(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        first = api.post("/cases", json={"title": "Duplicate report", "severity": "low"}).json()
        kept = api.post("/cases", json={"title": "The real one", "severity": "low"}).json()
        api.post(f"/cases/{first['id']}/comments", json={"body": "Reported by Bob"})
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(f"{ui.url}/cases/{first['id']}")
    page.click("details.merge-case summary")
    page.fill("#merge-case input[name=number]", str(kept["number"]))
    page.once("dialog", lambda dialog: dialog.accept())  # it asks first
    page.click("#merge-case button")
    landed = f"/cases/{kept['id']}?merged={first['number']}"
    page.wait_for_url(lambda url: url.endswith(landed))
    assert "was merged into this one" in page.locator("#merged-notice").inner_text()
    assert "Reported by Bob" in page.locator("article.comment").inner_text()
    page.goto(f"{ui.url}/cases/{first['id']}")  # the merged case's page opens the target
    page.wait_for_url(lambda url: url.endswith(landed))
    page.close()


def test_export_a_case_and_import_it(ui: Server, browser: Browser, tmp_path) -> None:
    with ui.client(ui.token()) as api:
        case = api.post("/cases", json={"title": "Handed over", "severity": "high"}).json()
        api.post(f"/cases/{case['id']}/attachments", files={"file": ("log.txt", b"evidence")})
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(f"{ui.url}/cases/{case['id']}")
    with page.expect_download() as got:
        page.click("#export-link")
    archive = tmp_path / got.value.suggested_filename
    got.value.save_as(archive)
    assert archive.name == f"case-{case['number']}.zip"

    page.goto(ui.url + "/cases")
    page.click("details.import-case summary")
    page.set_input_files("#import-case input[type=file]", str(archive))
    page.click("#import-case button")
    page.wait_for_url(lambda url: "/cases/case_" in url and case["id"] not in url)
    assert "Handed over" in page.locator("h1").inner_text()
    assert "log.txt" in page.locator("#evidence").evaluate("e => e.parentElement.innerText")
    assert "imported from case #" in page.locator("ol.timeline").inner_text()
    page.close()
