"""In a real browser: create an API key in Settings and use it with httpx; create a webhook, see
a delivery in its log, pause, resume and delete it; change your password and sign in with the
new one."""

from __future__ import annotations

import json
import time

import httpx
from playwright.sync_api import Browser

from tests.browser import sign_in
from tests.harness import Server
from tests.receiver import Receiver


def test_create_an_api_key_and_use_it(ui: Server, browser: Browser) -> None:
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(ui.url + "/settings")
    page.fill("form.key-form input[name=name]", "from the ui")
    page.select_option("form.key-form select[name=scopes]", ["alerts:read"])
    page.click("form.key-form button")
    token = page.locator("#shown-secret .secret").inner_text().strip()
    assert token.startswith("irbox_")
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(ui.url + "/api/v1/alerts", headers=headers).status_code == 200
    r = httpx.post(ui.url + "/api/v1/alerts", headers=headers, json={})
    assert r.status_code == 403  # only the scope chosen in the form
    page.goto(ui.url + "/settings")
    assert token not in page.content()  # shown once
    page.click("tr:has-text('from the ui') button:has-text('Revoke')")
    page.wait_for_selector("tr:has-text('from the ui'):has-text('revoked')")
    assert httpx.get(ui.url + "/api/v1/alerts", headers=headers).status_code == 401
    # a key for a contractor's two-week engagement: it expires by itself
    page.fill("form.key-form input[name=name]", "contractor")
    page.fill("form.key-form input[name=expires_at]", "2031-01-15T17:30")
    page.click("form.key-form button")
    page.wait_for_selector("#shown-secret .secret")
    row = page.locator("tr", has_text="contractor")
    assert "2031-01-15 17:30:00 UTC" in row.inner_text()
    page.fill("form.key-form input[name=name]", "already over")
    page.fill("form.key-form input[name=expires_at]", "2001-01-01T00:00")
    page.click("form.key-form button")
    assert "future" in page.locator(".error").inner_text()


def test_create_a_webhook_and_see_a_delivery(ui: Server, browser: Browser) -> None:
    receiver = Receiver().start()
    try:
        page = browser.new_page()
        sign_in(page, ui)
        page.goto(ui.url + "/settings")
        page.fill("form.hook-form input[name=url]", receiver.url)
        page.select_option("form.hook-form select[name=events]", ["case.created"])
        page.click("form.hook-form button")
        assert len(page.locator("#shown-secret .secret").inner_text().strip()) >= 32
        page.click(".hook button:has-text('Ping')")
        receiver.wait_for(1)
        deadline = time.monotonic() + 10
        while "delivered" not in page.locator(".deliveries").inner_text():
            assert time.monotonic() < deadline
            time.sleep(0.3)
            page.reload()
        assert "ping" in page.locator(".deliveries").inner_text()
        page.click(".deliveries button:has-text('Redeliver')")  # sent again, same delivery id
        got = receiver.wait_for(2)
        assert got[0].headers["X-IR-Delivery"] == got[1].headers["X-IR-Delivery"]
        assert got[0].body == got[1].body
        # pause: case events are no longer sent; resume: they are again
        page.click(".hook button:has-text('Pause')")
        page.wait_for_selector(".hook:has-text('inactive') button:has-text('Resume')")
        with ui.client(ui.token()) as api:
            api.post("/cases", json={"title": "while paused", "severity": "low"})
            page.click(".hook button:has-text('Resume')")
            page.wait_for_selector(".hook button:has-text('Pause')")
            resumed = api.post("/cases", json={"title": "after resuming", "severity": "low"})
            sent = receiver.wait_for(3)
            assert [r.headers["X-IR-Event"] for r in sent] == ["ping", "ping", "case.created"]
            assert json.loads(sent[2].body)["case_id"] == resumed.json()["id"]
            # delete asks first; declining keeps the webhook
            page.once("dialog", lambda dialog: dialog.dismiss())
            page.click(".hook button:has-text('Delete')")
            assert len(api.get("/webhooks").json()["items"]) == 1
            page.once("dialog", lambda dialog: dialog.accept())
            page.click(".hook button:has-text('Delete')")
            page.wait_for_selector(".hook", state="detached")
            assert api.get("/webhooks").json()["items"] == []
    finally:
        receiver.stop()


def test_change_your_password(ui: Server, browser: Browser) -> None:
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(ui.url + "/settings")
    page.fill("form.password-form input[name=current_password]", ui.first_password)
    page.fill("form.password-form input[name=new_password]", "correct horse battery")
    page.fill("form.password-form input[name=confirm_password]", "correct horse battery")
    page.click("form.password-form button")
    page.wait_for_url("**/login?changed=1")
    assert "sign in with the new one" in page.inner_text("main")
    page.fill("input[name=email]", "admin@irbox.local")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/alerts")


def test_an_admin_revokes_another_users_leaked_key(ui: Server, browser: Browser) -> None:
    with ui.client(ui.token()) as api:
        api.post("/users", json={"email": "dev@x.example", "role": "analyst"})
    leaked = ui.token("dev@x.example", name="ci pipeline")
    headers = {"Authorization": f"Bearer {leaked}"}
    assert httpx.get(ui.url + "/api/v1/me", headers=headers).status_code == 200
    page = browser.new_page()
    sign_in(page, ui)
    page.goto(ui.url + "/settings#other-keys")
    row = page.locator("table.other-keys tr", has_text="ci pipeline")
    assert "dev@x.example" in row.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button:has-text('Revoke')").click()
    page.wait_for_selector("table.other-keys:has-text('No other keys in use')")
    assert httpx.get(ui.url + "/api/v1/me", headers=headers).status_code == 401
