"""In a real browser: the grace banner, the lock page, and unlocking by uploading a license."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser import sign_in
from tests.harness import Server
from tests.test_license import DAY, PUBLIC, license_doc


@pytest.fixture
def licensed_ui(fresh_server: Server) -> Server:
    fresh_server.env["IRBOX_LICENSE_PUBLIC_KEYS"] = PUBLIC
    return fresh_server.start()


def _install(server: Server, doc: dict) -> None:
    with server.client(server.token()) as api:
        r = api.put("/license", content=json.dumps(doc).encode())
        assert r.status_code == 200, r.text


def test_grace_banner_then_lock_page_then_unlock(
    licensed_ui: Server,
    browser: Browser,
    tmp_path: Path,
) -> None:
    _install(licensed_ui, license_doc(-2 * DAY))
    page = browser.new_page()
    sign_in(page, licensed_ui)
    assert "grace period" in page.locator("#grace-banner").inner_text()
    _install(licensed_ui, license_doc(-20 * DAY, grace_days=14))
    page.goto(licensed_ui.url + "/alerts")
    assert page.locator("#locked").is_visible()
    page.goto(licensed_ui.url + "/cases")
    assert page.locator("#locked").is_visible()
    valid = tmp_path / "license.json"
    valid.write_text(json.dumps(license_doc(365 * DAY)))
    page.set_input_files("#locked input[type=file]", str(valid))
    page.click("#locked button")
    page.wait_for_url("**/settings#license")
    assert "valid" in page.locator("#license-status").inner_text()
    page.goto(licensed_ui.url + "/alerts")
    assert page.locator("#locked").count() == 0 and page.locator("#grace-banner").count() == 0
