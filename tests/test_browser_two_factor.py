"""In Chromium: set up two-factor sign-in from Settings (the QR code drawn by the server, the
key to type, a code from the app), see the recovery codes once, sign out, and sign in with the
password and then a code. Each page passes the accessibility scan."""

from __future__ import annotations

import time

import pyotp
from playwright.sync_api import Browser

from tests.accessibility import assert_accessible
from tests.browser import sign_in
from tests.harness import Server


def test_set_up_and_sign_in_with_a_code(ui: Server, browser: Browser) -> None:
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(ui.url + "/settings#mfa")
    page.click("#mfa-begin")
    page.wait_for_selector("#mfa-enrolment")
    qr = page.locator("#mfa-enrolment svg[role=img]")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 100  # a QR code, big enough
    assert_accessible(page, "two-factor set-up")
    totp = pyotp.TOTP(page.locator("#mfa-secret").inner_text().strip())
    page.fill("#mfa-enrolment input[name=code]", totp.now())
    page.click("#mfa-enrolment button")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page, "recovery codes shown once")
    page.reload()
    assert page.locator("#recovery-codes").count() == 0
    assert "10 recovery codes left" in page.locator("#mfa-status").inner_text()

    page.click("header button:has-text('Sign out')")
    page.wait_for_url("**/login")
    page.fill("input[name=email]", "admin@irbox.local")
    page.fill("input[name=password]", ui.first_password)
    page.click("button[type=submit]")
    page.wait_for_url("**/login/code")
    assert_accessible(page, "sign-in code page")
    page.fill("input[name=code]", "000000")
    page.click("button[type=submit]")
    assert "Wrong code" in page.locator(".error").inner_text()
    page.fill("input[name=code]", totp.at(time.time() + 30))  # the setting-up step is spent
    page.click("button[type=submit]")
    page.wait_for_url("**/alerts")
    assert page.locator("header .who").inner_text().startswith("Admin")
