"""Case work in Chromium, as an admin does it: define a custom field in Settings, fill it in on
a case, find the case by it in the cases list."""

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
